import { atDistrictLevel, definePolicy, permits } from "../../platform/policy.ts";

// Who sees the command center. Which units is not a rule here: the dashboard of a unit outside the caller's
// subtree is 404, and every figure is counted inside the unit asked for. The city scope shows other districts'
// figures, so it is for a commander at the top of the tree only (a street's commander sees their own district).
export const commandPolicy = definePolicy<{ read: undefined; city: undefined }>(
  {
    read: (who) => permits(who, "command.read"),
    city: (who) => permits(who, "command.city") && atDistrictLevel(who),
  },
  { read: "当前角色不能查看指挥中心", city: "只有区级指挥中心可以查看全市汇总" },
);
