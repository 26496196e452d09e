import type { Database } from "../../../db/client.ts";
import { nameInitials } from "../../../domain/people/pinyin.ts";
import { searchCategories } from "../../../domain/search/categories.ts";
import { fullPinyin } from "../../../domain/search/pinyin.ts";
import { BUILTIN_POLICIES, findPolicy } from "../../../domain/sla/index.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { readThrough } from "../../platform/cache.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import { ROLES } from "../../platform/roles.ts";
import { IntOrNull, type Static, Str, StrOrNull, Type } from "../../platform/schemas.ts";
import { categoryPolicy } from "./policy.ts";

export const CATEGORY_VISIBILITIES = ["public", "private", "hidden"] as const;
export type CategoryVisibility = (typeof CATEGORY_VISIBILITIES)[number];

// The seeded request taxonomy, two levels as the 12345 hotline files them (类别 → 子类). Each category names
// its default SLA policy (DESIGN §3) and the role or department that owns it; a subcategory takes its
// parent's unless it says otherwise. Synonyms are the words callers use ("楼道灯" for 路灯照明). Admins can
// edit all of it later.
interface DefaultCategory {
  code: string;
  name: string;
  slaPolicy: string;
  ownerRole: string;
  department: string;
  /** What strangers see (see the categories table): health, safety and family matters are not public. */
  visibility?: CategoryVisibility;
  publicWording?: string;
  synonyms?: string[];
  sub?: {
    code: string;
    name: string;
    synonyms: string[];
    slaPolicy?: string;
    department?: string;
    attributes?: ServiceAttribute[];
  }[];
}
const TAXONOMY: DefaultCategory[] = [
  {
    code: "sanitation",
    name: "环境卫生",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "城管局环卫处",
    synonyms: ["卫生", "脏乱差"],
    sub: [
      {
        code: "sanitation_garbage",
        name: "垃圾清运",
        synonyms: ["垃圾", "垃圾桶满", "垃圾堆放", "建筑垃圾"],
      },
      { code: "sanitation_sewage", name: "污水外溢", synonyms: ["下水道堵", "化粪池", "污水", "臭味"] },
      { code: "sanitation_pests", name: "病媒防治", synonyms: ["老鼠", "蟑螂", "蚊虫"] },
    ],
  },
  {
    code: "municipal",
    name: "市政设施",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "市政和园林局",
    synonyms: ["道路", "设施损坏"],
    sub: [
      {
        code: "municipal_lighting",
        name: "路灯照明",
        synonyms: ["楼道灯", "路灯", "路灯不亮", "灯不亮", "照明"],
      },
      {
        code: "municipal_road",
        name: "道路破损",
        synonyms: ["路面坑洼", "人行道", "路面塌陷"],
        // What the road crew asks first (Open311 service definition; the web desk does not ask yet).
        attributes: [
          {
            code: "size",
            datatype: "singlevaluelist",
            required: true,
            description: "破损范围",
            order: 1,
            values: [
              { key: "small", name: "小于 1 平方米" },
              { key: "medium", name: "1–5 平方米" },
              { key: "large", name: "大于 5 平方米" },
            ],
          },
          { code: "depth_cm", datatype: "number", required: false, description: "深度（厘米）", order: 2 },
          {
            code: "blocks",
            datatype: "multivaluelist",
            required: false,
            description: "影响通行",
            order: 3,
            values: [
              { key: "car", name: "机动车" },
              { key: "bike", name: "非机动车" },
              { key: "walk", name: "行人" },
            ],
          },
        ],
      },
      { code: "municipal_manhole", name: "井盖缺损", synonyms: ["井盖", "窨井"] },
      { code: "municipal_greening", name: "绿化养护", synonyms: ["树枝", "修剪", "倒树", "草坪"] },
    ],
  },
  {
    code: "property",
    name: "物业服务",
    slaPolicy: "52022",
    ownerRole: "grid_worker",
    department: "物业服务社",
    synonyms: ["物业", "小区管理"],
    sub: [
      { code: "property_elevator", name: "电梯故障", synonyms: ["电梯", "困人", "电梯坏了"] },
      { code: "property_leak", name: "房屋渗漏", synonyms: ["漏水", "渗水", "屋顶漏"] },
      { code: "property_fees", name: "物业收费", synonyms: ["物业费", "停车费"], slaPolicy: "12345" },
      { code: "property_door", name: "门禁楼道", synonyms: ["门禁", "单元门", "楼道"] },
    ],
  },
  {
    code: "utilities",
    name: "水电气维修",
    slaPolicy: "52022",
    ownerRole: "grid_worker",
    department: "物业服务社",
    synonyms: ["水电", "维修"],
    sub: [
      {
        code: "utilities_water",
        name: "供水",
        synonyms: ["停水", "水压低", "爆管", "水管", "自来水", "水质"],
        department: "自来水公司",
      },
      { code: "utilities_power", name: "供电", synonyms: ["停电", "跳闸", "电线"], department: "供电公司" },
      { code: "utilities_gas", name: "燃气", synonyms: ["煤气", "天然气", "漏气"], department: "燃气公司" },
      { code: "utilities_drainage", name: "排水防汛", synonyms: ["积水", "内涝", "排水"] },
    ],
  },
  {
    code: "neighbour_dispute",
    name: "邻里纠纷",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "司法所人民调解",
    visibility: "private",
    publicWording: "邻里纠纷调解",
    synonyms: ["吵架", "矛盾", "纠纷"],
  },
  {
    code: "medical",
    name: "用药咨询/就医",
    slaPolicy: "care-urgent",
    ownerRole: "doctor",
    department: "社区卫生服务中心",
    visibility: "hidden",
    publicWording: "医疗健康服务",
    synonyms: ["看病", "买药", "配药", "身体不舒服"],
  },
  {
    code: "elderly_care",
    name: "养老助残",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "民政局",
    visibility: "private",
    publicWording: "养老助残服务",
    synonyms: ["老人", "残疾人"],
    sub: [
      { code: "elderly_meals", name: "助餐送餐", synonyms: ["送餐", "老年食堂", "助餐"] },
      // Named so that Open311's public service list says nothing of who lives alone; the words stay searchable.
      { code: "elderly_visit", name: "居家探访", synonyms: ["独居", "没人照顾", "空巢"] },
    ],
  },
  {
    code: "public_safety",
    name: "治安隐患",
    slaPolicy: "12345",
    ownerRole: "police",
    department: "派出所",
    visibility: "private",
    publicWording: "治安隐患（已转公安处理）",
    synonyms: ["治安", "可疑人员", "盗窃"],
  },
  {
    code: "illegal_building",
    name: "违法建设",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "城管执法大队",
    synonyms: ["违建", "乱搭建"],
    sub: [
      { code: "illegal_building_roof", name: "楼顶露台搭建", synonyms: ["阳光房", "楼顶加层", "露台"] },
      { code: "illegal_group_rent", name: "群租房", synonyms: ["群租", "隔断房"] },
    ],
  },
  {
    code: "parking_traffic",
    name: "停车交通",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "交警大队",
    synonyms: ["停车", "车辆"],
    sub: [{ code: "parking_illegal", name: "违章停车", synonyms: ["乱停车", "占道停车", "堵车库"] }],
  },
  {
    code: "noise",
    name: "噪声扰民",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "生态环境局",
    synonyms: ["噪音", "太吵"],
    sub: [
      { code: "noise_renovation", name: "装修噪声", synonyms: ["装修", "电钻"] },
      { code: "noise_construction", name: "夜间施工", synonyms: ["施工", "工地"] },
      { code: "noise_business", name: "商业噪声", synonyms: ["广场舞", "店铺喇叭", "音响"] },
    ],
  },
  {
    code: "enterprise",
    name: "企业求助",
    slaPolicy: "12345",
    ownerRole: "community_admin",
    department: "营商环境办",
    synonyms: ["企业", "营商"],
  },
  {
    code: "fire_safety",
    name: "消防安全",
    slaPolicy: "52022",
    ownerRole: "grid_worker",
    department: "消防救援大队",
    synonyms: ["消防", "火灾隐患"],
    sub: [
      { code: "fire_passage", name: "消防通道占用", synonyms: ["消防通道", "楼道堆物"] },
      { code: "fire_ebike", name: "电动车违规充电", synonyms: ["飞线充电", "电瓶车", "电动车进楼"] },
      { code: "fire_equipment", name: "消防设施损坏", synonyms: ["灭火器", "消防栓"] },
    ],
  },
  {
    code: "other",
    name: "其他",
    slaPolicy: "12345",
    ownerRole: "grid_worker",
    department: "街道综合指挥中心",
  },
];

