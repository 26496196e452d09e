// applyTransition: the one way an order changes. It checks the table, the actor's roles, the payload
// and the version the caller saw, then returns the new order and an append-only event — or a typed
// error the route turns into 409/403/400. The input order is never mutated.
import type { Extension, Pause, SlaInput } from "../sla/deadline.ts";
import type { Budget, ClockName, Milestone, SlaPolicy, Track } from "../sla/policy.ts";
import { type OrderAction, type OrderState, type Role, STATE_LABELS } from "./states.ts";
import { allowedActions, targetState, transitionFor } from "./transitions.ts";

/** The longest extension one request may ask for: a quarter of a year is a new plan, not an extension. */
export const MAX_EXTENSION_DAYS = 90;
/** A budget in calendar days (a working day counted as a day), for the extension cap. */
const extensionDays = (b: Budget) =>
  b.unit === "days" ? b.amount : b.unit === "hours" ? b.amount / 24 : b.amount / 1440;

export type Satisfaction = "satisfied" | "basically_satisfied" | "unsatisfied";

export interface CallbackResult {
  solved: boolean;
  /** null when the resident would not rate. */
  satisfaction: Satisfaction | null;
}

export interface EscalationTarget {
  level: "street" | "department";
  unitId: string;
}

export interface ExtensionRequest {
  requestedBy: string;
  at: Date;
  extra: Budget;
  reason: string;
}

/** Counters behind the rates (DESIGN §3): returns, reassignments, reworks and reopens spoil 首次办结. */
export interface OrderCounts {
  returns: number;
  reassigns: number;
  reworks: number;
  reopens: number;
  escalations: number;
  extensionsApproved: number;
  extensionsRefused: number;
}

export interface WorkOrder {
  id: string;
  status: OrderState;
  /** Bumped by every successful action; the caller's copy must match (optimistic concurrency). */
  version: number;
  track: Track;
  /** SLA anchors of the current cycle; see `MILESTONE_OF`. */
  milestones: Partial<Record<Milestone, Date>>;
  pauses: Pause[];
  extensions: Extension[];
  pendingExtension: ExtensionRequest | null;
  counts: OrderCounts;
  escalatedTo: EscalationTarget | null;
  mergedInto: string | null;
  lastCallback: CallbackResult | null;
}

export interface Actor {
  id: string;
  roles: readonly Role[];
}

export interface TransitionPayload {
  note?: string;
  reason?: string;
  /** dispatch / reassign: the grid, unit or person it goes to (kept in the event). */
  assignee?: string;
  escalateTo?: EscalationTarget;
  intoOrderId?: string;
  /** request_extension: how much more time. */
  extra?: Budget;
  /** approve_extension: the clock to lengthen; by default reply while planned, else resolve. */
  clock?: ClockName;
  /** close / reopen: what the callback found. */
  callback?: CallbackResult;
  expectedVersion?: number;
}

export interface TransitionEvent {
  action: OrderAction;
  from: OrderState;
  to: OrderState;
  actorId: string;
  at: Date;
  note: string | null;
  detail?: Record<string, unknown>;
}

export type TransitionError =
  | {
      code: "illegal_transition";
      message: string;
      action: OrderAction;
      state: OrderState;
      allowedActions: OrderAction[];
      allowedStates: OrderState[];
    }
  | { code: "forbidden"; message: string; action: OrderAction; requiredRoles: readonly Role[] }
  | { code: "invalid_payload"; message: string; action: OrderAction; field: string }
  | { code: "stale"; message: string; expectedVersion: number; actualVersion: number };

/** HTTP status per error code (DESIGN §5). */
export const TRANSITION_ERROR_STATUS: Record<TransitionError["code"], number> = {
  illegal_transition: 409,
  stale: 409,
  forbidden: 403,
  invalid_payload: 400,
};

export type TransitionResult =
  | { ok: true; order: WorkOrder; event: TransitionEvent }
  | { ok: false; error: TransitionError };

export function newWorkOrder(id: string, receivedAt: Date): WorkOrder {
  return {
    id,
    status: "received",
    version: 0,
    track: "simple",
    milestones: { received: receivedAt },
    pauses: [],
    extensions: [],
    pendingExtension: null,
    counts: {
      returns: 0,
      reassigns: 0,
      reworks: 0,
      reopens: 0,
      escalations: 0,
      extensionsApproved: 0,
      extensionsRefused: 0,
    },
    escalatedTo: null,
    mergedInto: null,
    lastCallback: null,
  };
}

