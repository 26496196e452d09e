import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import {
  QUARTER_PATTERN,
  quarterOf,
  SATISFACTIONS,
  type Satisfaction,
} from "../../../domain/affairs/ratings.ts";
import { normalisePhone } from "../../../domain/mask/mask.ts";
import { publicText } from "../../../domain/privacy/publicText.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import * as oneTimeCodes from "../../platform/oneTimeCodes.ts";
import {
  Day,
  ErrorBody,
  Id,
  IdParams,
  Int,
  Items,
  Line,
  OneOf,
  Str,
  stdErrors,
  Text,
  Type,
} from "../../platform/schemas.ts";
import { actorId, inTx, keepPhoto, notFound, pattern, photoIds, rows, unitInScope } from "./common.ts";
import { affairsPolicy } from "./policy.ts";
import {
  PROJECT_COLS,
  ProjectDetailSchema,
  type ProjectRow,
  ProjectSchema,
  ProposalSchema,
  PublicListSchema,
  presentProject,
  presentPublicProject,
  presentTally,
  QuarterSchema,
  UnitSatisfaction,
} from "./presenter.ts";

// 实事项目 列单-晒单-评单: proposals collected 征集, a street's or community's quarterly list published 列单,
// progress shown with photos 晒单, residents rating each project once from a verified phone 评单.

const B = { additionalProperties: false } as const;
const T = ["affairs"];
const PUBLIC_STATES = ["published", "done", "archived"];
const PROJECT_FROM = "practical_projects p join org_units u on u.id = p.org_unit_id";

/** Whether a project's quarter list (its unit's) is closed, for a query over `practical_projects p`. */
const CLOSED = `exists (select 1 from project_quarters q where q.org_unit_id = p.org_unit_id and q.quarter = p.quarter)`;
const closedQuarter = () => Conflict("该季度清单已归档，只读");

async function quarterClosed(db: Parameters<typeof rows>[0], orgUnitId: number, quarter: string) {
  const [q] = await rows<{ id: number }>(
    db,
    sql`select id from project_quarters where org_unit_id = ${orgUnitId} and quarter = ${quarter}`,
  );
  return !!q;
}

export interface ProjectInput {
  orgUnitId: number;
  quarter: string;
  title: string;
  description?: string;
  budget: number;
  owner: string;
  deadline: string;
  milestones: { title: string; due: string }[];
}

// ——— proposals 征集 ———

export async function listProposals(ctx: AppContext, who: Principal, f: { state?: string }) {
  affairsPolicy.authorize(who, "read");
  const params: unknown[] = [pattern(who)];
  const state = f.state ? `and p.state = $${params.push(f.state)}` : "";
  return ctx.database.query(
    `select p.id, p.org_unit_id as "orgUnitId", u.name as "unitName", p.source, p.title, p.detail, p.state,
       p.project_id as "projectId", p.created_by_name as "createdByName", p.created_at as "createdAt"
     from project_proposals p join org_units u on u.id = p.org_unit_id
     where p.org_path like $1 ${state} order by p.id desc limit 300`,
    params,
  );
}

export async function propose(
  ctx: AppContext,
  who: Principal,
  b: { orgUnitId: number; source: string; title: string; detail: string },
) {
  affairsPolicy.authorize(who, "propose");
  const unit = await unitInScope(
    ctx,
    who,
    b.orgUnitId,
    "orgUnitId",
    ["street", "community", "grid"],
    "街道/社区/网格",
  );
  return inTx(ctx, async (tx) => {
    const [r] = await rows<{ id: number }>(
      tx,
      sql`insert into project_proposals (org_unit_id, org_path, source, title, detail, created_by, created_by_name)
        values (${unit.id}, ${unit.path}, ${b.source}, ${b.title.trim()}, ${b.detail.trim()}, ${actorId(who)}, ${who.displayName})
        returning id`,
    );
    await audit.record(tx, who, {
      action: "create",
      entity: "project_proposal",
      entityId: r.id,
      orgPath: unit.path,
    });
    return { id: r.id, state: "open" };
  });
}

async function checkProjectInput(ctx: AppContext, who: Principal, p: ProjectInput) {
  const unit = await unitInScope(ctx, who, p.orgUnitId, "orgUnitId", ["street", "community"], "街道/社区");
  for (const [i, m] of p.milestones.entries())
    if (m.due > p.deadline)
      throw Invalid("节点日期不能晚于项目完成期限", [
        { field: `milestones/${i}/due`, message: "节点日期不能晚于完成期限" },
      ]);
  return unit;
}

