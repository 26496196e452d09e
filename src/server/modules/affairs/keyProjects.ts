import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import type { FastifyInstance } from "fastify";
import { type Milestone, schedule, weightProblem } from "../../../domain/affairs/milestones.ts";
import { safeCell } from "../../../domain/files/cells.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { sendDownload } from "../../platform/download.ts";
import { Conflict, Invalid } from "../../platform/errors.ts";
import {
  Day,
  ErrorBody,
  Id,
  IdParams,
  Int,
  Items,
  Line,
  stdErrors,
  Text,
  Type,
} from "../../platform/schemas.ts";
import { workbookBuffer } from "../../platform/spreadsheet/index.ts";
import {
  actorId,
  inTx,
  keepPhoto,
  notFound,
  pattern,
  photoIds,
  rows,
  shanghaiDay,
  unitInScope,
} from "./common.ts";
import { affairsPolicy } from "./policy.ts";
import { BoardItem, KeyProjectDetail } from "./presenter.ts";

// 重点工程序时进度: key projects with weighted milestones (序时节点), progress reported with photos, behind
// schedule as soon as a milestone's day passes unmet (computed from the milestones on every read, so no
// sweep can be late), the district board sorted by delay, and the weekly progress export.

const B = { additionalProperties: false } as const;
const T = ["affairs"];

interface ProjectRow {
  id: number;
  name: string;
  unitName: string;
  orgPath: string;
  owner: string;
  budget: number;
  startsOn: string;
  endsOn: string;
  lastReportAt: Date | null;
  milestones: {
    id: number;
    seq: number;
    title: string;
    weight: number;
    due: string;
    doneOn: string | null;
  }[];
}

async function projects(ctx: AppContext, who: Principal, id?: number) {
  const params: unknown[] = [pattern(who)];
  const one = id ? `and k.id = $${params.push(id)}` : "";
  return ctx.database.query<ProjectRow>(
    `select k.id, k.name, u.name as "unitName", k.org_path as "orgPath", k.owner, k.budget::float8 as budget,
       k.starts_on::text as "startsOn", k.ends_on::text as "endsOn",
       (select max(r.created_at) from key_project_reports r where r.project_id = k.id) as "lastReportAt",
       coalesce((select json_agg(json_build_object('id', m.id, 'seq', m.seq, 'title', m.title, 'weight', m.weight,
          'due', m.due::text, 'doneOn', m.done_on::text) order by m.seq)
        from key_project_milestones m where m.project_id = k.id), '[]') as milestones
     from key_projects k join org_units u on u.id = k.org_unit_id where k.org_path like $1 ${one}`,
    params,
    { name: id ? "affairs_key_project" : "affairs_key_board" },
  );
}

function onBoard(p: ProjectRow, today: string) {
  const s = schedule(p.milestones as Milestone[], today);
  const next = p.milestones.find((m) => !m.doneOn);
  return {
    id: p.id,
    name: p.name,
    unitName: p.unitName,
    owner: p.owner,
    budget: Number(p.budget),
    startsOn: p.startsOn,
    endsOn: p.endsOn,
    actual: s.actual,
    planned: s.planned,
    behind: s.behind,
    delayDays: s.delayDays,
    overdue: s.overdue,
    nextMilestone: next ? `${next.title}（${next.due}）` : null,
    lastReportAt: p.lastReportAt,
  };
}

/** The board: behind-schedule projects first, the longest delay on top. */
export async function board(ctx: AppContext, who: Principal, today = shanghaiDay()) {
  affairsPolicy.authorize(who, "read");
  return (await projects(ctx, who))
    .map((p) => onBoard(p, today))
    .sort(
      (a, b) => b.delayDays - a.delayDays || a.actual - a.planned - (b.actual - b.planned) || a.id - b.id,
    );
}

export async function keyProjectDetail(ctx: AppContext, who: Principal, id: number, today = shanghaiDay()) {
  affairsPolicy.authorize(who, "read");
  const [p] = await projects(ctx, who, id);
  if (!p) notFound("重点工程");
  const reports = await ctx.database.query<{
    id: number;
    note: string;
    milestoneId: number | null;
    createdByName: string | null;
    createdAt: Date;
  }>(
    `select id, note, milestone_id as "milestoneId", created_by_name as "createdByName", created_at as "createdAt"
     from key_project_reports where project_id = $1 order by id desc limit 100`,
    [id],
  );
  const photos = await photoIds(
    ctx,
    "key_project_report",
    reports.map((r) => r.id),
  );
  return {
    ...onBoard(p, today),
    milestones: p.milestones.map((m) => ({ ...m, late: !m.doneOn && m.due < today })),
    reports: reports.map((r) => ({ ...r, photoIds: photos.get(r.id) ?? [] })),
  };
}

