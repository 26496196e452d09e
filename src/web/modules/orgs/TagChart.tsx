import { Grid } from "antd";
import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import ReactEChartsCore from "echarts-for-react/esm/core";
import { useTranslation } from "react-i18next";
import { KEY_TAGS } from "../../app/i18n/index.ts";
import { usePrefersReducedMotion } from "../../app/motion.ts";

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** Bar chart of key-population counts, one bar per tag in the glossary's order. */
export function TagChart({ counts }: { counts: Record<string, number> }) {
  const { t } = useTranslation();
  const still = usePrefersReducedMotion();
  // On a phone the bars lie down so the Chinese labels stay readable.
  const horizontal = Grid.useBreakpoint().md === false;
  const labels = { type: "category", data: KEY_TAGS.map((k) => t(`tag.${k}`)), axisLabel: { interval: 0 } };
  const values = { type: "value", minInterval: 1 };
  const option = {
    animation: !still,
    tooltip: { trigger: "axis" },
    grid: horizontal
      ? { left: 8, right: 40, top: 8, bottom: 8, containLabel: true }
      : { left: 48, right: 16, top: 24, bottom: 56 },
    xAxis: horizontal ? values : { ...labels, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: horizontal ? { ...labels, inverse: true } : values,
    series: [
      {
        type: "bar",
        name: t("org.people"),
        data: KEY_TAGS.map((k) => counts[k] ?? 0),
        itemStyle: { color: "#1668dc", borderRadius: horizontal ? [0, 4, 4, 0] : [4, 4, 0, 0] },
        label: { show: true, position: horizontal ? "right" : "top" },
        barMaxWidth: 36,
      },
    ],
  };
  return (
    <div role="img" aria-label={t("org.chartTitle")}>
      <ReactEChartsCore
        echarts={echarts}
        option={option}
        notMerge
        style={{ height: horizontal ? 360 : 320 }}
      />
    </div>
  );
}
