import type { OrderAction } from "../../../domain/workflow/index.ts";
import type { Principal } from "../../context.ts";
import { atDistrictLevel, definePolicy, hasRole, permits } from "../../platform/policy.ts";

// Who may do what with a work order, beyond the transition table's roles (domain/workflow/transitions.ts)
// and the scope every query carries (outside it an order is 404). Each rule is named and stands alone.

/** What the rules read of an order. */
export interface OrderFacts {
  assigneeId: number | null;
  /** The role that owns the order's category (grid_worker, doctor, police, …). */
  categoryOwnerRole: string;
  /** The family doctor of the resident the order is about, if any. */
  residentDoctorId: number | null;
}

/** Roles that work only their own speciality: a doctor's medical orders, the police's safety orders. */
const SPECIALISTS = ["doctor", "police"];
/** Roles that oversee the grid's work and may step in on an order someone else accepted. */
const SUPERVISORS = ["sysadmin", "commander", "community_admin", "grid_head", "agent"];
/** Steps taken on the order in hand: once someone has accepted it, these are theirs (or a supervisor's). */
const HANDS_ON: readonly OrderAction[] = [
  "arrive",
  "plan",
  "reply",
  "resolve",
  "return",
  "request_extension",
  "pause",
  "resume",
];

/**
 * A specialist acts only on orders of their own category; a doctor, moreover, only on orders about a
 * resident they are the family doctor of (a street-scoped doctor must not take a sanitation order).
 */
function specialityAllows(who: Principal, o: OrderFacts): boolean {
  if (!hasRole(who, ...SPECIALISTS)) return true;
  if (o.categoryOwnerRole !== who.role) return false;
  return who.role !== "doctor" || o.residentDoctorId === who.id;
}

/** Taking any step at all; the transition table then says which steps the role may take. */
const act = (who: Principal, o: OrderFacts) =>
  who.kind === "system" || (permits(who, "order.act") && specialityAllows(who, o));

/** Only the assignee, or someone who oversees the grid, works an order that has been accepted. */
const handsOn = (who: Principal, o: OrderFacts) =>
  act(who, o) &&
  (who.kind !== "account" ||
    o.assigneeId === null ||
    o.assigneeId === who.id ||
    hasRole(who, ...SUPERVISORS));

export const orderPolicy = definePolicy<{
  read: undefined;
  create: undefined;
  act: OrderFacts;
  handsOn: OrderFacts;
  attach: OrderFacts;
}>(
  {
    read: (who) => permits(who, "order.read"),
    /** Accounts whose role files orders, Open311 clients (their key's unit) and the system (care alerts). */
    create: (who) => permits(who, "order.create") || who.kind === "open311" || who.kind === "system",
    act,
    handsOn,
    attach: handsOn,
  },
  {
    read: "当前角色不能查看工单",
    create: "当前角色不能受理工单",
    act: "您不能处理该工单（非本专业或非签约居民的工单）",
    handsOn: "该工单已由他人签收，只有签收人或网格长可以继续办理",
    attach: "只有签收人或网格长可以上传该工单的照片",
  },
);

/** The rule an action falls under. */
export const ruleFor = (action: OrderAction) => (HANDS_ON.includes(action) ? "handsOn" : "act");

/** Whether the principal may take this action on this order (the transition table is checked separately). */
export const mayTake = (who: Principal, action: OrderAction, o: OrderFacts) =>
  orderPolicy.can(who, ruleFor(action), o);

/** The request taxonomy: everyone who files or works orders reads it; the district edits it. */
export const categoryPolicy = definePolicy<{ read: undefined; readAll: undefined; manage: undefined }>(
  {
    read: (who) => permits(who, "order.read") || permits(who, "order.create"),
    readAll: (who) => permits(who, "category.manage"),
    manage: (who) => permits(who, "category.manage") && atDistrictLevel(who),
  },
  {
    read: "当前角色不能查看诉求分类",
    readAll: "当前角色不能查看停用的分类",
    manage: "诉求分类由区级统一维护，街道可查看",
  },
);
