import { definePolicy, permits } from "../../platform/policy.ts";

// Who may do what with the resident registry. Which residents is not a rule here: every query carries the
// caller's subtree (platform/access.ts), and a resident, household or building outside it is 404.

export const residentPolicy = definePolicy<{
  read: undefined;
  write: undefined;
  reveal: undefined;
  export: undefined;
  stats: undefined;
  import: undefined;
}>(
  {
    /** Staff read the registry of their subtree; a volunteer does not. */
    read: (who) => permits(who, "resident.read"),
    /** The community and the grid keep the registry; the command center and the hotline only read it. */
    write: (who) => permits(who, "resident.write"),
    /** A full ID number or phone, for those who must call or identify a person (never the big screen). */
    reveal: (who) => permits(who, "resident.reveal"),
    /** A list of people leaves the system only for the unit heads, masked. */
    export: (who) => permits(who, "resident.export"),
    /** Population counts of a unit: whoever may read the registry of it. */
    stats: (who) => permits(who, "resident.read"),
    /** A community roster into the registry: whoever keeps the registry (the community is checked apart). */
    import: (who) => permits(who, "resident.write"),
  },
  {
    read: "当前角色不能查看居民信息",
    write: "当前角色不能登记或修改居民信息",
    reveal: "当前角色不能查看完整证件号或手机号",
    export: "当前角色不能导出居民名单",
    stats: "当前角色不能查看人口统计",
    import: "当前角色不能导入居民花名册",
  },
);
