import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { checkCreditCode } from "../../../domain/affairs/creditCode.ts";
import {
  apply,
  type Enforcement,
  type RectAction,
  type RectState,
  refusal,
} from "../../../domain/affairs/rectification.ts";
import { maskPhone, normalisePhone } from "../../../domain/mask/mask.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid } from "../../platform/errors.ts";
import { PERMISSIONS } from "../../platform/roles.ts";
import {
  Day,
  ErrorBody,
  Id,
  IdParams,
  Items,
  Line,
  OneOf,
  Str,
  stdErrors,
  Text,
  Type,
} from "../../platform/schemas.ts";
import { actorId, inTx, keepPhoto, notFound, pattern, rows, shanghaiDay, unitInScope } from "./common.ts";
import { affairsPolicy } from "./policy.ts";
import {
  AssignmentSchema,
  CampaignSchema,
  EnterpriseSchema,
  presentEnterprise,
  RectificationSchema,
  StreetCounts,
  TemplateSchema,
} from "./presenter.ts";

// Enterprise inspections 企业"五有": the register placed in grids (credit code checked), checklist templates,
// campaigns assigning enterprises to inspectors, the phone checklist with photos and findings, a
// rectification order 整改单 per failed item, re-inspection that closes it, enforcement 联合惩戒 and its
// release, and counts per street. An inspector sees only their own assignments: any other enterprise is 404.

const B = { additionalProperties: false } as const;
const T = ["affairs"];
export const SIZES = ["micro", "small", "medium", "large"] as const;
const DEFAULT_RECTIFY_DAYS = 7;
/** Roles that may be named inspector (those holding inspection.perform). */
const INSPECTOR_ROLES = PERMISSIONS["inspection.perform"];

/** The 五有 of the seeds, and the winter work-safety check, as the district's starting templates. */
export const FIVE_HAVES = [
  { code: "guide", text: "有疫情防控指南" },
  { code: "rules", text: "有防控管理制度和责任人" },
  { code: "supplies", text: "有适量防护物资储备" },
  { code: "medical", text: "有属地医疗卫生力量指导支持" },
  { code: "isolation", text: "有隔离场所和转运安排准备" },
];
export const WINTER_SAFETY = [
  { code: "fire_exits", text: "消防通道畅通、安全出口标识完好" },
  { code: "extinguishers", text: "灭火器材在有效期内且放置到位" },
  { code: "heating", text: "取暖设备与电气线路无私拉乱接" },
  { code: "gas", text: "燃气使用场所通风、报警装置有效" },
  { code: "training", text: "冬季安全生产培训和值班制度落实" },
  { code: "snow", text: "防冻防滑、除雪物资准备到位" },
];

// ——— register ———

export async function listEnterprises(ctx: AppContext, who: Principal, f: { q?: string; grid?: number }) {
  affairsPolicy.authorize(who, "read");
  const params: unknown[] = [pattern(who)];
  let where = "e.org_path like $1";
  if (f.q)
    where += ` and (e.name like $${params.push(`%${f.q}%`)} or e.credit_code = upper($${params.length}))`;
  if (f.grid) where += ` and e.org_unit_id = $${params.push(f.grid)}`;
  const rs = await ctx.database.query<Parameters<typeof presentEnterprise>[0]>(
    `select e.id, e.org_unit_id as "orgUnitId", u.name as "gridName", e.name, e.credit_code as "creditCode", e.address,
       e.contact_name as "contactName", e.contact_phone_tail as "contactPhoneTail", e.industry, e.size,
       (select count(*)::int from rectifications r where r.enterprise_id = e.id and r.state = 'open') as "openRectifications",
       (select max(i.inspected_at) from inspections i where i.enterprise_id = e.id) as "lastInspectedAt"
     from enterprises e join org_units u on u.id = e.org_unit_id where ${where} order by e.id desc limit 200`,
    params,
  );
  return rs.map(presentEnterprise);
}