async function insertProject(
  tx: Parameters<typeof rows>[0],
  who: Principal,
  unitPath: string,
  p: ProjectInput,
  extra: { proposalId?: number | null; actionId?: number | null } = {},
) {
  if (await quarterClosed(tx, p.orgUnitId, p.quarter)) throw closedQuarter();
  const [r] = await rows<{ id: number }>(
    tx,
    sql`insert into practical_projects (org_unit_id, org_path, quarter, title, description, budget, owner, deadline, milestones,
        proposal_id, deliberation_action_id, created_by)
      values (${p.orgUnitId}, ${unitPath}, ${p.quarter}, ${p.title.trim()}, ${(p.description ?? "").trim()}, ${p.budget},
        ${p.owner.trim()}, ${p.deadline}, ${JSON.stringify(p.milestones)}::jsonb, ${extra.proposalId ?? null},
        ${extra.actionId ?? null}, ${actorId(who)})
      returning id`,
  );
  await audit.record(tx, who, {
    action: "create",
    entity: "practical_project",
    entityId: r.id,
    orgPath: unitPath,
    after: p,
  });
  return r.id;
}

/** Adopting a proposal makes it a draft project on the list; declining keeps it with its state. */
export async function decideProposal(
  ctx: AppContext,
  who: Principal,
  id: number,
  d: { decision: "adopt" | "decline"; project?: ProjectInput },
) {
  affairsPolicy.authorize(who, "manage");
  if (d.decision === "adopt" && !d.project)
    throw Invalid("采纳须填写项目信息", [{ field: "project", message: "采纳须填写项目信息" }]);
  const unit = d.project ? await checkProjectInput(ctx, who, d.project) : null;
  return inTx(ctx, async (tx) => {
    const [p] = await rows<{ id: number; state: string; orgPath: string }>(
      tx,
      sql`select id, state, org_path as "orgPath" from project_proposals where id = ${id} and org_path like ${pattern(who)} for update`,
    );
    if (!p) notFound("征集意见");
    if (p.state !== "open") throw Conflict("该意见已处理");
    let projectId: number | null = null;
    if (d.decision === "adopt" && d.project && unit)
      projectId = await insertProject(tx, who, unit.path, d.project, { proposalId: id });
    const state = d.decision === "adopt" ? "adopted" : "declined";
    await tx.execute(
      sql`update project_proposals set state = ${state}, project_id = ${projectId}, updated_at = now() where id = ${id}`,
    );
    await audit.record(tx, who, {
      action: d.decision,
      entity: "project_proposal",
      entityId: id,
      orgPath: p.orgPath,
    });
    return { id, state, projectId };
  });
}

export async function createProject(ctx: AppContext, who: Principal, p: ProjectInput) {
  affairsPolicy.authorize(who, "manage");
  const unit = await checkProjectInput(ctx, who, p);
  return inTx(ctx, async (tx) => ({ id: await insertProject(tx, who, unit.path, p) }));
}

/** For the deliberation: an agreed action carried out as a draft practical project (in the caller's transaction). */
export async function createProjectIn(
  tx: Parameters<typeof rows>[0],
  who: Principal,
  unit: { id: number; path: string },
  p: { title: string; owner: string; deadline: string; budget?: number },
  actionId: number,
) {
  return insertProject(
    tx,
    who,
    unit.path,
    {
      orgUnitId: unit.id,
      quarter: quarterOf(p.deadline),
      title: p.title,
      description: "由议事协商确定",
      budget: p.budget ?? 0,
      owner: p.owner,
      deadline: p.deadline,
      milestones: [],
    },
    { actionId },
  );
}

export async function listProjects(ctx: AppContext, who: Principal, f: { quarter?: string; unit?: number }) {
  affairsPolicy.authorize(who, "read");
  const params: unknown[] = [pattern(who)];
  let where = "p.org_path like $1";
  if (f.quarter) where += ` and p.quarter = $${params.push(f.quarter)}`;
  if (f.unit) where += ` and p.org_unit_id = $${params.push(f.unit)}`;
  const rs = await ctx.database.query<ProjectRow>(
    `select ${PROJECT_COLS} from ${PROJECT_FROM} where ${where} order by p.quarter desc, p.id desc limit 500`,
    params,
  );
  const quarters = await ctx.database.query<{ quarter: string }>(
    "select distinct quarter from practical_projects where org_path like $1 order by quarter desc",
    [pattern(who)],
  );
  return { items: rs.map(presentProject), quarters: quarters.map((q) => q.quarter) };
}

async function projectRow(ctx: AppContext, who: Principal, id: number) {
  const [r] = await ctx.database.query<ProjectRow>(
    `select ${PROJECT_COLS} from ${PROJECT_FROM} where p.id = $1 and p.org_path like $2`,
    [id, pattern(who)],
  );
  if (!r) notFound("实事项目");
  return r;
}

