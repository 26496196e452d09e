import type { Principal } from "../../context.ts";
import { definePolicy, permits } from "../../platform/policy.ts";

// Who reads the audit log, and how much of an entry. Which entries is not a rule here: the query carries the
// reader's subtree, so a community admin reads only what happened in their community.

/** Entities whose entries carry health facts in their before/after (a visit's alert level, a referral). */
export const HEALTH_ENTITIES: readonly string[] = [
  "care_visit",
  "care_alert",
  "care_consultation",
  "referral",
  "doctor_contract",
  "resident_health",
];

/** What the rules read of an audit entry. */
export interface AuditFacts {
  entity: string;
}

export const auditPolicy = definePolicy<{ read: undefined; readDetails: AuditFacts }>(
  {
    /** The command center, the community and a sysadmin answer for what was done in their area. */
    read: (who) => permits(who, "audit.read"),
    /**
     * An entry's before/after: shown in full, except that health facts stay with those who may read health
     * data (a commander sees that a visit raised an alert, and who recorded it, not its level).
     */
    readDetails: (who: Principal, e: AuditFacts) =>
      permits(who, "audit.read") && (!HEALTH_ENTITIES.includes(e.entity) || permits(who, "health.read")),
  },
  { read: "当前角色不能查看审计日志", readDetails: "当前角色不能查看该记录的健康信息" },
);
