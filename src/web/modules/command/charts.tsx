import { Empty, Grid } from "antd";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import ReactEChartsCore from "echarts-for-react/esm/core";
import { useTranslation } from "react-i18next";
import { usePrefersReducedMotion } from "../../app/motion.ts";

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

// The command center's charts. `dark` is the wall screen's palette: light text on a dark ground, larger type.

/** Text colour and size: the wall screen's, or ECharts' own defaults (an explicit undefined would blank them). */
const text = (dark?: boolean) => (dark ? { color: "#d6e4ff", fontSize: 18 } : { fontSize: 12 });

export function TrendChart({
  days,
  dark,
  height = 260,
}: {
  days: { day: string; received: number; closed: number }[];
  dark?: boolean;
  height?: number;
}) {
  const { t } = useTranslation();
  const still = usePrefersReducedMotion();
  const option = {
    color: ["#1668dc", "#52c41a"],
    // A wall screen redraws every few seconds: lines that grow again each time would only distract.
    animation: !dark && !still,
    tooltip: { trigger: "axis" },
    legend: { top: 0, textStyle: text(dark) },
    grid: { left: 44, right: 16, top: 36, bottom: 28 },
    xAxis: {
      type: "category",
      data: days.map((d) => d.day.slice(5)),
      axisLabel: text(dark),
    },
    yAxis: { type: "value", minInterval: 1, axisLabel: text(dark) },
    series: [
      {
        name: t("command.trendReceived"),
        type: "line",
        smooth: true,
        areaStyle: { opacity: 0.15 },
        data: days.map((d) => d.received),
      },
      { name: t("command.trendClosed"), type: "line", smooth: true, data: days.map((d) => d.closed) },
    ],
  };
  return <ReactEChartsCore echarts={echarts} option={option} style={{ height }} notMerge />;
}

/** The top categories as horizontal bars, the biggest on top (names stay readable however many there are). */
export function CategoryChart({
  items,
  dark,
  height = 260,
  top = 8,
}: {
  items: { code: string; name: string; n: number }[];
  dark?: boolean;
  height?: number;
  top?: number;
}) {
  const { t } = useTranslation();
  const still = usePrefersReducedMotion();
  if (!items.length) return <NoData height={height} text={t("command.noOrders")} />;
  const shown = items.slice(0, top).reverse();
  const option = {
    color: ["#fa8c16"],
    animation: !dark && !still,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1, axisLabel: text(dark) },
    yAxis: {
      type: "category",
      data: shown.map((c) => c.name),
      axisLabel: text(dark),
    },
    series: [
      {
        type: "bar",
        data: shown.map((c) => c.n),
        label: { show: true, position: "right", ...text(dark) },
      },
    ],
  };
  return <ReactEChartsCore echarts={echarts} option={option} style={{ height }} notMerge />;
}

export function ChannelChart({
  items,
  dark,
  height = 260,
}: {
  items: { code: string; name: string; n: number }[];
  dark?: boolean;
  height?: number;
}) {
  const { t } = useTranslation();
  // On a phone the slice labels overflow the card: the legend and the tooltip name them instead.
  const phone = Grid.useBreakpoint().md === false;
  const still = usePrefersReducedMotion();
  if (!items.length) return <NoData height={height} text={t("command.noOrders")} />;
  const option = {
    animation: !dark && !still,
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    legend: { bottom: 0, type: "scroll", textStyle: text(dark) },
    series: [
      {
        type: "pie",
        radius: ["40%", "68%"],
        center: ["50%", "44%"],
        label: { show: !phone, ...text(dark), formatter: "{b} {d}%" },
        data: items.map((c) => ({ name: c.name, value: c.n })),
      },
    ],
  };
  return <ReactEChartsCore echarts={echarts} option={option} style={{ height }} notMerge />;
}

function NoData({ height, text }: { height: number; text: string }) {
  return (
    <div style={{ height, display: "grid", placeItems: "center" }}>
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={text} />
    </div>
  );
}
