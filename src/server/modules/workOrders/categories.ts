import type { Database } from "../../../db/client.ts";
import { csvField } from "../../../db/client.ts";
import { nameInitials } from "../../../domain/people/pinyin.ts";

// The seeded request taxonomy. Each category names its default SLA policy (DESIGN §3) and the role or
// department that owns it; admins can edit names, policies and owners later.
export const DEFAULT_CATEGORIES: {
  code: string;
  name: string;
  slaPolicy: string;
  ownerRole: string;
  department: string;
}[] = [
  {
    code: "sanitation",
    name: "环境卫生",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "城管局环卫处",
  },
  {
    code: "municipal",
    name: "市政设施",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "市政和园林局",
  },
  {
    code: "property",
    name: "物业服务",
    slaPolicy: "52022",
    ownerRole: "grid_worker",
    department: "物业服务社",
  },
  {
    code: "utilities",
    name: "水电气维修",
    slaPolicy: "52022",
    ownerRole: "grid_worker",
    department: "物业服务社",
  },
  {
    code: "neighbour_dispute",
    name: "邻里纠纷",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "司法所人民调解",
  },
  {
    code: "medical",
    name: "用药咨询/就医",
    slaPolicy: "care-urgent",
    ownerRole: "doctor",
    department: "社区卫生服务中心",
  },
  {
    code: "elderly_care",
    name: "养老助残",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "民政局",
  },
  { code: "public_safety", name: "治安隐患", slaPolicy: "12345", ownerRole: "police", department: "派出所" },
  {
    code: "illegal_building",
    name: "违法建设",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "城管执法大队",
  },
  {
    code: "parking_traffic",
    name: "停车交通",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "交警大队",
  },
  { code: "noise", name: "噪声扰民", slaPolicy: "12345", ownerRole: "grid_worker", department: "生态环境局" },
  {
    code: "enterprise",
    name: "企业求助",
    slaPolicy: "12345",
    ownerRole: "community_admin",
    department: "营商环境办",
  },
  {
    code: "fire_safety",
    name: "消防安全",
    slaPolicy: "52022",
    ownerRole: "grid_worker",
    department: "消防救援大队",
  },
  {
    code: "other",
    name: "其他",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "街道综合指挥中心",
  },
];

export async function seedCategories(database: Database): Promise<void> {
  const [{ n }] = await database.query<{ n: number }>("select count(*)::int as n from categories");
  if (n > 0) return;
  const csv = DEFAULT_CATEGORIES.map((c, i) =>
    [c.code, c.name, nameInitials(c.name), c.slaPolicy, c.ownerRole, c.department, i].map(csvField).join(","),
  ).join("\n");
  await database.copyCsv(
    "categories",
    ["code", "name", "initials", "sla_policy", "owner_role", "department", "sort_order"],
    csv,
  );
}