export async function registerEnterprise(
  ctx: AppContext,
  who: Principal,
  b: {
    orgUnitId: number;
    name: string;
    creditCode: string;
    address: string;
    contactName: string;
    contactPhone: string;
    industry: string;
    size: string;
  },
) {
  affairsPolicy.authorize(who, "manage");
  const check = checkCreditCode(b.creditCode);
  if (!check.ok) throw Invalid(check.message, [{ field: "creditCode", message: check.message }]);
  const phone = normalisePhone(b.contactPhone);
  if (!phone) throw Invalid("联系电话格式不正确", [{ field: "contactPhone", message: "联系电话格式不正确" }]);
  const grid = await unitInScope(ctx, who, b.orgUnitId, "orgUnitId", ["grid"], "网格");
  return inTx(ctx, async (tx) => {
    const [e] = await rows<{ id: number }>(
      tx,
      sql`insert into enterprises (org_unit_id, org_path, name, credit_code, address, contact_name, contact_phone_cipher,
          contact_phone_tail, industry, size)
        values (${grid.id}, ${grid.path}, ${b.name.trim()}, ${check.code}, ${b.address.trim()}, ${b.contactName.trim()},
          ${ctx.crypto.encrypt(phone)}, ${maskPhone(phone)}, ${b.industry.trim()}, ${b.size})
        on conflict (credit_code) do nothing returning id`,
    );
    if (!e) throw Conflict("该统一社会信用代码的企业已登记");
    await audit.record(tx, who, {
      action: "create",
      entity: "enterprise",
      entityId: e.id,
      orgPath: grid.path,
      after: { ...b, contactPhone: maskPhone(phone) },
    });
    return { id: e.id };
  });
}

// ——— templates ———

export async function listTemplates(ctx: AppContext, who: Principal) {
  affairsPolicy.authorize(who, "read");
  // A template kept at a unit serves that unit's subtree: the district's serve everyone.
  return ctx.database.query<{
    id: number;
    name: string;
    items: { code: string; text: string }[];
    editable: boolean;
  }>(
    `select id, name, items, org_path like $2 as editable from checklist_templates
     where $1 like org_path || '%' or org_path like $2 order by id`,
    [who.orgPath, pattern(who)],
  );
}

function checkItems(items: { code: string; text: string }[]) {
  if (new Set(items.map((i) => i.code)).size !== items.length)
    throw Invalid("检查项编号不能重复", [{ field: "items", message: "编号不能重复" }]);
}

export async function createTemplate(
  ctx: AppContext,
  who: Principal,
  b: { name: string; items: { code: string; text: string }[] },
) {
  affairsPolicy.authorize(who, "manage");
  checkItems(b.items);
  return inTx(ctx, async (tx) => {
    const [t] = await rows<{ id: number }>(
      tx,
      sql`insert into checklist_templates (org_path, name, items) values (${who.orgPath}, ${b.name.trim()}, ${JSON.stringify(b.items)}::jsonb) returning id`,
    );
    await audit.record(tx, who, {
      action: "create",
      entity: "checklist_template",
      entityId: t.id,
      orgPath: who.orgPath,
      after: b,
    });
    return { id: t.id };
  });
}

/** Editing changes future inspections only: a past inspection keeps the item texts it was done against. */
export async function editTemplate(
  ctx: AppContext,
  who: Principal,
  id: number,
  b: { name: string; items: { code: string; text: string }[] },
) {
  affairsPolicy.authorize(who, "manage");
  checkItems(b.items);
  return inTx(ctx, async (tx) => {
    const [t] = await rows<{ orgPath: string; name: string; items: unknown }>(
      tx,
      sql`select org_path as "orgPath", name, items from checklist_templates where id = ${id} and org_path like ${pattern(who)} for update`,
    );
    if (!t) notFound("检查模板");
    await tx.execute(
      sql`update checklist_templates set name = ${b.name.trim()}, items = ${JSON.stringify(b.items)}::jsonb, updated_at = now() where id = ${id}`,
    );
    await audit.record(tx, who, {
      action: "update",
      entity: "checklist_template",
      entityId: id,
      orgPath: t.orgPath,
      before: t,
      after: b,
    });
    return { id };
  });
}

// ——— campaigns ———

