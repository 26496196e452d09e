// Shared medicine boxes 共享药箱: which batch may leave a box, which is about to expire, and the clock of a
// medicine request (at the door within the hour: the care-urgent policy's arrive clock, received → delivered).
import {
  type ClockDeadline,
  clockStatus,
  computeDeadlines,
  POLICY_CARE_URGENT,
  type SlaStatus,
} from "../sla/index.ts";

/** Days ahead an expiry is warned of. */
export const EXPIRY_WARN_DAYS = 30;

export type ExpiryStatus = "expired" | "expiring" | "ok";

export const EXPIRY_LABELS: Record<ExpiryStatus, string> = {
  expired: "已过期",
  expiring: "临期",
  ok: "正常",
};

const DAY_MS = 86_400_000;
const dayNumber = (day: string) =>
  Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10)) / DAY_MS;

/** Whole days from `today` to `expiresOn` (both YYYY-MM-DD); negative once past. */
export function daysLeft(expiresOn: string, today: string): number {
  return dayNumber(expiresOn) - dayNumber(today);
}

/** A batch is usable through its expiry day; warned of within `warnDays` of it. */
export function expiryStatus(expiresOn: string, today: string, warnDays = EXPIRY_WARN_DAYS): ExpiryStatus {
  const left = daysLeft(expiresOn, today);
  if (left < 0) return "expired";
  return left <= warnDays ? "expiring" : "ok";
}

/** The day `days` after `today` (YYYY-MM-DD). */
export function addDays(today: string, days: number): string {
  return new Date((dayNumber(today) + days) * DAY_MS).toISOString().slice(0, 10);
}

export interface Batch {
  id: number;
  expiresOn: string;
  quantity: number;
}

export type DispenseRefusal = "expired" | "insufficient" | "quantity";

export const DISPENSE_MESSAGES: Record<DispenseRefusal, string> = {
  expired: "该批次已过期，不能发放，请做过期处置",
  insufficient: "库存不足，不能发放",
  quantity: "发放数量须为正整数",
};

/** Why a batch cannot give `quantity` today, or null when it can. (The database re-checks under its lock.) */
export function dispenseRefusal(batch: Batch, quantity: number, today: string): DispenseRefusal | null {
  if (!Number.isInteger(quantity) || quantity <= 0) return "quantity";
  if (expiryStatus(batch.expiresOn, today) === "expired") return "expired";
  if (batch.quantity < quantity) return "insufficient";
  return null;
}

/**
 * The batch a request is matched to: first expiring first out (FEFO) among the batches that can give the
 * whole quantity today; ties by id. null when none can.
 */
export function pickBatch<B extends Batch>(batches: readonly B[], quantity: number, today: string): B | null {
  let best: B | null = null;
  for (const b of batches) {
    if (dispenseRefusal(b, quantity, today)) continue;
    if (!best || b.expiresOn < best.expiresOn || (b.expiresOn === best.expiresOn && b.id < best.id)) best = b;
  }
  return best;
}

/** Words of a medicine name as people type them: no spaces, full-width letters folded, lower case. */
export function medicineKey(name: string): string {
  return name.normalize("NFKC").replace(/\s+/g, "").toLowerCase();
}

// ——— requests ———

export const REQUEST_STATES = [
  "requested",
  "matched",
  "claimed",
  "delivered",
  "confirmed",
  "cancelled",
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const REQUEST_STATE_LABELS: Record<RequestState, string> = {
  requested: "待匹配药箱",
  matched: "已匹配药箱",
  claimed: "已认领配送",
  delivered: "已送达",
  confirmed: "已确认",
  cancelled: "已取消",
};

export type RequestAction = "match" | "claim" | "deliver" | "confirm" | "cancel";

const NEXT: Record<RequestAction, { from: readonly RequestState[]; to: RequestState }> = {
  match: { from: ["requested"], to: "matched" },
  claim: { from: ["matched"], to: "claimed" },
  deliver: { from: ["claimed"], to: "delivered" },
  confirm: { from: ["delivered"], to: "confirmed" },
  cancel: { from: ["requested", "matched", "claimed"], to: "cancelled" },
};

/** The state an action leads to from `state`, or null when it is not allowed there. */
export function nextRequestState(state: RequestState, action: RequestAction): RequestState | null {
  const t = NEXT[action];
  return t.from.includes(state) ? t.to : null;
}

/** The states an action may start from (the conditional UPDATE's WHERE). */
export const fromStates = (action: RequestAction): readonly RequestState[] => NEXT[action].from;

/** The request's clock: received at creation, stopped at delivery, one hour on a 24×7 calendar. */
export function requestClock(createdAt: Date, deliveredAt: Date | null, now: Date): ClockDeadline {
  const [clock] = computeDeadlines({
    policy: POLICY_CARE_URGENT,
    milestones: { received: createdAt, ...(deliveredAt ? { on_site: deliveredAt } : {}) },
    now,
  });
  return clock;
}

export function requestSla(createdAt: Date, deliveredAt: Date | null, now: Date): SlaStatus {
  return clockStatus(requestClock(createdAt, deliveredAt, now), now);
}