export async function createKeyProject(
  ctx: AppContext,
  who: Principal,
  b: {
    orgUnitId: number;
    name: string;
    owner: string;
    budget: number;
    startsOn: string;
    endsOn: string;
    milestones: { title: string; weight: number; due: string }[];
  },
) {
  affairsPolicy.authorize(who, "manage");
  const problem = weightProblem(b.milestones.map((m) => m.weight));
  if (problem) throw Invalid(problem, [{ field: "milestones", message: problem }]);
  if (b.endsOn < b.startsOn)
    throw Invalid("完工日期早于开工日期", [{ field: "endsOn", message: "不能早于开工日期" }]);
  for (const [i, m] of b.milestones.entries())
    if (m.due < b.startsOn || m.due > b.endsOn)
      throw Invalid("节点日期应在工期之内", [
        { field: `milestones/${i}/due`, message: "应在开工与完工日期之间" },
      ]);
  const unit = await unitInScope(
    ctx,
    who,
    b.orgUnitId,
    "orgUnitId",
    ["district", "street", "community"],
    "区/街道/社区",
  );
  return inTx(ctx, async (tx) => {
    const [k] = await rows<{ id: number }>(
      tx,
      sql`insert into key_projects (org_unit_id, org_path, name, owner, budget, starts_on, ends_on, created_by)
        values (${unit.id}, ${unit.path}, ${b.name.trim()}, ${b.owner.trim()}, ${b.budget}, ${b.startsOn}, ${b.endsOn}, ${actorId(who)})
        returning id`,
    );
    const sorted = [...b.milestones].sort((x, y) => x.due.localeCompare(y.due));
    for (const [i, m] of sorted.entries())
      await tx.execute(sql`insert into key_project_milestones (project_id, org_path, seq, title, weight, due)
        values (${k.id}, ${unit.path}, ${i + 1}, ${m.title.trim()}, ${m.weight}, ${m.due})`);
    await audit.record(tx, who, {
      action: "create",
      entity: "key_project",
      entityId: k.id,
      orgPath: unit.path,
      after: b,
    });
    return { id: k.id };
  });
}

/** A progress report; naming a milestone as met marks it done on the report's day. */
export async function report(
  ctx: AppContext,
  who: Principal,
  id: number,
  b: { note: string; milestoneId?: number; met?: boolean },
  today = shanghaiDay(),
) {
  affairsPolicy.authorize(who, "manage");
  return inTx(ctx, async (tx) => {
    const [k] = await rows<{ orgPath: string }>(
      tx,
      sql`select org_path as "orgPath" from key_projects where id = ${id} and org_path like ${pattern(who)} for update`,
    );
    if (!k) notFound("重点工程");
    if (b.milestoneId) {
      const [m] = await rows<{ doneOn: string | null }>(
        tx,
        sql`select done_on::text as "doneOn" from key_project_milestones where id = ${b.milestoneId} and project_id = ${id}`,
      );
      if (!m) throw Invalid("节点不属于该工程", [{ field: "milestoneId", message: "节点不属于该工程" }]);
      if (b.met) {
        if (m.doneOn) throw Conflict("该节点已完成");
        await tx.execute(
          sql`update key_project_milestones set done_on = ${today}, updated_at = now() where id = ${b.milestoneId}`,
        );
        await tx.execute(sql`update key_projects set progress = (select coalesce(sum(weight), 0) from key_project_milestones
          where project_id = ${id} and done_on is not null), updated_at = now() where id = ${id}`);
      }
    }
    const [r] = await rows<{ id: number }>(
      tx,
      sql`insert into key_project_reports (project_id, milestone_id, org_path, note, created_by, created_by_name)
        values (${id}, ${b.milestoneId ?? null}, ${k.orgPath}, ${b.note.trim()}, ${actorId(who)}, ${who.displayName}) returning id`,
    );
    await audit.record(tx, who, {
      action: "report",
      entity: "key_project",
      entityId: id,
      orgPath: k.orgPath,
      after: b,
    });
    return { id: r.id };
  });
}

export async function reportPhoto(ctx: AppContext, who: Principal, reportId: number, body: unknown) {
  affairsPolicy.authorize(who, "manage");
  const [r] = await ctx.database.query<{ orgPath: string }>(
    `select org_path as "orgPath" from key_project_reports where id = $1 and org_path like $2`,
    [reportId, pattern(who)],
  );
  if (!r) notFound("进度报告");
  return keepPhoto(ctx, who, "key_project_report", reportId, r.orgPath, body);
}

