import { Typography } from "antd";
import { ScatterChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import ReactEChartsCore from "echarts-for-react/esm/core";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";

echarts.use([ScatterChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

// The service points as a map layer: each point at its longitude/latitude on a plain projection (the longitude
// scaled by cos(latitude), so a kilometre is as long either way), a colour per kind, the place's name, hours
// and phone on a tap. No tile server, as on the command map: the directory's own coordinates only.

export interface MapPoint {
  id: number;
  kind: string;
  kindLabel: string;
  name: string;
  address: string;
  hours: string;
  phone: string | null;
  lat: number | null;
  long: number | null;
}

const KIND_COLORS: Record<string, string> = {
  party_center: "#d4380d",
  rest_station: "#1677ff",
  reading_corner: "#389e0d",
  medicine_box_site: "#722ed1",
};
const KIND_SYMBOLS: Record<string, string> = {
  party_center: "pin",
  rest_station: "circle",
  reading_corner: "rect",
  medicine_box_site: "diamond",
};

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function PointsMap({ points, height = 360 }: { points: MapPoint[]; height?: number }) {
  const { t } = useTranslation();
  const placed = useMemo(() => points.filter((p) => p.lat !== null && p.long !== null), [points]);
  const option = useMemo(() => {
    if (placed.length === 0) return null;
    const lats = placed.map((p) => p.lat!);
    const mid = (Math.min(...lats) + Math.max(...lats)) / 2;
    const k = Math.cos((mid * Math.PI) / 180);
    const xs = placed.map((p) => p.long! * k);
    const pad = (lo: number, hi: number) => Math.max((hi - lo) * 0.08, 0.002);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const [y0, y1] = [Math.min(...lats), Math.max(...lats)];
    const kinds = [...new Set(placed.map((p) => p.kind))];
    return {
      animation: false,
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: (a: { data: { point: MapPoint } }) => {
          const p = a.data.point;
          return [
            `<b>${esc(p.name)}</b>`,
            esc(p.kindLabel),
            esc(p.address),
            `${esc(t("mutualAid.points.hours"))}：${esc(p.hours)}`,
            p.phone ? `${esc(t("mutualAid.points.phone"))}：${esc(p.phone)}` : "",
          ]
            .filter(Boolean)
            .join("<br/>");
        },
      },
      legend: { top: 0, data: kinds.map((kd) => placed.find((p) => p.kind === kd)!.kindLabel) },
      grid: { left: 8, right: 8, top: 32, bottom: 8 },
      xAxis: {
        type: "value",
        min: x0 - pad(x0, x1),
        max: x1 + pad(x0, x1),
        axisLabel: { show: false },
        axisTick: { show: false },
        splitLine: { lineStyle: { color: "#f0f0f0" } },
      },
      yAxis: {
        type: "value",
        min: y0 - pad(y0, y1),
        max: y1 + pad(y0, y1),
        axisLabel: { show: false },
        axisTick: { show: false },
        splitLine: { lineStyle: { color: "#f0f0f0" } },
      },
      series: kinds.map((kd) => ({
        type: "scatter",
        name: placed.find((p) => p.kind === kd)!.kindLabel,
        symbol: KIND_SYMBOLS[kd] ?? "circle",
        symbolSize: kd === "party_center" ? 22 : 14,
        itemStyle: { color: KIND_COLORS[kd] ?? "#8c8c8c" },
        // A community's few points carry their names; a street's or district's hundreds only on a tap.
        label: {
          show: placed.length <= 12,
          position: "right",
          formatter: (a: { name: string }) => a.name,
          fontSize: 11,
          color: "#434343",
        },
        data: placed
          .filter((p) => p.kind === kd)
          .map((p) => ({ value: [p.long! * k, p.lat!], name: p.name, point: p })),
      })),
    };
  }, [placed, t]);
  const unplaced = points.length - placed.length;
  return (
    <figure data-testid="points-map" aria-label={t("mutualAid.points.mapTitle")} style={{ margin: 0 }}>
      {option && (
        <ReactEChartsCore
          echarts={echarts}
          option={option}
          notMerge
          style={{ height, width: "100%", background: "#fff", borderRadius: 8 }}
        />
      )}
      {unplaced > 0 && (
        <Typography.Text type="secondary">{t("mutualAid.points.unplaced", { n: unplaced })}</Typography.Text>
      )}
    </figure>
  );
}
