import { BarChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import ReactEChartsCore from "echarts-for-react/esm/core";
import { useTranslation } from "react-i18next";
import type { CareLedgerGrid } from "../../app/api.ts";
import { KEY_TAGS } from "../../app/i18n/index.ts";

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

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

/** Key residents per grid, one stacked bar per grid with a segment per tag. */
export function LedgerChart({ items, phone }: { items: CareLedgerGrid[]; phone: boolean }) {
  const { t } = useTranslation();
  const grids = { type: "category", data: items.map((g) => g.name), axisLabel: { interval: 0 } };
  const values = { type: "value", minInterval: 1 };
  const option = {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, type: "scroll" },
    grid: phone
      ? { left: 8, right: 16, top: 56, bottom: 8, containLabel: true }
      : { left: 48, right: 16, top: 48, bottom: 32 },
    xAxis: phone ? values : grids,
    yAxis: phone ? { ...grids, inverse: true } : values,
    series: KEY_TAGS.map((k, i) => ({
      type: "bar",
      stack: "tags",
      name: t(`tag.${k}`),
      data: items.map((g) => g.counts[k] ?? 0),
      itemStyle: { color: COLORS[i] },
      barMaxWidth: 48,
      emphasis: { focus: "series" },
    })),
  };
  return (
    <div role="img" aria-label={t("care.ledger.chartTitle")}>
      <ReactEChartsCore
        echarts={echarts}
        option={option}
        notMerge
        style={{ height: phone ? Math.max(280, items.length * 36 + 80) : 340 }}
      />
    </div>
  );
}