async function updatesOf(ctx: AppContext, projectIds: number[], perProject = 50) {
  if (projectIds.length === 0) return new Map<number, never[]>();
  const us = await ctx.database.query<{
    id: number;
    projectId: number;
    note: string;
    progress: number;
    createdAt: Date;
  }>(
    `select id, project_id as "projectId", note, progress, created_at as "createdAt" from (
       select u.*, row_number() over (partition by project_id order by id desc) as n
       from project_updates u where project_id = any($1::int[])) x
     where n <= $2 order by id desc`,
    [projectIds, perProject],
  );
  const photos = await photoIds(
    ctx,
    "project_update",
    us.map((u) => u.id),
  );
  const out = new Map<
    number,
    { id: number; note: string; progress: number; createdAt: Date; photoIds: number[] }[]
  >();
  for (const u of us)
    out.set(u.projectId, [
      ...(out.get(u.projectId) ?? []),
      {
        id: u.id,
        note: u.note,
        progress: u.progress,
        createdAt: u.createdAt,
        photoIds: photos.get(u.id) ?? [],
      },
    ]);
  return out;
}

export async function projectDetail(ctx: AppContext, who: Principal, id: number) {
  affairsPolicy.authorize(who, "read");
  const r = await projectRow(ctx, who, id);
  const updates = (await updatesOf(ctx, [id])).get(id) ?? [];
  return { ...presentProject(r), updates };
}

export async function publishProject(ctx: AppContext, who: Principal, id: number) {
  affairsPolicy.authorize(who, "manage");
  return inTx(ctx, async (tx) => {
    const [p] = await rows<{ state: string; orgPath: string; closed: boolean }>(
      tx,
      sql`select state, org_path as "orgPath", ${sql.raw(CLOSED)} as closed from practical_projects p
        where id = ${id} and org_path like ${pattern(who)} for update`,
    );
    if (!p) notFound("实事项目");
    if (p.closed) throw closedQuarter();
    if (p.state !== "draft") throw Conflict("该项目已公布");
    await tx.execute(
      sql`update practical_projects set state = 'published', published_at = now(), updated_at = now() where id = ${id}`,
    );
    await audit.record(tx, who, {
      action: "publish",
      entity: "practical_project",
      entityId: id,
      orgPath: p.orgPath,
    });
    return { id, state: "published" };
  });
}

/** 晒单: a progress note; 100 % finishes the project. Photos follow on the update. */
export async function addUpdate(
  ctx: AppContext,
  who: Principal,
  id: number,
  b: { note: string; progress: number },
) {
  affairsPolicy.authorize(who, "manage");
  return inTx(ctx, async (tx) => {
    const [p] = await rows<{ state: string; orgPath: string; progress: number; closed: boolean }>(
      tx,
      sql`select state, org_path as "orgPath", progress, ${sql.raw(CLOSED)} as closed from practical_projects p
        where id = ${id} and org_path like ${pattern(who)} for update`,
    );
    if (!p) notFound("实事项目");
    if (p.closed) throw closedQuarter();
    if (p.state !== "published") throw Conflict(p.state === "draft" ? "项目公布后才能晒进度" : "项目已完成");
    if (b.progress < p.progress)
      throw Invalid("进度不能倒退", [{ field: "progress", message: `进度不能低于当前的 ${p.progress}%` }]);
    const [u] = await rows<{ id: number }>(
      tx,
      sql`insert into project_updates (project_id, org_path, note, progress, created_by)
        values (${id}, ${p.orgPath}, ${b.note.trim()}, ${b.progress}, ${actorId(who)}) returning id`,
    );
    const state = b.progress >= 100 ? "done" : "published";
    await tx.execute(
      sql`update practical_projects set progress = ${b.progress}, state = ${state}, updated_at = now() where id = ${id}`,
    );
    await audit.record(tx, who, {
      action: "progress",
      entity: "practical_project",
      entityId: id,
      orgPath: p.orgPath,
      before: { progress: p.progress },
      after: { progress: b.progress, state },
    });
    return { id: u.id, state };
  });
}

export async function addUpdatePhoto(ctx: AppContext, who: Principal, updateId: number, body: unknown) {
  affairsPolicy.authorize(who, "manage");
  const [u] = await ctx.database.query<{ orgPath: string; closed: boolean }>(
    `select u.org_path as "orgPath", ${CLOSED} as closed from project_updates u
       join practical_projects p on p.id = u.project_id
     where u.id = $1 and u.org_path like $2`,
    [updateId, pattern(who)],
  );
  if (!u) notFound("进度");
  if (u.closed) throw closedQuarter();
  return keepPhoto(ctx, who, "project_update", updateId, u.orgPath, body);
}