export async function listCampaigns(ctx: AppContext, who: Principal) {
  affairsPolicy.authorize(who, "read");
  return ctx.database.query(
    `select c.id, c.name, u.name as "unitName", c.template_id as "templateId", t.name as "templateName",
       c.starts_on::text as "startsOn", c.ends_on::text as "endsOn",
       (select count(*)::int from inspection_assignments a where a.campaign_id = c.id) as assigned,
       (select count(*)::int from inspection_assignments a where a.campaign_id = c.id and a.inspection_id is not null) as inspected
     from inspection_campaigns c join org_units u on u.id = c.org_unit_id join checklist_templates t on t.id = c.template_id
     where c.org_path like $1 order by c.id desc limit 100`,
    [pattern(who)],
  );
}

export async function createCampaign(
  ctx: AppContext,
  who: Principal,
  b: {
    orgUnitId: number;
    name: string;
    templateId: number;
    startsOn: string;
    endsOn: string;
    assignments: { enterpriseId: number; inspectorId: number }[];
  },
) {
  affairsPolicy.authorize(who, "manage");
  const unit = await unitInScope(
    ctx,
    who,
    b.orgUnitId,
    "orgUnitId",
    ["district", "street", "community", "grid"],
    "单位",
  );
  if (b.endsOn < b.startsOn)
    throw Invalid("结束日期早于开始日期", [{ field: "endsOn", message: "不能早于开始日期" }]);
  const templates = await listTemplates(ctx, who);
  if (!templates.some((t) => t.id === b.templateId))
    throw Invalid("检查模板不存在", [{ field: "templateId", message: "检查模板不存在" }]);
  const eIds = [...new Set(b.assignments.map((a) => a.enterpriseId))];
  if (eIds.length !== b.assignments.length)
    throw Invalid("同一企业只能分配一次", [{ field: "assignments", message: "企业重复" }]);
  const es = await ctx.database.query<{ id: number; orgPath: string }>(
    `select id, org_path as "orgPath" from enterprises where id = any($1::int[]) and org_path like $2`,
    [eIds, `${unit.path}%`],
  );
  if (es.length !== eIds.length)
    throw Invalid("部分企业不存在或不在该单位", [
      { field: "assignments", message: "企业不存在或不在该单位" },
    ]);
  const named = [...new Set(b.assignments.map((a) => a.inspectorId))];
  const accts = await ctx.database.query<{ id: number }>(
    `select a.id from accounts a join org_units u on u.id = a.org_unit_id
     where a.id = any($1::int[]) and not a.disabled and u.path like $2 and a.role = any($3::text[])`,
    [named, pattern(who), INSPECTOR_ROLES],
  );
  if (accts.length !== named.length)
    throw Invalid("检查人员不存在或不在本单位", [
      { field: "assignments", message: "检查人员不存在或不在本单位" },
    ]);
  return inTx(ctx, async (tx) => {
    const [c] = await rows<{ id: number }>(
      tx,
      sql`insert into inspection_campaigns (org_unit_id, org_path, name, template_id, starts_on, ends_on, created_by)
        values (${unit.id}, ${unit.path}, ${b.name.trim()}, ${b.templateId}, ${b.startsOn}, ${b.endsOn}, ${actorId(who)}) returning id`,
    );
    for (const a of b.assignments) {
      const e = es.find((x) => x.id === a.enterpriseId)!;
      await tx.execute(sql`insert into inspection_assignments (campaign_id, enterprise_id, inspector_id, org_path)
        values (${c.id}, ${a.enterpriseId}, ${a.inspectorId}, ${e.orgPath})`);
    }
    await audit.record(tx, who, {
      action: "create",
      entity: "inspection_campaign",
      entityId: c.id,
      orgPath: unit.path,
      after: b,
    });
    return { id: c.id };
  });
}

/** Who may be named inspector in a campaign: active staff accounts in the caller's subtree. */
export async function inspectors(ctx: AppContext, who: Principal) {
  affairsPolicy.authorize(who, "manage");
  return ctx.database.query<{ id: number; name: string; unitName: string; role: string }>(
    `select a.id, a.display_name as name, u.name as "unitName", a.role from accounts a join org_units u on u.id = a.org_unit_id
     where not a.disabled and u.path like $1 and a.role = any($2::text[]) order by u.path, a.display_name limit 500`,
    [pattern(who), INSPECTOR_ROLES],
  );
}