const mondayOf = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};
const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The weekly progress export (周报): the board as at the week's Sunday, with the week's met milestones and reports. */
export async function weeklyExport(ctx: AppContext, who: Principal, week: string) {
  affairsPolicy.authorize(who, "read");
  const from = mondayOf(week);
  const to = plusDays(from, 6);
  const asOf = [to, shanghaiDay()].sort()[0];
  const ps = await projects(ctx, who);
  const reports = await ctx.database.query<{ projectId: number; notes: string }>(
    `select project_id as "projectId", string_agg(note, '；' order by id) as notes from key_project_reports
     where org_path like $1 and created_at >= $2::date - interval '8 hours' and created_at < $3::date + interval '16 hours'
     group by project_id`,
    [pattern(who), from, to],
  );
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(`重点工程周报 ${from}`);
  ws.columns = [
    { header: "工程名称", key: "name", width: 28 },
    { header: "单位", key: "unit", width: 14 },
    { header: "责任单位", key: "owner", width: 18 },
    { header: "序时进度%", key: "planned", width: 10 },
    { header: "实际进度%", key: "actual", width: 10 },
    { header: "是否滞后", key: "behind", width: 9 },
    { header: "滞后天数", key: "delay", width: 9 },
    { header: "本周完成节点", key: "met", width: 24 },
    { header: "下一节点", key: "next", width: 24 },
    { header: "本周进展", key: "notes", width: 40 },
  ];
  const rowsOut = ps.map((p) => ({ p, b: onBoard(p, asOf) })).sort((x, y) => y.b.delayDays - x.b.delayDays);
  for (const { p, b } of rowsOut)
    ws.addRow(
      Object.fromEntries(
        Object.entries({
          name: p.name,
          unit: p.unitName,
          owner: p.owner,
          planned: b.planned,
          actual: b.actual,
          behind: b.behind ? "滞后" : "正常",
          delay: b.delayDays,
          met: p.milestones
            .filter((m) => m.doneOn && m.doneOn >= from && m.doneOn <= to)
            .map((m) => m.title)
            .join("、"),
          next: b.nextMilestone ?? "",
          notes: reports.find((r) => r.projectId === p.id)?.notes ?? "",
        }).map(([k, v]) => [k, safeCell(v)]),
      ),
    );
  ws.getRow(1).font = { bold: true };
  return { buffer: await workbookBuffer(wb), from };
}

export async function keyProjectRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  app.get(
    "/api/affairs/key-projects",
    {
      schema: {
        tags: T,
        summary: "重点工程序时进度看板（按滞后天数排序）",
        response: { 200: Items(BoardItem), ...stdErrors },
      },
    },
    async (req) => ({ items: await board(ctx, req.actor) }),
  );
  app.post(
    "/api/affairs/key-projects",
    {
      schema: {
        tags: T,
        summary: "新建重点工程及序时节点（权重合计须为 100%）",
        body: Type.Object(
          {
            orgUnitId: Id,
            name: Line({ minLength: 2, maxLength: 60 }),
            owner: Line({ minLength: 2, maxLength: 60 }),
            budget: Int(0, 2_000_000_000),
            startsOn: Day,
            endsOn: Day,
            milestones: Type.Array(
              Type.Object({ title: Line({ minLength: 2, maxLength: 60 }), weight: Int(0, 100), due: Day }, B),
              { minItems: 1, maxItems: 30 },
            ),
          },
          B,
        ),
        response: { 201: Type.Object({ id: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await createKeyProject(ctx, req.actor, req.body)),
  );
  app.get(
    "/api/affairs/key-projects/export",
    {
      schema: {
        tags: T,
        summary: "重点工程周报（xlsx）",
        querystring: Type.Object({ week: Day }, B),
        response: { 200: Type.Unsafe<Buffer>({ type: "string", format: "binary" }), ...stdErrors },
      },
    },
    async (req, reply) => {
      const { buffer, from } = await weeklyExport(ctx, req.actor, req.query.week);
      return sendDownload(reply, {
        kind: "xlsx",
        filename: `重点工程周报-${from}.xlsx`,
        fallback: `key-projects-${from}.xlsx`,
        body: buffer,
      });
    },
  );
  app.get(
    "/api/affairs/key-projects/:id",
    {
      schema: {
        tags: T,
        summary: "重点工程详情",
        params: IdParams,
        response: { 200: KeyProjectDetail, ...stdErrors },
      },
    },
    async (req) => keyProjectDetail(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/affairs/key-projects/:id/reports",
    {
      schema: {
        tags: T,
        summary: "报送进度（可标记节点完成）；照片随后上传到该报告",
        params: IdParams,
        body: Type.Object(
          {
            note: Text({ minLength: 2, maxLength: 2000 }),
            milestoneId: Type.Optional(Id),
            met: Type.Optional(Type.Boolean()),
          },
          B,
        ),
        response: { 201: Type.Object({ id: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await report(ctx, req.actor, req.params.id, req.body)),
  );
  app.post(
    "/api/affairs/key-project-reports/:id/photos",
    {
      schema: {
        tags: T,
        summary: "为进度报告上传照片（图片原样作为请求体）",
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
    async (req, reply) => reply.status(201).send(await reportPhoto(ctx, req.actor, req.params.id, req.body)),
  );
}
