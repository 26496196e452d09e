// SLA policies (DESIGN §3): a policy names its clocks; each clock runs from one milestone of the order
// to another within a budget measured in the policy's calendar.
import type { Calendar, CalendarId } from "./calendar.ts";

/** Order timestamps a clock can start or stop at. */
export type Milestone =
  | "received"
  | "dispatched"
  | "accepted"
  | "on_site"
  | "planned"
  | "replied"
  | "resolved";

export type ClockName = "accept" | "arrive" | "resolve" | "plan" | "reply";

/** Small problems go accept → on site → resolve; complex ones plan and reply first. */
export type Track = "simple" | "complex";

/** "days" and "hours" are counted in the calendar: 2 days on `workdays` are 2 working days. */
export interface Budget {
  amount: number;
  unit: "minutes" | "hours" | "days";
}

export interface ClockRule {
  clock: ClockName;
  label: string;
  from: Milestone;
  until: Milestone;
  budget: Budget;
  tracks: readonly Track[];
}

export interface SlaPolicy {
  id: string;
  name: string;
  calendar: CalendarId;
  /** Fraction of the allowed time after which the clock shows a warning 预警. */
  warnAt: number;
  clocks: readonly ClockRule[];
}

export const CLOCK_LABELS: Record<ClockName, string> = {
  accept: "签收时限",
  arrive: "到场时限",
  resolve: "办结时限",
  plan: "方案时限",
  reply: "答复时限",
};

const BOTH: readonly Track[] = ["simple", "complex"];
const DEFAULT_WARN_AT = 0.8;

export function budgetMinutes(cal: Calendar, budget: Budget): number {
  if (!(budget.amount >= 0) || !Number.isFinite(budget.amount)) {
    throw new RangeError(`budget must be a finite amount ≥ 0, got ${budget.amount}`);
  }
  const perUnit = budget.unit === "minutes" ? 1 : budget.unit === "hours" ? 60 : cal.minutesPerDay;
  return budget.amount * perUnit;
}

function rule(clock: ClockName, from: Milestone, until: Milestone, budget: Budget, tracks = BOTH): ClockRule {
  return { clock, label: CLOCK_LABELS[clock], from, until, budget, tracks };
}

/**
 * 52022 物业服务社: on site within 5 minutes of the order reaching the grid (the "5" runs from dispatch, so an
 * emergency no one has accepted yet is already on the clock and first in every queue), a small problem
 * solved within 20 minutes of arriving, a complex one gets a plan within 2 days of accepting and a reply
 * within 2 days of the plan.
 */
export const POLICY_52022: SlaPolicy = {
  id: "52022",
  name: "52022 快速应急机制",
  calendar: "24x7",
  warnAt: DEFAULT_WARN_AT,
  clocks: [
    rule("arrive", "dispatched", "on_site", { amount: 5, unit: "minutes" }),
    rule("resolve", "on_site", "resolved", { amount: 20, unit: "minutes" }, ["simple"]),
    rule("plan", "accepted", "planned", { amount: 2, unit: "days" }, ["complex"]),
    rule("reply", "planned", "replied", { amount: 2, unit: "days" }, ["complex"]),
  ],
};

export interface HotlineOptions {
  acceptWorkingHours?: number;
  resolveWorkingDays?: number;
  warnAt?: number;
}

/** 12345 hotline: sign within 2 working hours of dispatch, resolve within 5 working days (configurable). */
export function hotline12345Policy(opts: HotlineOptions = {}): SlaPolicy {
  const warnAt = opts.warnAt ?? DEFAULT_WARN_AT;
  if (!(warnAt > 0 && warnAt <= 1)) throw new RangeError(`warnAt must be in (0, 1], got ${warnAt}`);
  return {
    id: "12345",
    name: "12345 热线",
    calendar: "workdays",
    warnAt,
    clocks: [
      rule("accept", "dispatched", "accepted", { amount: opts.acceptWorkingHours ?? 2, unit: "hours" }),
      rule("resolve", "dispatched", "resolved", { amount: opts.resolveWorkingDays ?? 5, unit: "days" }),
    ],
  };
}

export const POLICY_12345: SlaPolicy = hotline12345Policy();

/** 爱心专班: a doctor or volunteer at the door within an hour of the call. */
export const POLICY_CARE_URGENT: SlaPolicy = {
  id: "care-urgent",
  name: "爱心专班 紧急上门",
  calendar: "24x7",
  warnAt: DEFAULT_WARN_AT,
  clocks: [rule("arrive", "received", "on_site", { amount: 1, unit: "hours" })],
};

export const BUILTIN_POLICIES: readonly SlaPolicy[] = [POLICY_52022, POLICY_12345, POLICY_CARE_URGENT];

export function findPolicy(id: string): SlaPolicy | undefined {
  return BUILTIN_POLICIES.find((p) => p.id === id);
}
