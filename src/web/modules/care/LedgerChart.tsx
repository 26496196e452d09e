import { Typography } from "antd";
import { BarChart } from "echarts/charts";
import {
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import ReactEChartsCore from "echarts-for-react/esm/core";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import type { CareLedgerGrid } from "../../app/api.ts";
import { KEY_TAGS } from "../../app/i18n/index.ts";
import { usePrefersReducedMotion } from "../../app/motion.ts";

echarts.use([
  BarChart,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

/** Bars in view at once: more than this and the chart scrolls (a slider and the wheel or a swipe). */
export const BARS_IN_VIEW = { desktop: 30, phone: 12 } as const;

const COLORS = [
  "#fa541c",
  "#fa8c16",
  "#fadb14",
  "#f5222d",
  "#eb2f96",
  "#722ed1",
  "#13c2c2",
  "#f759ab",
  "#52c41a",
];

/**
 * Key residents per grid, one stacked bar per grid with a segment per tag. With a street's or the district's
 * hundreds of grids the bars are sorted by their key residents, the first ones in view and the rest a scroll
 * away (ECharts dataZoom), so the axis never smears 900 names into one another.
 */
export function LedgerChart({ items, phone }: { items: CareLedgerGrid[]; phone: boolean }) {
  const { t } = useTranslation();
  const still = usePrefersReducedMotion();
  const inView = phone ? BARS_IN_VIEW.phone : BARS_IN_VIEW.desktop;
  const many = items.length > inView;
  // Most key residents first when scrolling is needed; a community's few grids keep their own order.
  const sorted = useMemo(
    () =>
      many
        ? [...items].sort((a, b) => b.keyResidents - a.keyResidents || a.code.localeCompare(b.code))
        : items,
    [items, many],
  );
  const grids = {
    type: "category",
    data: sorted.map((g) => g.name),
    axisLabel: phone
      ? { interval: 0, width: 96, overflow: "truncate" }
      : { interval: 0, rotate: many || items.length > 12 ? 40 : 0, width: 110, overflow: "truncate" },
  };
  const values = { type: "value", minInterval: 1 };
  const end = many ? ((inView - 0.5) / sorted.length) * 100 : 100;
  const dataZoom = many
    ? phone
      ? [
          {
            type: "slider",
            yAxisIndex: 0,
            right: 0,
            width: 18,
            start: 0,
            end,
            showDetail: false,
            brushSelect: false,
          },
          { type: "inside", yAxisIndex: 0, start: 0, end, zoomOnMouseWheel: false, moveOnMouseWheel: true },
        ]
      : [
          {
            type: "slider",
            xAxisIndex: 0,
            bottom: 4,
            height: 18,
            start: 0,
            end,
            showDetail: false,
            brushSelect: false,
          },
          { type: "inside", xAxisIndex: 0, start: 0, end, zoomOnMouseWheel: false, moveOnMouseWheel: true },
        ]
    : [];
  const rotated = !phone && (many || items.length > 12);
  const option = {
    animation: !still,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, type: "scroll" },
    grid: phone
      ? { left: 8, right: many ? 32 : 16, top: 56, bottom: 8, containLabel: true }
      : rotated
        ? // Slanted names hang left of their bar: the grid makes room for them (containLabel).
          { left: 16, right: 16, top: 48, bottom: many ? 36 : 8, containLabel: true }
        : { left: 48, right: 16, top: 48, bottom: 32 },
    xAxis: phone ? values : grids,
    yAxis: phone ? { ...grids, inverse: true } : values,
    dataZoom,
    series: KEY_TAGS.map((k, i) => ({
      type: "bar",
      stack: "tags",
      name: t(`tag.${k}`),
      data: sorted.map((g) => g.counts[k] ?? 0),
      itemStyle: { color: COLORS[i] },
      barMaxWidth: 48,
      emphasis: { focus: "series" },
    })),
  };
  const rows = Math.min(sorted.length, inView);
  return (
    <div role="img" aria-label={t("care.ledger.chartTitle")} data-bars={sorted.length} data-in-view={rows}>
      {many && (
        <Typography.Text type="secondary" data-testid="ledger-chart-scroll" style={{ fontSize: 12 }}>
          {t("care.ledger.chartScroll", { count: sorted.length, shown: rows })}
        </Typography.Text>
      )}
      <ReactEChartsCore
        echarts={echarts}
        option={option}
        notMerge
        style={{ height: phone ? Math.max(280, rows * 36 + 80) : rotated ? 400 : 340 }}
      />
    </div>
  );
}