// ——— the inspector's phone ———

export async function myAssignments(ctx: AppContext, who: Principal) {
  affairsPolicy.authorize(who, "inspect");
  return ctx.database.query(
    `select a.campaign_id as "campaignId", c.name as "campaignName", e.id as "enterpriseId", e.name as "enterpriseName",
       e.address, u.name as "gridName", c.ends_on::text as "endsOn", a.inspection_id as "inspectionId", t.items
     from inspection_assignments a join inspection_campaigns c on c.id = a.campaign_id
       join checklist_templates t on t.id = c.template_id join enterprises e on e.id = a.enterprise_id
       join org_units u on u.id = e.org_unit_id
     where a.inspector_id = $1 and a.org_path like $2
     order by (a.inspection_id is not null), c.ends_on, e.name limit 300`,
    [actorId(who) ?? 0, pattern(who)],
  );
}

export async function inspect(
  ctx: AppContext,
  who: Principal,
  b: {
    campaignId: number;
    enterpriseId: number;
    results: { code: string; passed: boolean; finding?: string }[];
    deadline?: string;
  },
  today = shanghaiDay(),
) {
  affairsPolicy.authorize(who, "inspect");
  return inTx(ctx, async (tx) => {
    // Only the inspector's own assignment: any other enterprise (or campaign) is not found.
    const [a] = await rows<{
      id: number;
      orgPath: string;
      inspectionId: number | null;
      items: { code: string; text: string }[];
    }>(
      tx,
      sql`select a.id, a.org_path as "orgPath", a.inspection_id as "inspectionId", t.items
        from inspection_assignments a join inspection_campaigns c on c.id = a.campaign_id
          join checklist_templates t on t.id = c.template_id
        where a.campaign_id = ${b.campaignId} and a.enterprise_id = ${b.enterpriseId} and a.inspector_id = ${actorId(who) ?? 0}
          and a.org_path like ${pattern(who)} for update of a`,
    );
    if (!a) notFound("检查任务");
    if (a.inspectionId) throw Conflict("该企业本次检查已完成");
    const codes = a.items.map((i) => i.code);
    const given = b.results.map((r) => r.code);
    if (given.length !== codes.length || codes.some((c) => !given.includes(c)))
      throw Invalid("请逐项填写检查结果", [{ field: "results", message: `应填写 ${codes.length} 项` }]);
    for (const [i, r] of b.results.entries())
      if (!r.passed && !r.finding?.trim())
        throw Invalid("不合格项须写明问题", [{ field: `results/${i}/finding`, message: "请写明发现的问题" }]);
    const deadline =
      b.deadline ??
      new Date(Date.parse(`${today}T00:00:00Z`) + DEFAULT_RECTIFY_DAYS * 86_400_000)
        .toISOString()
        .slice(0, 10);
    if (deadline < today)
      throw Invalid("整改期限不能早于今天", [{ field: "deadline", message: "不能早于今天" }]);
    const results = a.items.map((item) => {
      const r = b.results.find((x) => x.code === item.code)!;
      return {
        code: item.code,
        text: item.text,
        passed: r.passed,
        finding: r.passed ? null : r.finding!.trim(),
      };
    });
    const failed = results.filter((r) => !r.passed);
    const [ins] = await rows<{ id: number }>(
      tx,
      sql`insert into inspections (campaign_id, enterprise_id, org_path, inspector_id, inspector_name, results, failed)
        values (${b.campaignId}, ${b.enterpriseId}, ${a.orgPath}, ${actorId(who)}, ${who.displayName}, ${JSON.stringify(results)}::jsonb,
          ${failed.length}) returning id`,
    );
    await tx.execute(
      sql`update inspection_assignments set inspection_id = ${ins.id}, updated_at = now() where id = ${a.id}`,
    );
    const rectifications: number[] = [];
    for (const f of failed) {
      const [r] = await rows<{ id: number }>(
        tx,
        sql`insert into rectifications (enterprise_id, inspection_id, org_path, item_code, item_text, finding, deadline)
          values (${b.enterpriseId}, ${ins.id}, ${a.orgPath}, ${f.code}, ${f.text}, ${f.finding}, ${deadline}) returning id`,
      );
      rectifications.push(r.id);
    }
    await audit.record(tx, who, {
      action: "inspect",
      entity: "enterprise",
      entityId: b.enterpriseId,
      orgPath: a.orgPath,
      after: { inspectionId: ins.id, failed: failed.map((f) => f.code), rectifications },
    });
    return { id: ins.id, failed: failed.length, rectifications };
  });
}