/** Every default category, parents first, each subcategory with its parent's code and inherited fields. */
export const DEFAULT_CATEGORIES: {
  code: string;
  name: string;
  slaPolicy: string;
  ownerRole: string;
  department: string;
  visibility?: CategoryVisibility;
  publicWording?: string;
  synonyms: string[];
  parent: string | null;
  sortOrder: number;
  attributes?: ServiceAttribute[];
}[] = [
  ...TAXONOMY.map(({ sub: _sub, ...c }, i) => ({
    ...c,
    synonyms: c.synonyms ?? [],
    parent: null,
    sortOrder: i,
  })),
  ...TAXONOMY.flatMap((p) =>
    (p.sub ?? []).map((c, i) => ({
      code: c.code,
      name: c.name,
      slaPolicy: c.slaPolicy ?? p.slaPolicy,
      ownerRole: p.ownerRole,
      department: c.department ?? p.department,
      visibility: p.visibility,
      publicWording: p.publicWording,
      synonyms: c.synonyms,
      parent: p.code,
      sortOrder: i,
      attributes: c.attributes,
    })),
  ),
];

/**
 * Adds the default categories a database lacks, by code: a new database gets them all, an existing one the
 * subcategories added since, and a default category without synonyms (stored before they existed) gets them.
 * What an admin renamed or retired stays as it is.
 */