/** 满意度 per unit (street or community) for a quarter. */
export async function satisfactionByUnit(ctx: AppContext, who: Principal, quarter?: string) {
  affairsPolicy.authorize(who, "read");
  const params: unknown[] = [pattern(who)];
  const q = quarter ? `and p.quarter = $${params.push(quarter)}` : "";
  const rs = await ctx.database.query<{
    orgUnitId: number;
    unitName: string;
    projects: number;
    done: number;
    satisfied: number;
    basic: number;
    unsatisfied: number;
  }>(
    `select p.org_unit_id as "orgUnitId", u.name as "unitName", count(*)::int as projects,
       count(*) filter (where p.state in ('done', 'archived'))::int as done,
       sum(p.ratings_satisfied)::int as satisfied, sum(p.ratings_basic)::int as basic,
       sum(p.ratings_unsatisfied)::int as unsatisfied
     from ${PROJECT_FROM} where p.org_path like $1 and p.state <> 'draft' ${q}
     group by p.org_unit_id, u.name order by u.name`,
    params,
  );
  return rs.map((r) => ({
    orgUnitId: r.orgUnitId,
    unitName: r.unitName,
    projects: r.projects,
    done: r.done,
    tally: presentTally(r),
  }));
}

// ——— quarters: closing a list and the archive ———

const QUARTER_SELECT = `select p.org_unit_id as "orgUnitId", u.name as "unitName", p.quarter,
    min(q.closed_at) as "closedAt", count(*) filter (where p.state <> 'draft')::int as projects,
    count(*) filter (where p.state in ('done', 'archived'))::int as done,
    coalesce(sum(p.ratings_satisfied), 0)::int as satisfied, coalesce(sum(p.ratings_basic), 0)::int as basic,
    coalesce(sum(p.ratings_unsatisfied), 0)::int as unsatisfied
  from practical_projects p join org_units u on u.id = p.org_unit_id
    left join project_quarters q on q.org_unit_id = p.org_unit_id and q.quarter = p.quarter`;

interface QuarterRow {
  orgUnitId: number;
  unitName: string;
  quarter: string;
  closedAt: Date | null;
  projects: number;
  done: number;
  satisfied: number;
  basic: number;
  unsatisfied: number;
}
const presentQuarter = (r: QuarterRow) => ({
  orgUnitId: r.orgUnitId,
  unitName: r.unitName,
  quarter: r.quarter,
  closedAt: r.closedAt,
  projects: r.projects,
  done: r.done,
  tally: presentTally(r),
});

/** Every unit's quarterly lists in the caller's subtree, open or closed, with their satisfaction. */
export async function listQuarters(ctx: AppContext, who: Principal) {
  affairsPolicy.authorize(who, "read");
  const rs = await ctx.database.query<QuarterRow>(
    `${QUARTER_SELECT} where p.org_path like $1 group by p.org_unit_id, u.name, p.quarter
     order by p.quarter desc, u.name limit 500`,
    [pattern(who)],
  );
  return rs.map(presentQuarter);
}

/**
 * Closes a unit's list for a quarter that has begun: from then on its projects are read-only (no publishing,
 * no progress, no photos, no new project in it) and take no ratings; the public archive shows it. Twice → 409.
 */
export async function closeQuarter(
  ctx: AppContext,
  who: Principal,
  b: { orgUnitId: number; quarter: string },
  now = new Date(),
) {
  affairsPolicy.authorize(who, "manage");
  const unit = await unitInScope(ctx, who, b.orgUnitId, "orgUnitId", ["street", "community"], "街道/社区");
  if (b.quarter > quarterOf(now))
    throw Invalid("季度尚未开始，不能归档", [{ field: "quarter", message: "季度尚未开始" }]);
  return inTx(ctx, async (tx) => {
    // Taking the projects' rows first makes a rating or an update in flight finish before the list closes.
    const ps = await rows<{ id: number; state: string }>(
      tx,
      sql`select id, state from practical_projects where org_unit_id = ${unit.id} and quarter = ${b.quarter} for update`,
    );
    if (ps.length === 0) throw NotFound("该季度没有项目清单");
    const [q] = await rows<{ id: number; closedAt: Date }>(
      tx,
      sql`insert into project_quarters (org_unit_id, org_path, quarter, closed_at, closed_by)
        values (${unit.id}, ${unit.path}, ${b.quarter}, ${now}, ${actorId(who)})
        on conflict (org_unit_id, quarter) do nothing returning id, closed_at as "closedAt"`,
    );
    if (!q) throw Conflict("该季度清单已归档");
    await audit.record(tx, who, {
      action: "close_quarter",
      entity: "project_quarter",
      entityId: q.id,
      orgPath: unit.path,
      after: {
        quarter: b.quarter,
        projects: ps.length,
        drafts: ps.filter((p) => p.state === "draft").length,
      },
    });
    return { id: q.id, quarter: b.quarter, closedAt: q.closedAt };
  });
}

