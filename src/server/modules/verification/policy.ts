import type { Principal } from "../../context.ts";
import { canSee } from "../../platform/access.ts";
import { definePolicy, permits } from "../../platform/policy.ts";

/**
 * Lists are imported and managed by district, street and community admins in their own area; a list
 * imported above a unit is seen there only through its rows inside the unit. Tasks are done by the grid's
 * own workers and head (the query limits them to their grid; outside it, 404).
 */
export const verificationPolicy = definePolicy<{
  manage: undefined;
  /** A list whose area is inside the caller's (start, cancel). */
  changeList: { orgPath: string };
  task: undefined;
  reveal: undefined;
}>(
  {
    manage: (who) => permits(who, "verification.manage"),
    changeList: (who, list) => permits(who, "verification.manage") && canSee(who, list.orgPath),
    task: (who) => permits(who, "verification.task"),
    reveal: (who) => permits(who, "resident.reveal"),
  },
  {
    manage: "只有区、街道、社区管理员可以导入和查看核查名单",
    changeList: "只能操作本辖区导入的核查名单",
    task: "只有网格员、网格长和社区管理员可以登记核查结果",
    reveal: "当前角色不能查看完整证件号码和电话",
  },
);

export const isAccount = (who: Principal) => who.kind === "account";
