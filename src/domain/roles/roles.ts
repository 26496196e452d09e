// The account roles of DESIGN §3, with their Chinese names. One list for the whole product: the
// permission table (server/platform/roles.ts) and the workflow's transition table both build on it.

export const ROLES = [
  "sysadmin",
  "commander",
  "community_admin",
  "grid_head",
  "grid_worker",
  "doctor",
  "police",
  "agent",
  "volunteer",
  "resident",
  "hospital_liaison",
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  sysadmin: "系统管理员",
  commander: "指挥中心",
  community_admin: "社区管理员",
  grid_head: "网格长",
  grid_worker: "网格员",
  doctor: "家庭医生",
  police: "社区民警",
  agent: "热线坐席",
  volunteer: "志愿者",
  resident: "居民",
  hospital_liaison: "医院联络员",
};
