import { atDistrictLevel, definePolicy, permits } from "../../platform/policy.ts";

// Who reads the five rates and the red/black list, and who sets its weights. Which units is not a rule
// here: a unit outside the caller's subtree is 404, and the list ranks only the communities inside it.

export const ratesPolicy = definePolicy<{
  read: undefined;
  readWeights: undefined;
  manageWeights: undefined;
}>(
  {
    /** Unit heads and the command center read rates; a grid worker works orders, not league tables. */
    read: (who) => permits(who, "rates.read"),
    /** Whoever reads a ranking may see what it was weighted by. */
    readWeights: (who) => permits(who, "rates.read"),
    /**
     * The weights are one setting for the whole district, so every street is ranked alike: only the district
     * (or a sysadmin) changes them; a street commander reads them.
     */
    manageWeights: (who) => permits(who, "rates.manage") && atDistrictLevel(who),
  },
  {
    read: "当前角色不能查看五率与红黑榜",
    readWeights: "当前角色不能查看红黑榜权重",
    manageWeights: "红黑榜权重由区级统一设置，街道可查看",
  },
);