/** The SLA milestone an action reaches; recorded only the first time in a cycle so re-dispatch does not reset clocks. */
const MILESTONE_OF: Partial<Record<OrderAction, Milestone>> = {
  dispatch: "dispatched",
  accept: "accepted",
  arrive: "on_site",
  plan: "planned",
  reply: "replied",
  resolve: "resolved",
};

type Check = { field: string; message: string } | null;

const need = (ok: unknown, field: string, message: string): Check => (ok ? null : { field, message });
const text = (s: string | undefined) => typeof s === "string" && s.trim().length > 0;

function validate(order: WorkOrder, action: OrderAction, p: TransitionPayload): Check {
  switch (action) {
    case "return":
    case "cancel":
    case "rework":
    case "refuse_extension":
      return need(text(p.reason), "reason", "a reason is required");
    case "pause":
      return (
        need(!isPaused(order), "pause", "the clock is already paused") ??
        need(text(p.reason), "reason", "a reason is required")
      );
    case "escalate":
      return (
        need(text(p.reason), "reason", "a reason is required") ??
        need(p.escalateTo && text(p.escalateTo.unitId), "escalateTo", "name the street or department")
      );
    case "merge":
      return need(
        text(p.intoOrderId) && p.intoOrderId !== order.id,
        "intoOrderId",
        "name another order to merge into",
      );
    case "request_extension":
      return (
        need(!order.pendingExtension, "extra", "an extension request is already pending") ??
        need(text(p.reason), "reason", "a reason is required") ??
        need(
          p.extra &&
            p.extra.amount > 0 &&
            Number.isFinite(p.extra.amount) &&
            extensionDays(p.extra) <= MAX_EXTENSION_DAYS,
          "extra",
          "ask for a positive amount of at most 90 days",
        )
      );
    case "approve_extension":
      return need(order.pendingExtension, "pendingExtension", "no extension request is pending");
    case "close":
      return need(p.callback, "callback", "record the callback result");
    case "reopen":
      return need(
        p.callback && (!p.callback.solved || p.callback.satisfaction === "unsatisfied"),
        "callback",
        "reopen needs an unsolved or unsatisfied callback",
      );
    case "resume":
      return need(isPaused(order), "pause", "the clock is not paused");
    default:
      return null;
  }
}

function isPaused(order: WorkOrder): boolean {
  return order.pauses.some((p) => !p.to);
}

function endOpenPause(pauses: Pause[], now: Date): Pause[] {
  return pauses.map((p) => (p.to ? p : { from: p.from, to: now }));
}

export function applyTransition(
  order: WorkOrder,
  action: OrderAction,
  actor: Actor,
  now: Date,
  payload: TransitionPayload = {},
): TransitionResult {
  if (payload.expectedVersion !== undefined && payload.expectedVersion !== order.version) {
    return fail({
      code: "stale",
      message: "the order changed since you loaded it",
      expectedVersion: payload.expectedVersion,
      actualVersion: order.version,
    });
  }
  const t = transitionFor(action);
  const from = order.status;
  if (!t.from.includes(from)) {
    const next = allowedActions(from);
    return fail({
      code: "illegal_transition",
      message: `cannot ${action} an order that is ${from} (${STATE_LABELS[from]})`,
      action,
      state: from,
      allowedActions: next,
      allowedStates: [...new Set(next.map((a) => targetState(transitionFor(a), from)))],
    });
  }
  if (!t.roles.some((r) => actor.roles.includes(r))) {
    return fail({
      code: "forbidden",
      message: `your role may not ${action}`,
      action,
      requiredRoles: t.roles,
    });
  }
  const bad = validate(order, action, payload);
  if (bad) return fail({ code: "invalid_payload", action, ...bad });

  const to = targetState(t, from);
  const next = step(cloneOrder(order), action, actor, now, payload);
  next.status = to;
  next.version = order.version + 1;
  // Progress means the resident answered and a pending request is moot once the order leaves the work states.
  if (to !== from) {
    next.pauses = endOpenPause(next.pauses, now);
    if (!["accepted", "on_site", "planned", "replied"].includes(to)) next.pendingExtension = null;
  }
  const event: TransitionEvent = {
    action,
    from,
    to,
    actorId: actor.id,
    at: now,
    note: payload.reason ?? payload.note ?? null,
  };
  const detail = eventDetail(action, order, payload);
  if (detail) event.detail = detail;
  return { ok: true, order: next, event };
}

