import { Grid } from "antd";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import ReactEChartsCore from "echarts-for-react/esm/core";
import { useTranslation } from "react-i18next";
import type { RatesReport } from "../../app/api.ts";
import { usePrefersReducedMotion } from "../../app/motion.ts";
import { MAIN_RATES } from "./months.tsx";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const COLORS = ["#1668dc", "#13c2c2", "#722ed1", "#52c41a", "#fa8c16"];

/**
 * The five rates per child unit as grouped bars (percent, left axis) with the dispatched orders as a
 * line (right axis). Clicking a unit's bars drills down into it.
 */
export function RateChart({
  report,
  onPick,
}: {
  report: RatesReport;
  onPick?: (child: RatesReport["children"][number]) => void;
}) {
  const { t } = useTranslation();
  const still = usePrefersReducedMotion();
  const phone = Grid.useBreakpoint().md === false;
  const children = report.children;
  const rateName = (n: string) =>
    t(`rates.name.${n}`, { defaultValue: report.labels[n as keyof typeof report.labels] });
  const option = {
    animation: !still,
    color: COLORS,
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      valueFormatter: (v: number | string | null) => (typeof v === "number" ? `${v}` : "—"),
    },
    legend: { top: 0, type: "scroll" },
    grid: { left: 48, right: 48, top: 48, bottom: phone ? 88 : 64 },
    xAxis: {
      type: "category",
      data: children.map((c) => c.unit.name),
      axisLabel: { interval: 0, rotate: children.length > 6 || phone ? 35 : 0 },
      triggerEvent: true,
    },
    yAxis: [
      { type: "value", name: "%", min: 0, max: 100 },
      { type: "value", name: t("rates.dispatchedAxis"), minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      ...MAIN_RATES.map((n) => ({
        type: "bar",
        name: rateName(n),
        data: children.map((c) => {
          const v = c.rates[n].value;
          return v === null ? null : Math.round(v * 1000) / 10;
        }),
        barMaxWidth: 18,
        emphasis: { focus: "series" },
        cursor: onPick ? "pointer" : "default",
      })),
      {
        type: "line",
        name: t("rates.dispatched"),
        yAxisIndex: 1,
        data: children.map((c) => c.counts.dispatched ?? 0),
        itemStyle: { color: "#595959" },
        symbolSize: 8,
      },
    ],
  };
  return (
    <div role="img" aria-label={t("rates.chartTitle")}>
      <ReactEChartsCore
        echarts={echarts}
        option={option}
        notMerge
        style={{ height: phone ? 380 : 360 }}
        onEvents={{
          click: (p: { dataIndex?: number; componentType?: string; value?: string }) => {
            const i =
              p.componentType === "xAxis"
                ? children.findIndex((c) => c.unit.name === p.value)
                : (p.dataIndex ?? -1);
            if (onPick && children[i]) onPick(children[i]);
          },
        }}
      />
    </div>
  );
}