export async function seedCategories(database: Database): Promise<void> {
  for (const level of [false, true]) {
    const rows = DEFAULT_CATEGORIES.filter((c) => (c.parent !== null) === level).map((c) => ({
      code: c.code,
      name: c.name,
      initials: nameInitials(c.name),
      sla_policy: c.slaPolicy,
      owner_role: c.ownerRole,
      department: c.department,
      sort_order: c.sortOrder,
      visibility: c.visibility ?? "public",
      public_wording: c.publicWording ?? null,
      synonyms: c.synonyms,
      parent: c.parent,
      attributes: c.attributes ?? [],
    }));
    await database.query(
      `insert into categories (code, name, initials, sla_policy, owner_role, department, sort_order, visibility,
         public_wording, synonyms, parent_id, attributes)
       select x.code, x.name, x.initials, x.sla_policy, x.owner_role, x.department, x.sort_order, x.visibility,
         x.public_wording, array(select jsonb_array_elements_text(x.synonyms)), p.id, x.attributes
       from jsonb_to_recordset($1::jsonb) as x(code text, name text, initials text, sla_policy text, owner_role text,
         department text, sort_order int, visibility text, public_wording text, synonyms jsonb, parent text,
         attributes jsonb)
       left join categories p on p.code = x.parent
       where x.parent is null or p.id is not null
       on conflict (code) do update set synonyms = excluded.synonyms where categories.synonyms = '{}'::text[]`,
      [JSON.stringify(rows)],
    );
  }
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
  /** The category this one is a subcategory of; null makes it a top-level category. */
  parentId?: number | null;
  synonyms?: string[];
  /**
   * The service definition's extra fields (Open311 `attribute`s), in their order unless `order` is given;
   * [] removes them. Changed by PATCH only.
   */
  attributes?: (Omit<ServiceAttribute, "order"> & { order?: number })[];
}

const LIST_TYPES = new Set(["singlevaluelist", "multivaluelist"]);

