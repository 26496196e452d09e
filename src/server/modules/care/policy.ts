import type { Principal } from "../../context.ts";
import { atDistrictLevel, definePolicy, hasRole, permits } from "../../platform/policy.ts";

// Who may do what in the care module. Role permissions come from platform/roles.ts; the rules over a row
// (the family doctor's own residents, the liaison's own hospital) are named here, so services never test
// `actor.role` themselves. Scope (which subtree) is in every query: outside it a record is 404.

/** What the rules read of a resident: their family doctor (the plan's, else the contract's), if any. */
export interface ResidentFacts {
  doctorId: number | null;
}

/**
 * A family doctor acts only on residents they are the doctor of, or on residents nobody is the doctor of yet
 * (an alert nobody is addressed to is picked up by whoever answers it). Other care roles are bounded by scope.
 */
const ownResident = (who: Principal, r: ResidentFacts) =>
  !hasRole(who, "doctor") || r.doctorId === null || r.doctorId === who.id;

/** The ledger, plans, due visits, teams and cards. */
export const carePolicy = definePolicy<{
  read: undefined;
  write: undefined;
  assign: undefined;
  manage: undefined;
  manageHospitals: undefined;
}>(
  {
    read: (who) => permits(who, "care.read"),
    write: (who) => permits(who, "care.write"),
    /** Who looks after whom is the community's and the grid head's call, not the assignee's own. */
    assign: (who) => permits(who, "care.assign"),
    manage: (who) => permits(who, "care.manage"),
    /** The referral hospitals are one list for the district. */
    manageHospitals: (who) => permits(who, "care.manage") && atDistrictLevel(who),
  },
  {
    read: "当前角色不能查看关爱台账",
    write: "当前角色不能记录走访或标签",
    assign: "责任网格员和家庭医生由社区或网格长指派",
    manage: "当前角色不能管理关爱设置",
    manageHospitals: "转诊医院名单由区级管理员维护",
  },
);

/** Health data (readings, alerts, follow-ups, contracts): care roles in scope only, every read audited. */
export const healthPolicy = definePolicy<{
  read: undefined;
  write: undefined;
  actOn: ResidentFacts;
  signAs: { doctorId: number };
  seeEveryAlert: undefined;
}>(
  {
    read: (who) => permits(who, "health.read"),
    write: (who) => permits(who, "health.write"),
    /** Follow-ups, acknowledging alerts and referring: a doctor only for their own residents. */
    actOn: (who, r) => permits(who, "health.read") && ownResident(who, r),
    /** A doctor signs contracts in their own name; the community may sign for any doctor in reach. */
    signAs: (who, c) => permits(who, "health.write") && (!hasRole(who, "doctor") || c.doctorId === who.id),
    /** A doctor's alert list holds the alerts addressed to them or to nobody; care staff see all in scope. */
    seeEveryAlert: (who) => permits(who, "health.read") && !hasRole(who, "doctor"),
  },
  {
    read: "当前角色不能查看健康信息",
    write: "当前角色不能记录随访或签约",
    actOn: "该居民已有其他签约家庭医生，您不能为其处理",
    signAs: "家庭医生只能以本人名义签约",
    seeEveryAlert: "当前角色只能查看本人的预警",
  },
);

/**
 * Referrals are read by care roles in scope and by a hospital's liaison, who never opens the rest of the
 * health record. Which steps a role may take is the domain's table (domain/care/referrals.ts).
 */
export const referralPolicy = definePolicy<{ read: undefined; request: ResidentFacts }>(
  {
    read: (who) => permits(who, "referral.read"),
    request: (who, r) => healthPolicy.can(who, "actOn", r),
  },
  {
    read: "当前角色不能查看转诊",
    request: "该居民已有其他签约家庭医生，您不能为其申请转诊",
  },
);

/**
 * A hospital's liaison sees only the referrals to their own hospital (none without one): the service adds the
 * hospital to the query, so another hospital's referral is 404 like a missing one.
 */
export const readsAsHospital = (who: Principal) => hasRole(who, "hospital_liaison");

/** A doctor signing a contract without naming the doctor signs in their own name. */
export const signsForSelf = (who: Principal) => hasRole(who, "doctor");

/** The doctor who acknowledges an alert nobody was addressed to takes it on. */
export const claimsAlerts = (who: Principal) => hasRole(who, "doctor");

/**
 * A visit's photos are added by whoever recorded it (they took them), or by the community's admin filing them
 * afterwards; a colleague cannot add to someone else's record.
 */
export const visitPolicy = definePolicy<{ attach: { visitorId: number } }>(
  {
    attach: (who, v) =>
      permits(who, "care.write") && (v.visitorId === who.id || hasRole(who, "sysadmin", "community_admin")),
  },
  { attach: "只有记录该走访的人员可以添加照片" },
);
