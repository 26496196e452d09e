import { ClockCircleOutlined } from "@ant-design/icons";
import { Tag } from "antd";
import type { TFunction } from "i18next";
import { useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import type { SlaStatus, WorkOrder } from "../../app/api.ts";

// Live SLA countdowns: one shared one-second timer for every countdown on the page.

let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The current time, re-rendering the caller every second. */
export function useNow(): number {
  return useSyncExternalStore(
    subscribe,
    () => now,
    () => now,
  );
}

/** States where the worker's clocks have stopped: nothing to count down. */
export const FINISHED = ["resolved", "callback", "closed", "merged", "cancelled"];

/** The deadline the order is racing against: the earliest running clock's. */
export function dueOf(o: Pick<WorkOrder, "nextDueAt" | "clocks" | "state">): number | null {
  if (FINISHED.includes(o.state)) return null;
  const running = o.clocks.filter((c) => !c.stoppedAt && !c.paused).map((c) => Date.parse(c.deadline));
  if (running.length) return Math.min(...running);
  return o.nextDueAt ? Date.parse(o.nextDueAt) : null;
}

/** 2天3小时 / 1小时5分 / 4分09秒 — the two largest units of a duration. */
export function formatDuration(ms: number, t: TFunction): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${t("sla.days", { count: d })}${t("sla.hours", { count: h })}`;
  if (h > 0) return `${t("sla.hours", { count: h })}${t("sla.minutes", { count: m })}`;
  return `${t("sla.minutes", { count: m })}${t("sla.seconds", { count: sec, padded: String(sec).padStart(2, "0") })}`;
}

/** The live status: overdue once the deadline passes, whatever the last answer from the server said. */
export function liveStatus(o: WorkOrder, due: number | null, at: number): SlaStatus {
  if (o.overdue && due !== null) return "overdue";
  if (due !== null && at >= due) return "overdue";
  return due === null ? "ok" : o.slaStatus;
}

export const SLA_COLORS: Record<SlaStatus, string> = {
  ok: "#389e0d",
  warning: "#d46b08",
  overdue: "#cf1322",
};

/** 剩余 1小时5分 (green), orange on warning, 超时 4分09秒 (red) once past the deadline. Ticks every second. */
export function Countdown({ order, large }: { order: WorkOrder; large?: boolean }) {
  const { t } = useTranslation();
  const at = useNow();
  const due = dueOf(order);
  if (due === null)
    return (
      <span className="gk-countdown gk-countdown-none" data-testid="countdown" data-status="none">
        {FINISHED.includes(order.state) ? "—" : t("sla.noClock")}
      </span>
    );
  const status = liveStatus(order, due, at);
  const left = due - at;
  const text =
    left >= 0
      ? t("sla.left", { time: formatDuration(left, t) })
      : t("sla.overdueBy", { time: formatDuration(left, t) });
  return (
    <span
      className={`gk-countdown gk-countdown-${status}`}
      data-testid="countdown"
      data-status={status}
      style={{ color: SLA_COLORS[status], fontSize: large ? 20 : undefined, fontWeight: 600 }}
    >
      <ClockCircleOutlined /> {text}
    </span>
  );
}

const STATE_COLORS: Record<string, string> = {
  received: "default",
  dispatched: "blue",
  accepted: "cyan",
  on_site: "geekblue",
  planned: "cyan",
  replied: "geekblue",
  resolved: "purple",
  callback: "magenta",
  closed: "green",
  returned: "orange",
  escalated: "volcano",
  reopened: "red",
  merged: "default",
  cancelled: "default",
};

export function StateTag({ state, label }: { state: string; label?: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATE_COLORS[state] ?? "default"} data-testid="order-state">
      {t(`orderState.${state}`, { defaultValue: label ?? state })}
    </Tag>
  );
}

export function SlaTag({ order }: { order: WorkOrder }) {
  const { t } = useTranslation();
  const color = order.slaStatus === "overdue" ? "red" : order.slaStatus === "warning" ? "orange" : "green";
  return (
    <Tag color={color}>{t(`sla.status.${order.slaStatus}`, { defaultValue: order.slaStatusLabel })}</Tag>
  );
}

export { formatTime } from "../../app/time.ts";

export function actionLabel(t: TFunction, action: string, fallback?: string): string {
  return t(`orderAction.${action}`, { defaultValue: fallback ?? action });
}
