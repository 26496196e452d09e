// Work-order states, actions and roles of DESIGN §3 (GB/T 30428 case flow), with their Chinese labels.
import { ROLES as ACCOUNT_ROLES } from "../roles/roles.ts";

export const ORDER_STATES = [
  "received",
  "dispatched",
  "accepted",
  "on_site",
  "resolved",
  "planned",
  "replied",
  "callback",
  "closed",
  "returned",
  "escalated",
  "reopened",
  "merged",
  "cancelled",
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const STATE_LABELS: Record<OrderState, string> = {
  received: "受理",
  dispatched: "已派单",
  accepted: "已签收",
  on_site: "已到场",
  resolved: "已办结",
  planned: "已形成方案",
  replied: "已答复",
  callback: "待回访",
  closed: "已结案",
  returned: "已退单",
  escalated: "已吹哨",
  reopened: "重办",
  merged: "已合并",
  cancelled: "已作废",
};

/** No action leads out of these. */
export const FINAL_STATES: readonly OrderState[] = ["closed", "merged", "cancelled"];

// State groups, one place each: boards, queues, sweeps and Open311 all read these.

/** Still in the loop (the board's 在办): everything but the final states. */
export const ACTIVE_STATES: readonly OrderState[] = [
  "received",
  "dispatched",
  "accepted",
  "on_site",
  "planned",
  "replied",
  "returned",
  "escalated",
  "reopened",
  "resolved",
  "callback",
];
/** Work a grid still has to do: what a worker's phone queue lists. */
export const QUEUE_STATES: readonly OrderState[] = [
  "dispatched",
  "accepted",
  "on_site",
  "planned",
  "replied",
  "escalated",
  "reopened",
];
/** Where a missed deadline still matters (overdue filter). */
export const OVERDUE_STATES: readonly OrderState[] = [...QUEUE_STATES, "returned"];
/** Done from the resident's side: Open311 reports these as "closed". */
export const PUBLIC_CLOSED_STATES: readonly OrderState[] = [
  "resolved",
  "callback",
  "closed",
  "merged",
  "cancelled",
];

export const ORDER_ACTIONS = [
  "dispatch",
  "reassign",
  "accept",
  "arrive",
  "plan",
  "reply",
  "resolve",
  "verify",
  "rework",
  "close",
  "reopen",
  "return",
  "escalate",
  "merge",
  "cancel",
  "request_extension",
  "approve_extension",
  "refuse_extension",
  "pause",
  "resume",
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

export const ACTION_LABELS: Record<OrderAction, string> = {
  dispatch: "派单",
  reassign: "改派",
  accept: "签收",
  arrive: "到场",
  plan: "形成方案",
  reply: "答复",
  resolve: "办结",
  verify: "核查通过",
  rework: "返工",
  close: "结案",
  reopen: "重办",
  return: "退单",
  escalate: "吹哨",
  merge: "合并",
  cancel: "作废",
  request_extension: "申请延期",
  approve_extension: "批准延期",
  refuse_extension: "驳回延期",
  pause: "挂起（等待居民）",
  resume: "恢复计时",
};

/** Account roles plus "system": the sweeps and automatic routing act as no person. */
export const ROLES = [...ACCOUNT_ROLES, "system"] as const;
export type Role = (typeof ROLES)[number];

export function isOrderAction(value: string): value is OrderAction {
  return (ORDER_ACTIONS as readonly string[]).includes(value);
}

export function isOrderState(value: string): value is OrderState {
  return (ORDER_STATES as readonly string[]).includes(value);
}