export async function inspectionPhoto(ctx: AppContext, who: Principal, inspectionId: number, body: unknown) {
  affairsPolicy.authorize(who, "inspect");
  const [i] = await ctx.database.query<{ orgPath: string }>(
    `select org_path as "orgPath" from inspections where id = $1 and inspector_id = $2 and org_path like $3`,
    [inspectionId, actorId(who) ?? 0, pattern(who)],
  );
  if (!i) notFound("检查记录");
  return keepPhoto(ctx, who, "inspection", inspectionId, i.orgPath, body);
}

// ——— rectifications ———

export async function listRectifications(
  ctx: AppContext,
  who: Principal,
  f: { state?: string },
  today = shanghaiDay(),
) {
  if (!affairsPolicy.can(who, "read")) affairsPolicy.authorize(who, "inspect");
  const params: unknown[] = [pattern(who)];
  const state = f.state ? `and r.state = $${params.push(f.state)}` : "";
  const rs = await ctx.database.query<{
    id: number;
    enterpriseId: number;
    enterpriseName: string;
    gridName: string;
    inspectionId: number;
    itemCode: string;
    itemText: string;
    finding: string;
    deadline: string;
    state: string;
    enforcement: string;
    enforcementNote: string | null;
    closedAt: Date | null;
    createdAt: Date;
  }>(
    `select r.id, r.enterprise_id as "enterpriseId", e.name as "enterpriseName", u.name as "gridName",
       r.inspection_id as "inspectionId", r.item_code as "itemCode", r.item_text as "itemText", r.finding,
       r.deadline::text as deadline, r.state, r.enforcement, r.enforcement_note as "enforcementNote",
       r.closed_at as "closedAt", r.created_at as "createdAt"
     from rectifications r join enterprises e on e.id = r.enterprise_id join org_units u on u.id = e.org_unit_id
     where r.org_path like $1 ${state} order by (r.state = 'open') desc, r.deadline, r.id limit 300`,
    params,
  );
  return rs.map((r) => ({ ...r, overdue: r.state === "open" && today > r.deadline }));
}

async function lockRect(tx: Parameters<typeof rows>[0], who: Principal, id: number) {
  const [r] = await rows<{
    id: number;
    enterpriseId: number;
    orgPath: string;
    state: RectState;
    enforcement: Enforcement;
    deadline: string;
    itemCode: string;
    itemText: string;
  }>(
    tx,
    sql`select id, enterprise_id as "enterpriseId", org_path as "orgPath", state, enforcement, deadline::text as deadline,
      item_code as "itemCode", item_text as "itemText"
      from rectifications where id = ${id} and org_path like ${pattern(who)} for update`,
  );
  if (!r) notFound("整改单");
  return r;
}