/** The public archive: a unit's closed quarters, newest first, each with its satisfaction. */
export async function publicArchive(ctx: AppContext, unitId: number) {
  const [unit] = await ctx.database.query<{ id: number; name: string }>(
    "select id, name from org_units where id = $1 and kind in ('street', 'community')",
    [unitId],
    { name: "affairs_public_unit" },
  );
  if (!unit) throw NotFound("单位不存在");
  const rs = await ctx.database.query<QuarterRow>(
    `${QUARTER_SELECT} where p.org_unit_id = $1 and q.id is not null and p.state <> 'draft'
     group by p.org_unit_id, u.name, p.quarter order by p.quarter desc limit 100`,
    [unitId],
    { name: "affairs_public_archive" },
  );
  return { unit, items: rs.map(presentQuarter) };
}

// ——— the public list and 评单 ———

/** A unit's published list for a quarter (the latest with a list when none is named). No personal data. */
export async function publicList(ctx: AppContext, unitId: number, quarter?: string) {
  const [unit] = await ctx.database.query<{ id: number; name: string }>(
    "select id, name from org_units where id = $1 and kind in ('street', 'community')",
    [unitId],
    { name: "affairs_public_unit" },
  );
  if (!unit) throw NotFound("单位不存在");
  const quarters = (
    await ctx.database.query<{ quarter: string }>(
      "select distinct quarter from practical_projects where org_unit_id = $1 and state = any($2::text[]) order by quarter desc",
      [unitId, PUBLIC_STATES],
      { name: "affairs_public_quarters" },
    )
  ).map((q) => q.quarter);
  const q = quarter ?? quarters[0] ?? quarterOf(new Date());
  const rs = await ctx.database.query<ProjectRow>(
    `select ${PROJECT_COLS} from ${PROJECT_FROM} where p.org_unit_id = $1 and p.quarter = $2 and p.state = any($3::text[])
     order by p.id`,
    [unitId, q, PUBLIC_STATES],
    { name: "affairs_public_projects" },
  );
  const updates = await updatesOf(
    ctx,
    rs.map((r) => r.id),
    5,
  );
  const [closing] = await ctx.database.query<{ closedAt: Date }>(
    `select closed_at as "closedAt" from project_quarters where org_unit_id = $1 and quarter = $2`,
    [unitId, q],
    { name: "affairs_public_closing" },
  );
  const tally = rs.reduce(
    (a, r) => ({
      satisfied: a.satisfied + r.satisfied,
      basic: a.basic + r.basic,
      unsatisfied: a.unsatisfied + r.unsatisfied,
    }),
    { satisfied: 0, basic: 0, unsatisfied: 0 },
  );
  return {
    unit,
    quarter: q,
    quarters,
    closedAt: closing?.closedAt ?? null,
    tally: presentTally(tally),
    items: rs.map((r) => presentPublicProject(r, updates.get(r.id) ?? [])),
  };
}

/** The key a rating is kept under: a keyed hash of the phone of its own (older ratings hold the same). */
const raterKey = (ctx: AppContext, phone: string) => ctx.crypto.hash(`affairs-phone\u0000${phone}`);

export function phoneOr400(raw: string) {
  const phone = normalisePhone(raw);
  if (!phone || !/^1[3-9]\d{9}$/.test(phone))
    throw Invalid("请输入正确的手机号", [{ field: "phone", message: "手机号格式不正确" }]);
  return phone;
}

export const wrongCode = (m: string) => Invalid(m, [{ field: "code", message: m }]);

/** What a public page's code is for: rating a practical project 评单, or a household's vote in a deliberation. */
export const PUBLIC_CODE_PURPOSES = ["project_rating", "deliberation_vote"] as const;
export type PublicCodePurpose = (typeof PUBLIC_CODE_PURPOSES)[number];

/**
 * Sends a code to the phone through the platform's one-time codes (the outbox; the demo's console). Any phone
 * may ask: whether it may rate or vote is settled when the pass is used (a vote needs a household here).
 */
