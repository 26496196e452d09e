// An order's deadlines under a policy. Waiting on the resident pauses every running clock: paused time
// does not count, so the deadline moves later by the business time the pause covered. An approved
// extension 延期 adds to one clock's budget. Both only ever push a deadline later.
import { addBusinessMs, type Calendar, elapsedBusinessMs, getCalendar } from "./calendar.ts";
import {
  type Budget,
  budgetMinutes,
  type ClockName,
  type Milestone,
  type SlaPolicy,
  type Track,
} from "./policy.ts";
import { MINUTE_MS } from "./time.ts";

/** A stretch of waiting on the resident; `to` absent while still waiting. */
export interface Pause {
  from: Date;
  to?: Date | null;
}

/** An approved extension of one clock. */
export interface Extension {
  clock: ClockName;
  extra: Budget;
}

export interface SlaInput {
  policy: SlaPolicy;
  milestones: Partial<Record<Milestone, Date>>;
  /** Defaults to "simple"; an order that has been planned is complex. */
  track?: Track;
  pauses?: readonly Pause[];
  extensions?: readonly Extension[];
  /** An open pause counts as lasting until now. */
  now: Date;
}

export interface ClockDeadline {
  clock: ClockName;
  label: string;
  startedAt: Date;
  /** When the clock's end milestone was reached; null while it runs. */
  stoppedAt: Date | null;
  /** Allowed business minutes including approved extensions. */
  budgetMinutes: number;
  extendedMinutes: number;
  deadline: Date;
  warnAt: Date;
  /** Running and currently inside an open pause. */
  paused: boolean;
}

/** [from, to) in epoch ms. */
export type Span = readonly [number, number];

/** Pauses as sorted, merged [from, to) spans clipped to [lo, hi). */
export function pauseSpans(pauses: readonly Pause[], now: number, lo: number, hi: number): Span[] {
  const spans = pauses
    .map(({ from, to }): Span => [Math.max(from.getTime(), lo), Math.min(to ? to.getTime() : now, hi)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of spans) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/** Like addBusinessMs, but business time inside the pause spans (sorted and merged, as from pauseSpans) does not count. */
export function addBusinessMsWithPauses(
  cal: Calendar,
  start: number,
  ms: number,
  pauses: readonly Span[],
): number {
  if (ms === 0) return start;
  let cursor = start;
  let remaining = ms;
  for (const [ps, pe] of pauses) {
    if (pe <= cursor) continue;
    if (ps > cursor) {
      const candidate = addBusinessMs(cal, cursor, remaining);
      if (candidate <= ps) return candidate;
      remaining -= elapsedBusinessMs(cal, cursor, ps);
    }
    cursor = pe;
  }
  return addBusinessMs(cal, cursor, remaining);
}

/** Business ms between two instants, not counting the pause spans (sorted and merged). */
export function effectiveElapsedMs(cal: Calendar, from: number, to: number, pauses: readonly Span[]): number {
  let total = elapsedBusinessMs(cal, from, to);
  for (const [ps, pe] of pauses) total -= elapsedBusinessMs(cal, Math.max(ps, from), Math.min(pe, to));
  return total;
}

export function computeDeadlines(input: SlaInput): ClockDeadline[] {
  const { policy, milestones } = input;
  const cal = getCalendar(policy.calendar);
  const track = input.track ?? "simple";
  const now = input.now.getTime();
  const result: ClockDeadline[] = [];
  for (const rule of policy.clocks) {
    const started = milestones[rule.from];
    if (!rule.tracks.includes(track) || !started) continue;
    const start = started.getTime();
    const stopped = milestones[rule.until] ?? null;
    // Pauses after the clock stopped cannot change a deadline that has already been met or missed.
    const spans = pauseSpans(
      input.pauses ?? [],
      now,
      start,
      stopped ? stopped.getTime() : Number.POSITIVE_INFINITY,
    );
    const extendedMinutes = (input.extensions ?? [])
      .filter((e) => e.clock === rule.clock)
      .reduce((sum, e) => sum + budgetMinutes(cal, e.extra), 0);
    const total = budgetMinutes(cal, rule.budget) + extendedMinutes;
    const totalMs = Math.round(total * MINUTE_MS);
    result.push({
      clock: rule.clock,
      label: rule.label,
      startedAt: started,
      stoppedAt: stopped,
      budgetMinutes: total,
      extendedMinutes,
      deadline: new Date(addBusinessMsWithPauses(cal, start, totalMs, spans)),
      warnAt: new Date(addBusinessMsWithPauses(cal, start, Math.round(totalMs * policy.warnAt), spans)),
      paused: !stopped && (input.pauses ?? []).some((p) => !p.to && p.from.getTime() <= now),
    });
  }
  return result;
}

export type SlaStatus = "ok" | "warning" | "overdue";

const SEVERITY: Record<SlaStatus, number> = { ok: 0, warning: 1, overdue: 2 };

export const SLA_STATUS_LABELS: Record<SlaStatus, string> = { ok: "正常", warning: "预警", overdue: "超时" };

/** A stopped clock is judged at the moment it stopped; a running one at `now`. */
export function clockStatus(clock: ClockDeadline, now: Date): SlaStatus {
  const t = (clock.stoppedAt ?? now).getTime();
  if (t > clock.deadline.getTime()) return "overdue";
  if (!clock.stoppedAt && t >= clock.warnAt.getTime()) return "warning";
  return "ok";
}

/** Met on time (true), missed (false), or still running (null) — what the rates count. */
export function metOnTime(clock: ClockDeadline): boolean | null {
  return clock.stoppedAt ? clock.stoppedAt.getTime() <= clock.deadline.getTime() : null;
}

/** The order's status now: the worst of its running clocks (finished clocks are history). */
export function slaStatus(clocks: readonly ClockDeadline[], now: Date): SlaStatus {
  let worst: SlaStatus = "ok";
  for (const c of clocks) {
    if (c.stoppedAt) continue;
    const s = clockStatus(c, now);
    if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  }
  return worst;
}

/** Earliest deadline among running clocks — what a worker's queue sorts by. */
export function nextDeadline(clocks: readonly ClockDeadline[]): Date | null {
  let next: Date | null = null;
  for (const c of clocks) if (!c.stoppedAt && (!next || c.deadline < next)) next = c.deadline;
  return next;
}
