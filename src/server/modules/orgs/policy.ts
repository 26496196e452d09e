import type { Principal } from "../../context.ts";
import { definePolicy, permits } from "../../platform/policy.ts";

// The org tree: who may walk it. Which units is not a rule here: every query carries the caller's subtree,
// and a unit outside it is 404 like a missing one.

export const orgPolicy = definePolicy<{ read: undefined; setDutyPhone: { kind: string } }>(
  {
    /** Every staff role and the volunteer walk the tree of their own subtree (a volunteer picks a place). */
    read: (who) => permits(who, "org.read"),
    /** A community's on-duty hotline is kept by whoever keeps its care team; only communities have one. */
    setDutyPhone: (who: Principal, u) =>
      (permits(who, "care.manage") || permits(who, "account.manage")) && u.kind === "community",
  },
  {
    read: "当前角色不能查看组织架构",
    setDutyPhone: "社区值班电话由社区管理员维护，且只能设在社区",
  },
);