/** 复查: passing closes the order; failing keeps it open and may set a new deadline. */
export async function reinspect(
  ctx: AppContext,
  who: Principal,
  id: number,
  b: { passed: boolean; finding?: string; deadline?: string },
  today = shanghaiDay(),
) {
  affairsPolicy.authorize(who, "inspect");
  if (!b.passed && !b.finding?.trim())
    throw Invalid("复查不合格须写明问题", [{ field: "finding", message: "请写明问题" }]);
  if (b.deadline && b.deadline < today)
    throw Invalid("整改期限不能早于今天", [{ field: "deadline", message: "不能早于今天" }]);
  return inTx(ctx, async (tx) => {
    const r = await lockRect(tx, who, id);
    const action: RectAction = b.passed ? "reinspect_pass" : "reinspect_fail";
    const no = refusal(r, action, today);
    if (no) throw Conflict(no);
    const next = apply(r, action);
    const [ins] = await rows<{ id: number }>(
      tx,
      sql`insert into inspections (enterprise_id, org_path, inspector_id, inspector_name, kind, rectification_id, results, failed)
        values (${r.enterpriseId}, ${r.orgPath}, ${actorId(who)}, ${who.displayName}, 'reinspection', ${id},
          ${JSON.stringify([{ code: r.itemCode, text: r.itemText, passed: b.passed, finding: b.finding?.trim() || null }])}::jsonb,
          ${b.passed ? 0 : 1}) returning id`,
    );
    await tx.execute(sql`update rectifications set state = ${next.state},
      closed_at = ${b.passed ? new Date() : null}, closed_by_inspection_id = ${b.passed ? ins.id : null},
      deadline = ${b.deadline ?? r.deadline}, updated_at = now() where id = ${id}`);
    await audit.record(tx, who, {
      action: b.passed ? "close" : "reinspect",
      entity: "rectification",
      entityId: id,
      orgPath: r.orgPath,
      before: { state: r.state, deadline: r.deadline },
      after: { state: next.state, inspectionId: ins.id, deadline: b.deadline ?? r.deadline },
    });
    return { id, state: next.state, inspectionId: ins.id };
  });
}

/** 联合惩戒: escalate an overdue order to enforcement, or release it once the order is closed. */
export async function enforcement(
  ctx: AppContext,
  who: Principal,
  id: number,
  action: "escalate" | "release",
  note: string,
  today = shanghaiDay(),
) {
  affairsPolicy.authorize(who, "manage");
  return inTx(ctx, async (tx) => {
    const r = await lockRect(tx, who, id);
    const no = refusal(r, action, today);
    if (no) throw Conflict(no);
    const next = apply(r, action);
    await tx.execute(sql`update rectifications set enforcement = ${next.enforcement}, enforcement_note = ${note.trim()},
      escalated_at = case when ${action} = 'escalate' then now() else escalated_at end,
      released_at = case when ${action} = 'release' then now() else released_at end, updated_at = now() where id = ${id}`);
    await audit.record(tx, who, {
      action,
      entity: "rectification",
      entityId: id,
      orgPath: r.orgPath,
      reason: note,
      before: { enforcement: r.enforcement },
      after: { enforcement: next.enforcement },
    });
    return { id, state: next.state, enforcement: next.enforcement };
  });
}

/**
 * Counts per street for a year: the streets in the caller's subtree (their own street for a street), or the
 * caller's own community or grid below that. One grouped pass per table, keyed by the path's code at the
 * rows' level, so the district's 10,000 enterprises and their year of inspections are read once (the year's
 * inspections from inspections_year_idx alone; grouped per enterprise first, a hash instead of a distinct sort).
 */
export async function summary(ctx: AppContext, who: Principal, year: number, today = shanghaiDay()) {
  affairsPolicy.authorize(who, "read");
  const depth = who.orgPath.split("/").filter(Boolean).length;
  const k = Math.max(3, depth + 1);
  const key = (col: string) => `split_part(${col}, '/', ${k})`;
  return ctx.database.query(
    `with e as (select ${key("org_path")} as key, count(*)::int as n from enterprises where org_path like $1 group by 1),
     per as (select ${key("org_path")} as key, enterprise_id, count(*) as n,
             coalesce(sum(failed) filter (where kind = 'initial'), 0) as failed
           from inspections where org_path like $1 and inspected_at >= $2::date and inspected_at < $3::date group by 1, 2),
     i as (select key, count(*)::int as inspected, sum(n)::int as inspections, sum(failed)::int as failed
           from per group by key),
     r as (select ${key("org_path")} as key, count(*) filter (where state = 'open')::int as open,
             count(*) filter (where state = 'open' and deadline < $4::date)::int as overdue,
             count(*) filter (where enforcement = 'active')::int as enforcement
           from rectifications where org_path like $1 and (state = 'open' or enforcement = 'active') group by 1),
     keys as (select key from e union select key from i union select key from r)
     select u.id as "orgUnitId", u.name, coalesce(e.n, 0) as enterprises, coalesce(i.inspected, 0) as inspected,
       coalesce(i.inspections, 0) as inspections, coalesce(i.failed, 0) as "failedItems",
       coalesce(r.open, 0) as "openRectifications", coalesce(r.overdue, 0) as "overdueRectifications",
       coalesce(r.enforcement, 0) as enforcement
     from keys join org_units u on u.code = keys.key
       left join e on e.key = keys.key left join i on i.key = keys.key left join r on r.key = keys.key
     order by u.code`,
    [pattern(who), `${year}-01-01`, `${year + 1}-01-01`, today],
  );
}

