import { definePolicy, permits } from "../../platform/policy.ts";

// The campaigns module's rules in words. Scope is in the queries: a campaign neither above nor inside the
// caller's unit, or a household not assigned to the member, is 404.

export const campaignPolicy = definePolicy<{
  /** Progress, households and results. */
  read: undefined;
  /** Launching, the questionnaire, reassigning, export. */
  manage: undefined;
  /** A member at the door: their households and their phone's records. */
  field: undefined;
}>(
  {
    read: (who) => permits(who, "campaign.read"),
    manage: (who) => permits(who, "campaign.manage"),
    field: (who) => permits(who, "campaign.field"),
  },
  {
    read: "当前角色不能查看敲门行动",
    manage: "只有街道或社区可以发起和调整敲门行动",
    field: "只有网格员可以登记入户结果",
  },
);
