import { definePolicy, permits } from "../../platform/policy.ts";

// Community affairs' rules in words. Scope (which subtree) is in the queries: a project, topic, key project,
// enterprise or inspection outside the caller's subtree is 404, and an enterprise outside the inspector's own
// campaign assignments is 404 to that inspector.

export const affairsPolicy = definePolicy<{
  /** Lists, boards, registers and summaries. */
  read: undefined;
  /** Publishing lists, running meetings, key projects, the register, templates and campaigns. */
  manage: undefined;
  /** Collecting proposals 征集, putting a topic on the table, recording a household's vote. */
  propose: undefined;
  /** Checking an enterprise with the checklist, re-inspecting. */
  inspect: undefined;
}>(
  {
    read: (who) => permits(who, "affairs.read"),
    manage: (who) => permits(who, "affairs.manage"),
    propose: (who) => permits(who, "affairs.propose"),
    inspect: (who) => permits(who, "inspection.perform"),
  },
  {
    read: "当前角色不能查看社区事务",
    manage: "只有街道、社区可以发布和管理社区事务",
    propose: "当前角色不能征集项目或提出议题",
    inspect: "当前角色不能检查企业",
  },
);
