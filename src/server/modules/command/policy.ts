import { definePolicy, permits } from "../../platform/policy.ts";

// Who sees the command center. Which units is not a rule here: the dashboard of a unit outside the caller's
// subtree is 404, and every figure is counted inside the unit asked for.
export const commandPolicy = definePolicy<{ read: undefined }>(
  { read: (who) => permits(who, "command.read") },
  { read: "当前角色不能查看指挥中心" },
);