/** A definition's fields checked one by one, each problem named by its place ("attributes.1.values"). */
function checkAttributes(
  list: NonNullable<CategoryInput["attributes"]>,
  fields: { field: string; message: string }[],
) {
  const seen = new Set<string>();
  list.forEach((a, i) => {
    const at = (k: string, message: string) => fields.push({ field: `attributes.${i}.${k}`, message });
    if (!/^[A-Za-z][\w-]{0,39}$/.test(a.code))
      at("code", `附加字段 ${i + 1} 编码: 须为字母开头的字母、数字、- 或 _`);
    else if (seen.has(a.code)) at("code", `附加字段 ${i + 1} 编码: ${a.code} 重复`);
    seen.add(a.code);
    if (!a.description.trim()) at("description", `附加字段 ${i + 1} 说明: 不能为空`);
    const keys = (a.values ?? []).map((v) => v.key);
    if (LIST_TYPES.has(a.datatype)) {
      if (!keys.length) at("values", `附加字段 ${i + 1} 选项: 列表类型至少要有一个选项`);
      else if (new Set(keys).size !== keys.length) at("values", `附加字段 ${i + 1} 选项: 选项编码重复`);
      else if ((a.values ?? []).some((v) => !v.key.trim() || !v.name.trim()))
        at("values", `附加字段 ${i + 1} 选项: 编码和名称都不能为空`);
    } else if (keys.length) at("values", `附加字段 ${i + 1} 选项: 只有列表类型可以有选项`);
  });
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
    // A subcategory of a retired category is retired with it.
    const [c] = await database.query<CategoryRef>(
      `select c.id, c.name, c.sla_policy as "slaPolicy", c.owner_role as "ownerRole", c.active and coalesce(p.active, true) as active
       from categories c left join categories p on p.id = c.parent_id where c.code = $1`,
      [code],
    );
    return c;
  });
}

const CATEGORY_COLUMNS = `c.id, c.code, c.name, c.initials, c.sla_policy as "slaPolicy", c.owner_role as "ownerRole", c.department,
  c.active, c.sort_order as "sortOrder", c.visibility, c.public_wording as "publicWording", c.parent_id as "parentId",
  p.code as "parentCode", p.name as "parentName", c.synonyms, c.attributes`;
const CATEGORY_FROM = "categories c left join categories p on p.id = c.parent_id";
/** Parents in their order, each followed by its subcategories in theirs. */
const CATEGORY_ORDER =
  "coalesce(p.sort_order, c.sort_order), coalesce(p.id, c.id), c.parent_id nulls first, c.sort_order, c.id";

/**
 * Active categories (all, for admins) in taxonomy order, optionally searched by name, synonyms and pinyin
 * ("楼道灯" → 路灯照明, "gs" → 供水) and then ranked best first (domain/search/categories.ts).
 */
export async function listCategories(ctx: AppContext, actor: Actor, q?: string, includeInactive = false) {
  categoryPolicy.authorize(actor, includeInactive ? "readAll" : "read");
  const rows = await ctx.database.query<Omit<Category, "pinyin">>(
    `select ${CATEGORY_COLUMNS} from ${CATEGORY_FROM}
     where ${includeInactive ? "true" : "c.active and coalesce(p.active, true)"} order by ${CATEGORY_ORDER}`,
  );
  const all: Category[] = rows.map((r) => ({ ...r, pinyin: fullPinyin(r.name) }));
  return q?.trim() ? searchCategories(q, all).map((h) => h.category) : all;
}

/** The parent named in an input: it must exist and be top-level, and a category with subcategories stays top-level. */
async function checkParent(ctx: AppContext, id: number | null, parentId: number | null | undefined) {
  if (parentId === undefined || parentId === null) return;
  const field = (message: string) =>
    Invalid(message, [{ field: "parentId", message: `上级分类: ${message}` }]);
  if (parentId === id) throw field("不能是自己");
  const [p] = await ctx.database.query<{ parentId: number | null }>(
    `select parent_id as "parentId" from categories where id = $1`,
    [parentId],
  );
  if (!p) throw field("不存在");
  if (p.parentId !== null) throw field("只能选一级分类（分类最多两级）");
  if (id !== null) {
    const [child] = await ctx.database.query("select 1 from categories where parent_id = $1 limit 1", [id]);
    if (child) throw field("本分类下有子类，不能再设上级");
  }
}

/** Synonyms trimmed, blanks and repeats dropped. */
const cleanSynonyms = (s: string[] | undefined) =>
  s === undefined ? undefined : [...new Set(s.map((w) => w.trim()).filter(Boolean))];

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
  if (input.attributes !== undefined) checkAttributes(input.attributes, fields);
  if (fields.length) throw Invalid(fields.map((f) => f.message).join("；"), fields);
}

