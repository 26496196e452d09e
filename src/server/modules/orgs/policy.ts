import { definePolicy, permits } from "../../platform/policy.ts";

// The org tree: who may walk it. Which units is not a rule here: every query carries the caller's subtree,
// and a unit outside it is 404 like a missing one.

export const orgPolicy = definePolicy<{ read: undefined }>(
  {
    /** Every staff role and the volunteer walk the tree of their own subtree (a volunteer picks a place). */
    read: (who) => permits(who, "org.read"),
  },
  { read: "当前角色不能查看组织架构" },
);