export async function sendCode(
  ctx: AppContext,
  rawPhone: string,
  ip: string,
  purpose: PublicCodePurpose = "project_rating",
) {
  const phone = phoneOr400(rawPhone);
  const r = await oneTimeCodes.requestCode(ctx, purpose, phone, ip, async () => ({
    phoneCipher: ctx.crypto.encrypt(phone),
  }));
  return { sent: r.sent, expiresInSeconds: r.expiresInSeconds };
}

/** Exchanges a right code for a pass good for half an hour; five wrong guesses lock the phone out (429). */
export async function verifyCode(
  ctx: AppContext,
  rawPhone: string,
  code: string,
  purpose: PublicCodePurpose = "project_rating",
) {
  const phone = phoneOr400(rawPhone);
  const r = await oneTimeCodes.verifyCode(ctx, purpose, phone, code, { issuePass: true, wrong: wrongCode });
  return { pass: r.pass!, expiresInSeconds: r.expiresInSeconds! };
}

/** 评单: one rating per project per phone (409 for a second). */
export async function rateProject(
  ctx: AppContext,
  projectId: number,
  b: { pass: string; satisfaction: Satisfaction; comment?: string },
  now = new Date(),
) {
  const verified = await oneTimeCodes.redeemPass(ctx, "project_rating", b.pass, now);
  if (!verified)
    throw Invalid("手机验证已过期，请重新获取验证码", [{ field: "pass", message: "验证已过期" }]);
  const rater = raterKey(ctx, verified.phone);
  return inTx(ctx, async (tx) => {
    const [p] = await rows<{ orgPath: string; closed: boolean }>(
      tx,
      sql`select org_path as "orgPath", ${sql.raw(CLOSED)} as closed from practical_projects p
        where id = ${projectId} and state in ('published', 'done', 'archived')`,
    );
    if (!p) notFound("实事项目");
    if (p.closed) throw Conflict("该季度清单已归档，评价已结束");
    const [r] = await rows<{ id: number }>(
      tx,
      sql`insert into project_ratings (project_id, org_path, phone_hash, satisfaction, comment)
        values (${projectId}, ${p.orgPath}, ${rater}, ${b.satisfaction}, ${b.comment ? publicText(b.comment.trim()) : null})
        on conflict (project_id, phone_hash) do nothing returning id`,
    );
    if (!r) throw Conflict("该手机号已评价过这个项目，感谢您的参与");
    const col = {
      satisfied: "ratings_satisfied",
      basically_satisfied: "ratings_basic",
      unsatisfied: "ratings_unsatisfied",
    }[b.satisfaction];
    const [t] = await rows<{ satisfied: number; basic: number; unsatisfied: number }>(
      tx,
      sql`update practical_projects set ${sql.raw(col)} = ${sql.raw(col)} + 1, updated_at = now() where id = ${projectId}
        returning ratings_satisfied as satisfied, ratings_basic as basic, ratings_unsatisfied as unsatisfied`,
    );
    await audit.record(tx, null, {
      action: "rate",
      entity: "practical_project",
      entityId: projectId,
      orgPath: p.orgPath,
      after: { satisfaction: b.satisfaction },
    });
    return { id: r.id, tally: presentTally(t) };
  });
}

export async function publicPhoto(ctx: AppContext, id: number) {
  const [p] = await ctx.database.query<{ data: Buffer; type: string }>(
    `select f.data, f.type from affairs_photos f join project_updates u on u.id = f.entity_id
       join practical_projects p on p.id = u.project_id
     where f.id = $1 and f.entity = 'project_update' and p.state = any($2::text[])`,
    [id, PUBLIC_STATES],
  );
  if (!p) notFound("照片");
  return p;
}

export async function staffPhoto(ctx: AppContext, who: Principal, id: number) {
  affairsPolicy.authorize(who, "read");
  const [p] = await ctx.database.query<{ data: Buffer; type: string }>(
    "select data, type from affairs_photos where id = $1 and org_path like $2",
    [id, pattern(who)],
  );
  if (!p) notFound("照片");
  return p;
}

// ——— routes ———

const Milestones = Type.Array(Type.Object({ title: Line({ minLength: 2, maxLength: 60 }), due: Day }, B), {
  maxItems: 20,
});
export const ProjectBody = Type.Object(
  {
    orgUnitId: Id,
    quarter: Line({ maxLength: 6, pattern: QUARTER_PATTERN }),
    title: Line({ minLength: 2, maxLength: 60 }),
    description: Type.Optional(Text({ maxLength: 2000 })),
    budget: Int(0, 2_000_000_000),
    owner: Line({ minLength: 2, maxLength: 60 }),
    deadline: Day,
    milestones: Milestones,
  },
  B,
);
const Binary = Type.Unsafe<Buffer>({ type: "string", format: "binary" });