// ——— routes ———

const Items_ = Type.Array(
  Type.Object(
    {
      code: Line({ minLength: 1, maxLength: 30, pattern: "^[a-z0-9_]+$" }),
      text: Line({ minLength: 2, maxLength: 100 }),
    },
    B,
  ),
  { minItems: 1, maxItems: 40 },
);

export async function inspectionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const IdOnly = Type.Object({ id: Type.Integer() });
  const RectOk = Type.Object({ id: Type.Integer(), state: Str, enforcement: Str });

  app.get(
    "/api/affairs/enterprises",
    {
      schema: {
        tags: T,
        summary: "企业名录（按网格）",
        querystring: Type.Object({ q: Type.Optional(Line({ maxLength: 40 })), grid: Type.Optional(Id) }, B),
        response: { 200: Items(EnterpriseSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: await listEnterprises(ctx, req.actor, req.query) }),
  );
  app.post(
    "/api/affairs/enterprises",
    {
      schema: {
        tags: T,
        summary: "登记企业（统一社会信用代码校验，校验位错误 400）",
        body: Type.Object(
          {
            orgUnitId: Id,
            name: Line({ minLength: 2, maxLength: 80 }),
            creditCode: Line({ minLength: 1, maxLength: 24 }),
            address: Line({ minLength: 2, maxLength: 120 }),
            contactName: Line({ minLength: 1, maxLength: 20 }),
            contactPhone: Line({ minLength: 7, maxLength: 20 }),
            industry: Line({ minLength: 2, maxLength: 30 }),
            size: OneOf(SIZES),
          },
          B,
        ),
        response: { 201: IdOnly, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await registerEnterprise(ctx, req.actor, req.body)),
  );
  app.get(
    "/api/affairs/checklists",
    { schema: { tags: T, summary: "检查模板", response: { 200: Items(TemplateSchema), ...stdErrors } } },
    async (req) => ({ items: await listTemplates(ctx, req.actor) }),
  );
  app.post(
    "/api/affairs/checklists",
    {
      schema: {
        tags: T,
        summary: "新建检查模板",
        body: Type.Object({ name: Line({ minLength: 2, maxLength: 40 }), items: Items_ }, B),
        response: { 201: IdOnly, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await createTemplate(ctx, req.actor, req.body)),
  );
  app.put(
    "/api/affairs/checklists/:id",
    {
      schema: {
        tags: T,
        summary: "修改检查模板（只影响以后的检查）",
        params: IdParams,
        body: Type.Object({ name: Line({ minLength: 2, maxLength: 40 }), items: Items_ }, B),
        response: { 200: IdOnly, ...stdErrors },
      },
    },
    async (req) => editTemplate(ctx, req.actor, req.params.id, req.body),
  );
  app.get(
    "/api/affairs/inspectors",
    {
      schema: {
        tags: T,
        summary: "可指派的检查人员（本单位及下级的工作人员）",
        response: {
          200: Items(Type.Object({ id: Type.Integer(), name: Str, unitName: Str, role: Str })),
          ...stdErrors,
        },
      },
    },
    async (req) => ({ items: await inspectors(ctx, req.actor) }),
  );
  app.get(
    "/api/affairs/campaigns",
    { schema: { tags: T, summary: "检查行动", response: { 200: Items(CampaignSchema), ...stdErrors } } },
    async (req) => ({ items: (await listCampaigns(ctx, req.actor)) as never[] }),
  );
  app.post(
    "/api/affairs/campaigns",
    {
      schema: {
        tags: T,
        summary: "发起检查行动：模板、期限、企业分配到检查人员",
        body: Type.Object(
          {
            orgUnitId: Id,
            name: Line({ minLength: 2, maxLength: 60 }),
            templateId: Id,
            startsOn: Day,
            endsOn: Day,
            assignments: Type.Array(Type.Object({ enterpriseId: Id, inspectorId: Id }, B), {
              minItems: 1,
              maxItems: 2000,
            }),
          },
          B,
        ),
        response: { 201: IdOnly, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await createCampaign(ctx, req.actor, req.body)),
  );
  app.get(
    "/api/affairs/inspections/mine",
    {
      schema: {
        tags: T,
        summary: "我的检查任务（未检查的在前）",
        response: { 200: Items(AssignmentSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: (await myAssignments(ctx, req.actor)) as never[] }),
  );
  app.post(
    "/api/affairs/inspections",
    {
      schema: {
        tags: T,
        summary: "提交检查结果：不合格项生成整改单（不在本人检查任务中的企业 404）",
        body: Type.Object(
          {
            campaignId: Id,
            enterpriseId: Id,
            results: Type.Array(
              Type.Object(
                {
                  code: Line({ minLength: 1, maxLength: 30 }),
                  passed: Type.Boolean(),
                  finding: Type.Optional(Text({ maxLength: 500 })),
                },
                B,
              ),
              { minItems: 1, maxItems: 40 },
            ),
            deadline: Type.Optional(Day),
          },
          B,
        ),
        response: {
          201: Type.Object({
            id: Type.Integer(),
            failed: Type.Integer(),
            rectifications: Type.Array(Type.Integer()),
          }),
          ...stdErrors,
        },
      },
    },
    async (req, reply) => reply.status(201).send(await inspect(ctx, req.actor, req.body)),
  );
  app.post(
    "/api/affairs/inspections/:id/photos",
    {
      schema: {
        tags: T,
        summary: "为本人的检查记录上传现场照片",
        params: IdParams,
        response: { 201: IdOnly, ...stdErrors, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await inspectionPhoto(ctx, req.actor, req.params.id, req.body)),
  );
  app.get(
    "/api/affairs/inspections/summary",
    {
      schema: {
        tags: T,
        summary: "企业检查分街道统计（年度）",
        querystring: Type.Object({ year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2099 })) }, B),
        response: { 200: Items(StreetCounts), ...stdErrors },
      },
    },
    async (req) => ({
      items: (await summary(ctx, req.actor, req.query.year ?? Number(shanghaiDay().slice(0, 4)))) as never[],
    }),
  );
  app.get(
    "/api/affairs/rectifications",
    {
      schema: {
        tags: T,
        summary: "整改单（未销号、逾期在前）",
        querystring: Type.Object({ state: Type.Optional(OneOf(["open", "closed"] as const)) }, B),
        response: { 200: Items(RectificationSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: await listRectifications(ctx, req.actor, req.query) }),
  );
  app.post(
    "/api/affairs/rectifications/:id/reinspection",
    {
      schema: {
        tags: T,
        summary: "复查：合格即销号；不合格可延长期限",
        params: IdParams,
        body: Type.Object(
          {
            passed: Type.Boolean(),
            finding: Type.Optional(Text({ maxLength: 500 })),
            deadline: Type.Optional(Day),
          },
          B,
        ),
        response: {
          200: Type.Object({ id: Type.Integer(), state: Str, inspectionId: Type.Integer() }),
          ...stdErrors,
        },
      },
    },
    async (req) => reinspect(ctx, req.actor, req.params.id, req.body),
  );
  app.post(
    "/api/affairs/rectifications/:id/escalation",
    {
      schema: {
        tags: T,
        summary: "逾期未整改，移交联合惩戒",
        params: IdParams,
        body: Type.Object({ note: Text({ minLength: 2, maxLength: 500 }) }, B),
        response: { 200: RectOk, ...stdErrors },
      },
    },
    async (req) => enforcement(ctx, req.actor, req.params.id, "escalate", req.body.note),
  );
  app.post(
    "/api/affairs/rectifications/:id/release",
    {
      schema: {
        tags: T,
        summary: "整改销号后解除联合惩戒",
        params: IdParams,
        body: Type.Object({ note: Text({ minLength: 2, maxLength: 500 }) }, B),
        response: { 200: RectOk, ...stdErrors },
      },
    },
    async (req) => enforcement(ctx, req.actor, req.params.id, "release", req.body.note),
  );
}
