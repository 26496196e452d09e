import type { Database } from "../../../db/client.ts";
import { csvField } from "../../../db/client.ts";
import { nameInitials } from "../../../domain/people/pinyin.ts";
import { BUILTIN_POLICIES, findPolicy } from "../../../domain/sla/index.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { readThrough } from "../../platform/cache.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import { ROLES } from "../../platform/roles.ts";
import { type Static, Str, StrOrNull, Type } from "../../platform/schemas.ts";
import { categoryPolicy } from "./policy.ts";

export const CATEGORY_VISIBILITIES = ["public", "private", "hidden"] as const;
export type CategoryVisibility = (typeof CATEGORY_VISIBILITIES)[number];

// The seeded request taxonomy. Each category names its default SLA policy (DESIGN §3) and the role or
// department that owns it; admins can edit names, policies and owners later.
export const DEFAULT_CATEGORIES: {
  code: string;
  name: string;
  slaPolicy: string;
  ownerRole: string;
  department: string;
  /** What strangers see (see the categories table): health, safety and family matters are not public. */
  visibility?: CategoryVisibility;
  publicWording?: string;
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
    visibility: "private",
    publicWording: "邻里纠纷调解",
  },
  {
    code: "medical",
    name: "用药咨询/就医",
    slaPolicy: "care-urgent",
    ownerRole: "doctor",
    department: "社区卫生服务中心",
    visibility: "hidden",
    publicWording: "医疗健康服务",
  },
  {
    code: "elderly_care",
    name: "养老助残",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "民政局",
    visibility: "private",
    publicWording: "养老助残服务",
  },
  {
    code: "public_safety",
    name: "治安隐患",
    slaPolicy: "12345",
    ownerRole: "police",
    department: "派出所",
    visibility: "private",
    publicWording: "治安隐患（已转公安处理）",
  },
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
    [
      c.code,
      c.name,
      nameInitials(c.name),
      c.slaPolicy,
      c.ownerRole,
      c.department,
      i,
      c.visibility ?? "public",
      c.publicWording ?? null,
    ]
      .map(csvField)
      .join(","),
  ).join("\n");
  await database.copyCsv(
    "categories",
    [
      "code",
      "name",
      "initials",
      "sla_policy",
      "owner_role",
      "department",
      "sort_order",
      "visibility",
      "public_wording",
    ],
    csv,
  );
}

export interface CategoryInput {
  code?: string;
  name?: string;
  slaPolicy?: string;
  ownerRole?: string;
  department?: string | null;
  active?: boolean;
  sortOrder?: number;
  visibility?: CategoryVisibility;
  publicWording?: string | null;
}

/** What intake needs of a category, read through a short cache (every create names one). */
export interface CategoryRef {
  id: number;
  name: string;
  slaPolicy: string;
  ownerRole: string;
  active: boolean;
}
const byCode = readThrough<string, CategoryRef>({ max: 1000, ttlMs: 30_000 });

export function categoryByCode(database: Database, code: string): Promise<CategoryRef | undefined> {
  return byCode.get(database, code, async () => {
    const [c] = await database.query<CategoryRef>(
      `select id, name, sla_policy as "slaPolicy", owner_role as "ownerRole", active from categories where code = $1`,
      [code],
    );
    return c;
  });
}

const CATEGORY_COLUMNS = `id, code, name, initials, sla_policy as "slaPolicy", owner_role as "ownerRole", department, active,
  sort_order as "sortOrder", visibility, public_wording as "publicWording"`;

/** Active categories (all, for admins), optionally filtered by name or pinyin initials ("hjws" → 环境卫生). */
export async function listCategories(ctx: AppContext, actor: Actor, q?: string, includeInactive = false) {
  categoryPolicy.authorize(actor, includeInactive ? "readAll" : "read");
  const term = q?.trim().toLowerCase();
  const conds = [includeInactive ? "true" : "active"];
  const params: unknown[] = [];
  if (term) {
    conds.push(
      `(name like $${params.push(`%${term.replace(/[\\%_]/g, "")}%`)} or initials like $${params.push(`${term.replace(/[^a-z]/g, "")}%`)})`,
    );
  }
  return ctx.database.query<Category>(
    `select ${CATEGORY_COLUMNS} from categories where ${conds.join(" and ")} order by sort_order, id`,
    params,
  );
}