/** The action's effect on counters, milestones and side records. */
function step(o: WorkOrder, action: OrderAction, actor: Actor, now: Date, p: TransitionPayload): WorkOrder {
  const milestone = MILESTONE_OF[action];
  if (milestone && !o.milestones[milestone]) o.milestones[milestone] = now;
  switch (action) {
    case "plan":
      o.track = "complex";
      break;
    case "reassign":
      o.counts.reassigns++;
      delete o.milestones.accepted;
      delete o.milestones.on_site;
      break;
    case "return":
      o.counts.returns++;
      delete o.milestones.accepted;
      delete o.milestones.on_site;
      break;
    case "rework":
      // The resolve clock runs again; a 12345 deadline still counts from the first dispatch.
      o.counts.reworks++;
      delete o.milestones.resolved;
      delete o.milestones.on_site;
      break;
    case "reopen":
      // A new cycle: everything after intake is done again, with fresh clocks.
      o.counts.reopens++;
      o.milestones = { received: o.milestones.received };
      o.track = "simple";
      o.lastCallback = p.callback ?? null;
      break;
    case "close":
      o.lastCallback = p.callback ?? null;
      break;
    case "escalate":
      o.counts.escalations++;
      o.escalatedTo = p.escalateTo ?? null;
      break;
    case "merge":
      o.mergedInto = p.intoOrderId ?? null;
      break;
    case "request_extension":
      o.pendingExtension = { requestedBy: actor.id, at: now, extra: p.extra!, reason: p.reason! };
      break;
    case "approve_extension": {
      const clock = p.clock ?? (o.status === "planned" ? "reply" : "resolve");
      o.extensions.push({ clock, extra: o.pendingExtension!.extra });
      o.counts.extensionsApproved++;
      o.pendingExtension = null;
      break;
    }
    case "refuse_extension":
      o.counts.extensionsRefused++;
      o.pendingExtension = null;
      break;
    case "pause":
      o.pauses.push({ from: now, to: null });
      break;
    case "resume":
      o.pauses = endOpenPause(o.pauses, now);
      break;
  }
  return o;
}

function eventDetail(
  action: OrderAction,
  before: WorkOrder,
  p: TransitionPayload,
): Record<string, unknown> | null {
  switch (action) {
    case "dispatch":
    case "reassign":
      return p.assignee ? { assignee: p.assignee } : null;
    case "escalate":
      return { escalateTo: p.escalateTo };
    case "merge":
      return { intoOrderId: p.intoOrderId };
    case "request_extension":
      return { extra: p.extra };
    case "approve_extension":
      return { extra: before.pendingExtension?.extra, clock: p.clock ?? null };
    case "close":
    case "reopen":
      return { callback: p.callback };
    default:
      return null;
  }
}

/** What the SLA engine needs to compute this order's deadlines. */
export function slaInputOf(order: WorkOrder, policy: SlaPolicy, now: Date): SlaInput {
  return {
    policy,
    milestones: order.milestones,
    track: order.track,
    pauses: order.pauses,
    extensions: order.extensions,
    now,
  };
}

function fail(error: TransitionError): TransitionResult {
  return { ok: false, error };
}

/**
 * A deep copy for `step` to change. Written out rather than structuredClone, which cost more than the
 * rest of a transition; the literal makes the compiler check every field is copied.
 */
export function cloneOrder(o: WorkOrder): WorkOrder {
  const milestones: WorkOrder["milestones"] = {};
  for (const [k, d] of Object.entries(o.milestones)) milestones[k as keyof typeof milestones] = new Date(d);
  return {
    id: o.id,
    status: o.status,
    version: o.version,
    track: o.track,
    milestones,
    pauses: o.pauses.map((p) =>
      p.to === undefined
        ? { from: new Date(p.from) }
        : { from: new Date(p.from), to: p.to && new Date(p.to) },
    ),
    extensions: o.extensions.map((e) => ({ clock: e.clock, extra: { ...e.extra } })),
    pendingExtension: o.pendingExtension
      ? { ...o.pendingExtension, extra: { ...o.pendingExtension.extra }, at: new Date(o.pendingExtension.at) }
      : null,
    counts: { ...o.counts },
    escalatedTo: o.escalatedTo ? { ...o.escalatedTo } : null,
    mergedInto: o.mergedInto,
    lastCallback: o.lastCallback ? { ...o.lastCallback } : null,
  };
}