export async function projectRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  app.get(
    "/api/affairs/proposals",
    {
      schema: {
        tags: T,
        summary: "征集的实事项目意见",
        querystring: Type.Object(
          { state: Type.Optional(OneOf(["open", "adopted", "declined"] as const)) },
          B,
        ),
        response: { 200: Items(ProposalSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: (await listProposals(ctx, req.actor, req.query)) as never[] }),
  );
  app.post(
    "/api/affairs/proposals",
    {
      schema: {
        tags: T,
        summary: "征集：登记居民或走访中提出的实事项目意见",
        body: Type.Object(
          {
            orgUnitId: Id,
            source: OneOf(["resident", "grid_visit"] as const),
            title: Line({ minLength: 2, maxLength: 60 }),
            detail: Text({ minLength: 2, maxLength: 2000 }),
          },
          B,
        ),
        response: { 201: Type.Object({ id: Type.Integer(), state: Str }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await propose(ctx, req.actor, req.body)),
  );
  app.post(
    "/api/affairs/proposals/:id/decision",
    {
      schema: {
        tags: T,
        summary: "采纳（列入项目清单草稿）或不予采纳",
        params: IdParams,
        body: Type.Object(
          { decision: OneOf(["adopt", "decline"] as const), project: Type.Optional(ProjectBody) },
          B,
        ),
        response: {
          200: Type.Object({
            id: Type.Integer(),
            state: Str,
            projectId: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...stdErrors,
        },
      },
    },
    async (req) => decideProposal(ctx, req.actor, req.params.id, req.body),
  );
  app.get(
    "/api/affairs/projects",
    {
      schema: {
        tags: T,
        summary: "实事项目清单（按季度归档）",
        querystring: Type.Object(
          {
            quarter: Type.Optional(Line({ maxLength: 6, pattern: QUARTER_PATTERN })),
            unit: Type.Optional(Id),
          },
          B,
        ),
        response: {
          200: Type.Object({ items: Type.Array(ProjectSchema), quarters: Type.Array(Str) }),
          ...stdErrors,
        },
      },
    },
    async (req) => listProjects(ctx, req.actor, req.query),
  );
  app.post(
    "/api/affairs/projects",
    {
      schema: {
        tags: T,
        summary: "列单：新增实事项目（草稿）",
        body: ProjectBody,
        response: { 201: Type.Object({ id: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await createProject(ctx, req.actor, req.body)),
  );
  app.get(
    "/api/affairs/projects/:id",
    {
      schema: {
        tags: T,
        summary: "实事项目详情与晒单记录",
        params: IdParams,
        response: { 200: ProjectDetailSchema, ...stdErrors },
      },
    },
    async (req) => projectDetail(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/affairs/projects/:id/publish",
    {
      schema: {
        tags: T,
        summary: "公布项目（进入公开清单）",
        params: IdParams,
        response: { 200: Type.Object({ id: Type.Integer(), state: Str }), ...stdErrors },
      },
    },
    async (req) => publishProject(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/affairs/projects/:id/updates",
    {
      schema: {
        tags: T,
        summary: "晒单：发布进度（100% 即完成）；照片随后上传到该条进度",
        params: IdParams,
        body: Type.Object({ note: Text({ minLength: 2, maxLength: 1000 }), progress: Int(0, 100) }, B),
        response: { 201: Type.Object({ id: Type.Integer(), state: Str }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await addUpdate(ctx, req.actor, req.params.id, req.body)),
  );
  app.post(
    "/api/affairs/project-updates/:id/photos",
    {
      schema: {
        tags: T,
        summary: "为一条进度上传照片（图片原样作为请求体）",
        params: IdParams,
        response: {
          201: Type.Object({ id: Type.Integer() }),
          ...stdErrors,
          413: ErrorBody,
          415: ErrorBody,
          422: ErrorBody,
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await addUpdatePhoto(ctx, req.actor, req.params.id, req.body)),
  );
  app.get(
    "/api/affairs/satisfaction",
    {
      schema: {
        tags: T,
        summary: "各单位实事项目满意度",
        querystring: Type.Object(
          { quarter: Type.Optional(Line({ maxLength: 6, pattern: QUARTER_PATTERN })) },
          B,
        ),
        response: { 200: Items(UnitSatisfaction), ...stdErrors },
      },
    },
    async (req) => ({ items: await satisfactionByUnit(ctx, req.actor, req.query.quarter) }),
  );
  app.get(
    "/api/affairs/quarters",
    {
      schema: {
        tags: T,
        summary: "各单位的季度项目清单（进行中或已归档）及满意度",
        response: { 200: Items(QuarterSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: await listQuarters(ctx, req.actor) }),
  );
  app.post(
    "/api/affairs/quarters/close",
    {
      schema: {
        tags: T,
        summary: "季度归档：关闭一个单位的季度清单（此后只读、停止评价，进入公开归档）；重复 409",
        body: Type.Object({ orgUnitId: Id, quarter: Line({ maxLength: 6, pattern: QUARTER_PATTERN }) }, B),
        response: {
          200: Type.Object({
            id: Type.Integer(),
            quarter: Str,
            closedAt: Type.Unsafe<Date>({ type: "string", format: "date-time" }),
          }),
          ...stdErrors,
        },
      },
    },
    async (req) => closeQuarter(ctx, req.actor, req.body),
  );
  app.get(
    "/api/affairs/photos/:id",
    {
      schema: { tags: T, summary: "社区事务照片", params: IdParams, response: { 200: Binary, ...stdErrors } },
    },
    async (req, reply) => {
      const p = await staffPhoto(ctx, req.actor, req.params.id);
      return reply.type(p.type).header("cache-control", "private, max-age=3600").send(p.data);
    },
  );

  // ——— public: no account ———
  const publicErrors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };
  app.get(
    "/api/public/affairs/projects",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "公开的实事项目清单（列单、晒单与满意度；不含任何个人信息）",
        querystring: Type.Object(
          { unit: Id, quarter: Type.Optional(Line({ maxLength: 6, pattern: QUARTER_PATTERN })) },
          B,
        ),
        response: { 200: PublicListSchema, ...publicErrors },
      },
    },
    async (req) => publicList(ctx, req.query.unit, req.query.quarter),
  );
  app.get(
    "/api/public/affairs/archive",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "实事项目往季归档：已关闭的季度清单及其满意度",
        querystring: Type.Object({ unit: Id }, B),
        response: {
          200: Type.Object({
            unit: Type.Object({ id: Type.Integer(), name: Str }),
            items: Type.Array(QuarterSchema),
          }),
          ...publicErrors,
        },
      },
    },
    async (req) => publicArchive(ctx, req.query.unit),
  );
  app.get(
    "/api/public/affairs/photos/:id",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "公开项目的晒单照片",
        params: IdParams,
        response: { 200: Binary, ...publicErrors },
      },
    },
    async (req, reply) => {
      const p = await publicPhoto(ctx, req.params.id);
      return reply.type(p.type).header("cache-control", "public, max-age=3600").send(p.data);
    },
  );
  const Phone = Line({ minLength: 11, maxLength: 14 });
  app.post(
    "/api/public/affairs/codes",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary:
          "评单或议事投票前获取手机验证码（平台一次性验证码，经消息发件箱发送；每分钟一次，错误 5 次锁定）",
        body: Type.Object({ phone: Phone, purpose: Type.Optional(OneOf(PUBLIC_CODE_PURPOSES)) }, B),
        response: {
          202: Type.Object({ sent: Type.Boolean(), expiresInSeconds: Type.Integer() }),
          ...publicErrors,
        },
      },
    },
    async (req, reply) =>
      reply.status(202).send(await sendCode(ctx, req.body.phone, req.ip, req.body.purpose)),
  );
  app.post(
    "/api/public/affairs/codes/verify",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "校验验证码，换取半小时内有效的评单或投票凭证",
        body: Type.Object(
          {
            phone: Phone,
            code: Line({ minLength: 6, maxLength: 6, pattern: "^\\d{6}$" }),
            purpose: Type.Optional(OneOf(PUBLIC_CODE_PURPOSES)),
          },
          B,
        ),
        response: { 200: Type.Object({ pass: Str, expiresInSeconds: Type.Integer() }), ...publicErrors },
      },
    },
    async (req) => verifyCode(ctx, req.body.phone, req.body.code, req.body.purpose),
  );
  app.post(
    "/api/public/affairs/projects/:id/ratings",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "评单：每个手机号对每个项目评价一次（重复 409）",
        params: IdParams,
        body: Type.Object(
          {
            pass: Line({ minLength: 10, maxLength: 64 }),
            satisfaction: OneOf(SATISFACTIONS),
            comment: Type.Optional(Text({ maxLength: 300 })),
          },
          B,
        ),
        response: {
          201: Type.Object({
            id: Type.Integer(),
            tally: PublicListSchema.properties.tally,
          }),
          ...publicErrors,
        },
      },
    },
    async (req, reply) => reply.status(201).send(await rateProject(ctx, req.params.id, req.body)),
  );
}
