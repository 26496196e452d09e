// Care plans: how often a key resident must be visited. Periods are calendar periods in Shanghai
// (Monday-start weeks, half-months, months, quarters) because that is how communities count
// "每周走访一次": a visit any day this week satisfies this week, and the next one is owed next week.

import { type KeyTag, TAG_LABELS } from "../people/generate.ts";
import { civilParts, dateOfDay, dayOfDate, dayOfParts, isoWeekday, shanghaiDayNumber } from "./shanghai.ts";

/** Ordered from most to least frequent; the order is what "most frequent wins" compares. */
export const VISIT_FREQUENCIES = ["weekly", "semimonthly", "monthly", "quarterly"] as const;
export type VisitFrequency = (typeof VISIT_FREQUENCIES)[number];
export const FREQUENCY_LABELS: Record<VisitFrequency, string> = {
  weekly: "每周",
  semimonthly: "每半月",
  monthly: "每月",
  quarterly: "每季度",
};

export const DEFAULT_FREQUENCIES: Record<KeyTag, VisitFrequency> = {
  living_alone: "weekly",
  empty_nest: "weekly",
  disabled_care: "weekly",
  severe_disability: "weekly",
  aged_80_plus: "monthly",
  chronic_disease: "monthly",
  maternal: "monthly",
  left_behind_child: "monthly",
  low_income: "quarterly",
};

/** How many days before the deadline a visit shows as "即将到期"; longer periods warn earlier. */
export const DEFAULT_DUE_SOON_DAYS: Record<VisitFrequency, number> = {
  weekly: 2,
  semimonthly: 3,
  monthly: 5,
  quarterly: 10,
};

/** A community's overrides of the defaults above. */
export interface CarePlanConfig {
  frequencies?: Partial<Record<KeyTag, VisitFrequency>>;
  dueSoonDays?: Partial<Record<VisitFrequency, number>>;
}

const rank = (f: VisitFrequency) => VISIT_FREQUENCIES.indexOf(f);
export const moreFrequent = (a: VisitFrequency, b: VisitFrequency): VisitFrequency =>
  rank(b) < rank(a) ? b : a;

export function frequencyForTag(tag: KeyTag, config: CarePlanConfig = {}): VisitFrequency {
  return config.frequencies?.[tag] ?? DEFAULT_FREQUENCIES[tag];
}

export interface PlanFrequency {
  frequency: VisitFrequency;
  /** The tag that set the pace, so the ledger can say "每周（独居）". */
  decidedBy: KeyTag;
  label: string;
}

/** With several tags the most frequent schedule applies; no tags → no plan. */
export function planFrequency(tags: readonly KeyTag[], config: CarePlanConfig = {}): PlanFrequency | null {
  let best: { frequency: VisitFrequency; decidedBy: KeyTag } | null = null;
  for (const tag of tags) {
    const frequency = frequencyForTag(tag, config);
    if (!best || rank(frequency) < rank(best.frequency)) best = { frequency, decidedBy: tag };
  }
  if (!best) return null;
  return { ...best, label: `${FREQUENCY_LABELS[best.frequency]}（${TAG_LABELS[best.decidedBy]}）` };
}

/** First and last day (day numbers, inclusive) of the calendar period containing `day`. */
export function periodOf(day: number, frequency: VisitFrequency): { start: number; end: number } {
  if (frequency === "weekly") {
    const start = day - isoWeekday(day) + 1;
    return { start, end: start + 6 };
  }
  const { year, month, dayOfMonth } = civilParts(day);
  const lastOfMonth = (y: number, m: number) => dayOfParts(y, m + 1, 1) - 1;
  if (frequency === "semimonthly")
    return dayOfMonth <= 15
      ? { start: dayOfParts(year, month, 1), end: dayOfParts(year, month, 15) }
      : { start: dayOfParts(year, month, 16), end: lastOfMonth(year, month) };
  if (frequency === "monthly") return { start: dayOfParts(year, month, 1), end: lastOfMonth(year, month) };
  const q = Math.floor((month - 1) / 3) * 3 + 1;
  return { start: dayOfParts(year, q, 1), end: lastOfMonth(year, q + 2) };
}

/** The period a visit is owed in, as Shanghai dates (inclusive). */
export interface DueWindow {
  opens: string;
  dueBy: string;
}

const dueWindow = (p: { start: number; end: number }): DueWindow => ({
  opens: dateOfDay(p.start),
  dueBy: dateOfDay(p.end),
});

/** After a visit, the next one is owed in the following period; its last day is the deadline. */
export function nextVisitDue(lastVisit: Date, frequency: VisitFrequency): DueWindow {
  const current = periodOf(shanghaiDayNumber(lastVisit), frequency);
  return dueWindow(periodOf(current.end + 1, frequency));
}

/**
 * A newly planned resident is owed a visit in the current period — unless it is nearly over
 * (fewer days left than the due-soon warning), in which case the next period, so a plan made on a
 * Saturday night is not overdue by Monday.
 */
export function firstVisitDue(
  planStart: Date,
  frequency: VisitFrequency,
  config: CarePlanConfig = {},
): DueWindow {
  const today = shanghaiDayNumber(planStart);
  const current = periodOf(today, frequency);
  if (current.end - today >= dueSoonDays(frequency, config)) return dueWindow(current);
  return dueWindow(periodOf(current.end + 1, frequency));
}

export function dueSoonDays(frequency: VisitFrequency, config: CarePlanConfig = {}): number {
  return config.dueSoonDays?.[frequency] ?? DEFAULT_DUE_SOON_DAYS[frequency];
}

export const VISIT_STATES = ["scheduled", "due_soon", "due", "overdue"] as const;
export type VisitState = (typeof VISIT_STATES)[number];

export interface VisitStatus {
  state: VisitState;
  /** "未到期" / "即将到期" / "今日到期" / "已逾期 3 天". */
  label: string;
  dueBy: string;
  /** Days until the deadline (0 on the day, negative once overdue). */
  daysLeft: number;
  daysOverdue: number;
  /** Today is inside the due window: the visit belongs on this period's to-do list. */
  windowOpen: boolean;
}

export function visitStatus(due: DueWindow, now: Date, soonDays: number): VisitStatus {
  const today = shanghaiDayNumber(now);
  const end = dayOfDate(due.dueBy) ?? today;
  const opens = dayOfDate(due.opens) ?? end;
  const daysLeft = end - today;
  const daysOverdue = Math.max(0, -daysLeft);
  const base = { dueBy: due.dueBy, daysLeft, daysOverdue, windowOpen: today >= opens };
  if (daysLeft < 0) return { ...base, state: "overdue", label: `已逾期 ${daysOverdue} 天` };
  if (daysLeft === 0) return { ...base, state: "due", label: "今日到期" };
  if (daysLeft <= soonDays) return { ...base, state: "due_soon", label: "即将到期" };
  return { ...base, state: "scheduled", label: "未到期" };
}

export interface PlanVisitInput {
  frequency: VisitFrequency;
  startedAt: Date;
  lastVisitAt: Date | null;
}

/** Status of one plan at `now`, from its last visit (or its start if never visited). */
export function planVisitStatus(plan: PlanVisitInput, now: Date, config: CarePlanConfig = {}): VisitStatus {
  const due = plan.lastVisitAt
    ? nextVisitDue(plan.lastVisitAt, plan.frequency)
    : firstVisitDue(plan.startedAt, plan.frequency, config);
  return visitStatus(due, now, dueSoonDays(plan.frequency, config));
}