export async function createCategory(
  ctx: AppContext,
  actor: Actor,
  input: Required<Pick<CategoryInput, "code" | "name" | "slaPolicy" | "ownerRole">> & CategoryInput,
) {
  categoryPolicy.authorize(actor, "manage");
  checkCategory(input);
  await checkParent(ctx, null, input.parentId);
  // ON CONFLICT, not a prior SELECT: two admins adding the same code at once get one 201 and one 409.
  const [row] = await ctx.database.query<{ id: number }>(
    `insert into categories (code, name, initials, sla_policy, owner_role, department, sort_order, visibility, public_wording,
       parent_id, synonyms)
     values ($1, $2, $3, $4, $5, $6,
       coalesce($7, (select coalesce(max(sort_order), 0) + 1 from categories where parent_id is not distinct from $10::int)),
       $8, $9, $10, $11::text[])
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
      input.parentId ?? null,
      cleanSynonyms(input.synonyms) ?? [],
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
    `select ${CATEGORY_COLUMNS} from ${CATEGORY_FROM} where c.id = $1`,
    [id],
  );
  if (!before) throw NotFound("分类不存在");
  await checkParent(ctx, id, input.parentId);
  const name = input.name?.trim();
  await ctx.database.query(
    `update categories set name = coalesce($2, name), initials = coalesce($3, initials), sla_policy = coalesce($4, sla_policy),
       owner_role = coalesce($5, owner_role), department = case when $6::boolean then $7 else department end,
       active = coalesce($8, active), sort_order = coalesce($9, sort_order), visibility = coalesce($10, visibility),
       public_wording = case when $11::boolean then $12 else public_wording end,
       parent_id = case when $13::boolean then $14::int else parent_id end, synonyms = coalesce($15::text[], synonyms),
       attributes = coalesce($16::jsonb, attributes), updated_at = now() where id = $1`,
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
      input.parentId !== undefined,
      input.parentId ?? null,
      cleanSynonyms(input.synonyms) ?? null,
      input.attributes === undefined
        ? null
        : JSON.stringify(
            input.attributes.map((a, i) => ({
              ...a,
              description: a.description.trim(),
              order: a.order ?? i + 1,
              values: LIST_TYPES.has(a.datatype) ? a.values : undefined,
            })),
          ),
    ],
  );
  byCode.forget(ctx.database);
  const [row] = await ctx.database.query<Omit<Category, "pinyin">>(
    `select ${CATEGORY_COLUMNS} from ${CATEGORY_FROM} where c.id = $1`,
    [id],
  );
  const after: Category = { ...row, pinyin: fullPinyin(row.name) };
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
/** One extra field of a service definition (Open311 GeoReport `attribute`). */
export interface ServiceAttribute {
  code: string;
  datatype: "string" | "number" | "datetime" | "text" | "singlevaluelist" | "multivaluelist";
  required: boolean;
  description: string;
  datatypeDescription?: string | null;
  order: number;
  /** Whether the client asks the user for it (false: shown as information only). Default true. */
  variable?: boolean;
  values?: { key: string; name: string }[];
}

/** The categories strangers may file (Open311 services), with their keywords and extra fields. */
export function listServices(database: Database) {
  return database.query<{
    code: string;
    name: string;
    department: string | null;
    /** Only a public category's synonyms: a private one's name the words residents use for personal matters. */
    synonyms: string[];
    attributes: ServiceAttribute[];
  }>(
    `select code, name, department, case when visibility = 'public' then synonyms else '{}'::text[] end as synonyms,
       attributes from categories
     where active and visibility <> 'hidden' order by sort_order, id`,
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
  parentId: IntOrNull,
  parentCode: StrOrNull,
  parentName: StrOrNull,
  synonyms: Type.Array(Str),
  /** The Open311 extra fields a report of this kind asks for, in their order (edited by the district admin). */
  attributes: Type.Array(
    Type.Object({
      code: Str,
      datatype: Str,
      required: Type.Boolean(),
      description: Str,
      datatypeDescription: Type.Optional(StrOrNull),
      order: Type.Integer(),
      variable: Type.Optional(Type.Boolean()),
      values: Type.Optional(Type.Array(Type.Object({ key: Str, name: Str }))),
    }),
  ),
  /** Full pinyin of the name, for searching on a keyboard without an IME. */
  pinyin: Str,
});
export type Category = Static<typeof CategorySchema>;