function checkCategory(input: CategoryInput) {
  const fields: { field: string; message: string }[] = [];
  // The schema's minLength lets "   " through, which would be stored as an empty name.
  if (input.name !== undefined && !input.name.trim())
    fields.push({ field: "name", message: "名称: 不能为空" });
  if (input.slaPolicy !== undefined && !findPolicy(input.slaPolicy)) {
    fields.push({
      field: "slaPolicy",
      message: `时限规则: 须为 ${BUILTIN_POLICIES.map((p) => p.id).join("、")} 之一`,
    });
  }
  if (input.ownerRole !== undefined && !(ROLES as readonly string[]).includes(input.ownerRole)) {
    fields.push({ field: "ownerRole", message: "责任角色: 未知角色" });
  }
  if (input.code !== undefined && !/^[a-z][a-z0-9_]{1,39}$/.test(input.code)) {
    fields.push({ field: "code", message: "编码: 须为小写字母开头的字母、数字或下划线" });
  }
  if (input.visibility !== undefined && input.visibility !== "public" && input.publicWording === "")
    fields.push({ field: "publicWording", message: "公开措辞: 不公开内容的分类须填写对外显示的措辞" });
  if (fields.length) throw Invalid(fields.map((f) => f.message).join("；"), fields);
}

export async function createCategory(
  ctx: AppContext,
  actor: Actor,
  input: Required<Pick<CategoryInput, "code" | "name" | "slaPolicy" | "ownerRole">> & CategoryInput,
) {
  categoryPolicy.authorize(actor, "manage");
  checkCategory(input);
  // ON CONFLICT, not a prior SELECT: two admins adding the same code at once get one 201 and one 409.
  const [row] = await ctx.database.query<{ id: number }>(
    `insert into categories (code, name, initials, sla_policy, owner_role, department, sort_order, visibility, public_wording)
     values ($1, $2, $3, $4, $5, $6, coalesce($7, (select coalesce(max(sort_order), 0) + 1 from categories)), $8, $9)
     on conflict (code) do nothing returning id`,
    [
      input.code,
      input.name.trim(),
      nameInitials(input.name.trim()),
      input.slaPolicy,
      input.ownerRole,
      input.department ?? null,
      input.sortOrder ?? null,
      input.visibility ?? "public",
      input.publicWording?.trim() || null,
    ],
  );
  if (!row)
    throw Conflict("分类编码已存在", {
      fields: [{ field: "code", message: "编码: 已被其他分类使用（含已停用的分类）" }],
    });
  byCode.forget(ctx.database);
  await audit.record(ctx.database.db, actor, {
    action: "create",
    entity: "category",
    entityId: row.id,
    orgPath: actor.orgPath,
    after: input,
  });
  return row;
}

export async function updateCategory(ctx: AppContext, actor: Actor, id: number, input: CategoryInput) {
  categoryPolicy.authorize(actor, "manage");
  checkCategory(input);
  const [before] = await ctx.database.query<Record<string, unknown>>(
    `select ${CATEGORY_COLUMNS} from categories where id = $1`,
    [id],
  );
  if (!before) throw NotFound("分类不存在");
  const name = input.name?.trim();
  await ctx.database.query(
    `update categories set name = coalesce($2, name), initials = coalesce($3, initials), sla_policy = coalesce($4, sla_policy),
       owner_role = coalesce($5, owner_role), department = case when $6::boolean then $7 else department end,
       active = coalesce($8, active), sort_order = coalesce($9, sort_order), visibility = coalesce($10, visibility),
       public_wording = case when $11::boolean then $12 else public_wording end, updated_at = now() where id = $1`,
    [
      id,
      name ?? null,
      name ? nameInitials(name) : null,
      input.slaPolicy ?? null,
      input.ownerRole ?? null,
      input.department !== undefined,
      input.department ?? null,
      input.active ?? null,
      input.sortOrder ?? null,
      input.visibility ?? null,
      input.publicWording !== undefined,
      input.publicWording?.trim() || null,
    ],
  );
  byCode.forget(ctx.database);
  const [after] = await ctx.database.query<Category>(
    `select ${CATEGORY_COLUMNS} from categories where id = $1`,
    [id],
  );
  await audit.record(ctx.database.db, actor, {
    action: "update",
    entity: "category",
    entityId: id,
    orgPath: actor.orgPath,
    before,
    after,
  });
  return after;
}

/** The services an Open311 client may list and file: active categories that are not hidden from the public. */
export function listServices(database: Database) {
  return database.query<{ code: string; name: string; department: string | null }>(
    "select code, name, department from categories where active and visibility <> 'hidden' order by sort_order, id",
  );
}

export const CategorySchema = Type.Object({
  id: Type.Integer(),
  code: Str,
  name: Str,
  initials: Str,
  slaPolicy: Str,
  ownerRole: Str,
  department: StrOrNull,
  active: Type.Boolean(),
  sortOrder: Type.Integer(),
  visibility: Str,
  publicWording: StrOrNull,
});
export type Category = Static<typeof CategorySchema>;
