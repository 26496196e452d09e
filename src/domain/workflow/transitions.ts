// The transition table: the only moves an order can make, and who may make them. Row-level checks
// (is this the assigned worker, is the order in the caller's subtree) belong to the service's policy.
import type { OrderAction, OrderState, Role } from "./states.ts";

export interface Transition {
  action: OrderAction;
  from: readonly OrderState[];
  /** "same" for actions that act on the order without moving it (extensions, pauses). */
  to: OrderState | "same";
  roles: readonly Role[];
}

/** Whoever routes orders: hotline desk, command center, community office, grid head, auto-routing. */
const DISPATCHERS: readonly Role[] = ["agent", "commander", "community_admin", "grid_head", "system"];
/** Whoever works an order; community and street take orders that fall to them (属地兜底). */
const HANDLERS: readonly Role[] = [
  "grid_worker",
  "grid_head",
  "community_admin",
  "commander",
  "doctor",
  "police",
  "volunteer",
];
/** Who checks a result 核查 and rules on extensions: the dispatcher, or the community for its grids. */
const SUPERVISORS: readonly Role[] = ["agent", "commander", "community_admin", "grid_head"];
/** A callback is made by the desk or answered by the resident on the public status page. */
const CALLBACK: readonly Role[] = [
  "agent",
  "commander",
  "community_admin",
  "grid_head",
  "resident",
  "system",
];

const WORKING: readonly OrderState[] = ["accepted", "on_site", "planned", "replied"];

export const TRANSITIONS: readonly Transition[] = [
  {
    action: "dispatch",
    from: ["received", "returned", "reopened", "escalated"],
    to: "dispatched",
    roles: DISPATCHERS,
  },
  { action: "reassign", from: ["dispatched", "accepted"], to: "dispatched", roles: DISPATCHERS },
  { action: "accept", from: ["dispatched", "escalated"], to: "accepted", roles: HANDLERS },
  { action: "arrive", from: ["accepted"], to: "on_site", roles: HANDLERS },
  { action: "plan", from: ["accepted", "on_site"], to: "planned", roles: HANDLERS },
  { action: "reply", from: ["planned"], to: "replied", roles: HANDLERS },
  { action: "resolve", from: ["on_site", "replied"], to: "resolved", roles: HANDLERS },
  { action: "verify", from: ["resolved"], to: "callback", roles: SUPERVISORS },
  { action: "rework", from: ["resolved"], to: "accepted", roles: SUPERVISORS },
  { action: "close", from: ["callback"], to: "closed", roles: CALLBACK },
  { action: "reopen", from: ["callback"], to: "reopened", roles: CALLBACK },
  { action: "return", from: ["dispatched", "accepted"], to: "returned", roles: HANDLERS },
  {
    action: "escalate",
    from: ["dispatched", "accepted", "on_site", "planned", "replied", "returned"],
    to: "escalated",
    // system: the overdue sweep escalates by itself
    roles: ["grid_worker", "grid_head", "community_admin", "commander", "system"],
  },
  {
    action: "merge",
    from: ["received", "dispatched", "returned", "escalated", "reopened"],
    to: "merged",
    roles: ["agent", "commander", "community_admin", "grid_head"],
  },
  {
    action: "cancel",
    from: ["received", "dispatched", "returned", "escalated"],
    to: "cancelled",
    roles: ["agent", "commander", "community_admin", "sysadmin"],
  },
  { action: "request_extension", from: WORKING, to: "same", roles: HANDLERS },
  { action: "approve_extension", from: WORKING, to: "same", roles: SUPERVISORS },
  { action: "refuse_extension", from: WORKING, to: "same", roles: SUPERVISORS },
  { action: "pause", from: ["dispatched", ...WORKING], to: "same", roles: [...HANDLERS, "agent"] },
  { action: "resume", from: ["dispatched", ...WORKING], to: "same", roles: [...HANDLERS, "agent", "system"] },
];

const BY_ACTION = new Map(TRANSITIONS.map((t) => [t.action, t]));

export function transitionFor(action: OrderAction): Transition {
  const t = BY_ACTION.get(action);
  if (!t) throw new Error(`no transition for action ${action}`);
  return t;
}

export function targetState(t: Transition, from: OrderState): OrderState {
  return t.to === "same" ? from : t.to;
}

/** Actions possible from a state; with roles, only those one of the roles may take. */
export function allowedActions(state: OrderState, roles?: readonly Role[]): OrderAction[] {
  return TRANSITIONS.filter(
    (t) => t.from.includes(state) && (!roles || t.roles.some((r) => roles.includes(r))),
  ).map((t) => t.action);
}
