import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { subtreePattern } from "../../../domain/org/scope.ts";
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
  Items,
  Line,
  OneOf,
  Str,
  stdErrors,
  Text,
  Type,
} from "../../platform/schemas.ts";
import * as workOrders from "../workOrders/index.ts";
import { actorId, inTx, notFound, pattern, rows, unitInScope } from "./common.ts";
import { affairsPolicy } from "./policy.ts";
import {
  DeliberationListItem,
  DeliberationSchema,
  PublicDeliberationSchema,
  VoteTally,
} from "./presenter.ts";
import { createProjectIn } from "./projects.ts";

// 议事 / 有事好商量: a topic with its background, a meeting (invited parties, agenda, minutes, attendance),
// agreed actions with owners and deadlines carried out as work orders or practical projects, an optional
// vote (one per household of the community), and a public summary whose action statuses follow the order
// or the project.

const B = { additionalProperties: false } as const;
const T = ["affairs"];
export const SOURCES = ["resident", "hot_spot", "work_order", "grid_worker"] as const;
export const PARTY_KINDS = [
  "resident_rep",
  "property",
  "department",
  "party_member",
  "deputy",
  "community",
] as const;

interface DelibRow {
  id: number;
  orgUnitId: number;
  unitName: string;
  orgPath: string;
  title: string;
  background: string;
  source: string;
  sourceRef: string | null;
  state: string;
  meetingAt: Date | null;
  place: string | null;
  parties: { kind: string; name: string; present: boolean }[];
  agenda: string | null;
  minutes: string | null;
  decision: string | null;
  voteQuestion: string | null;
  voteOptions: string[] | null;
  voteOpen: boolean;
  createdAt: Date;
}
const DELIB_COLS = `d.id, d.org_unit_id as "orgUnitId", u.name as "unitName", d.org_path as "orgPath", d.title, d.background,
  d.source, d.source_ref as "sourceRef", d.state, d.meeting_at as "meetingAt", d.place, d.parties, d.agenda, d.minutes,
  d.decision, d.vote_question as "voteQuestion", d.vote_options as "voteOptions", d.vote_open as "voteOpen",
  d.created_at as "createdAt"`;

interface ActionRow {
  id: number;
  deliberationId: number;
  title: string;
  owner: string;
  due: string;
  carriedBy: string;
  workOrderId: number | null;
  projectId: number | null;
  state: string;
}

const STATUS_LABELS: Record<string, string> = { open: "待办", in_progress: "办理中", done: "已完成" };

/** Each action's status, following its work order (closed from the resident's side) or its project. */
async function actionStatuses(ctx: AppContext, actions: ActionRow[]) {
  const orderIds = actions.flatMap((a) => (a.workOrderId ? [a.workOrderId] : []));
  const projectIds = actions.flatMap((a) => (a.projectId ? [a.projectId] : []));
  const orders = orderIds.length
    ? await workOrders.listPublic(ctx, { ids: orderIds, limit: orderIds.length })
    : [];
  const projects = projectIds.length
    ? await ctx.database.query<{ id: number; state: string }>(
        "select id, state from practical_projects where id = any($1::int[])",
        [projectIds],
      )
    : [];
  return actions.map((a) => {
    let status = a.state === "done" ? "done" : "open";
    let orderNumber: string | null = null;
    if (a.workOrderId) {
      const o = orders.find((x) => x.id === a.workOrderId);
      orderNumber = o?.number ?? null;
      status = o?.closed ? "done" : "in_progress";
    } else if (a.projectId) {
      const p = projects.find((x) => x.id === a.projectId);
      status =
        p && (p.state === "done" || p.state === "archived")
          ? "done"
          : p?.state === "published"
            ? "in_progress"
            : "open";
    }
    return { ...a, status, statusLabel: STATUS_LABELS[status], workOrderNumber: orderNumber };
  });
}

async function actionsOf(ctx: AppContext, ids: number[]) {
  return ctx.database.query<ActionRow>(
    `select id, deliberation_id as "deliberationId", title, owner, due::text as due, carried_by as "carriedBy",
       work_order_id as "workOrderId", project_id as "projectId", state
     from deliberation_actions where deliberation_id = any($1::int[]) order by id`,
    [ids],
  );
}

async function votesOf(ctx: AppContext, id: number, options: string[] | null) {
  const vs = await ctx.database.query<{ option: string; votes: number }>(
    "select option, count(*)::int as votes from deliberation_votes where deliberation_id = $1 group by option",
    [id],
  );
  return (options ?? []).map((o) => ({ option: o, votes: vs.find((v) => v.option === o)?.votes ?? 0 }));
}

export async function listDeliberations(ctx: AppContext, who: Principal) {
  affairsPolicy.authorize(who, "read");
  return ctx.database.query(
    `select d.id, d.org_unit_id as "orgUnitId", u.name as "unitName", d.title, d.source, d.state, d.meeting_at as "meetingAt",
       (select count(*)::int from deliberation_actions a where a.deliberation_id = d.id) as actions,
       (select count(*)::int from deliberation_actions a where a.deliberation_id = d.id and a.state = 'done') as "actionsDone",
       d.created_at as "createdAt"
     from deliberations d join org_units u on u.id = d.org_unit_id
     where (d.org_path like $1 or $2 like d.org_path || '%') order by d.id desc limit 300`,
    [pattern(who), who.orgPath],
  );
}

export async function openTopic(
  ctx: AppContext,
  who: Principal,
  b: { orgUnitId: number; title: string; background: string; source: string; sourceRef?: string },
) {
  affairsPolicy.authorize(who, "propose");
  // A grid's worker puts the topic on their community's table.
  const named = await unitInScope(
    ctx,
    who,
    b.orgUnitId,
    "orgUnitId",
    ["community", "grid", "micro_grid"],
    "社区或网格",
  );
  const [unit] =
    named.kind === "community"
      ? [named]
      : await ctx.database.query<{ id: number; path: string }>(
          "select id, path from org_units where kind = 'community' and $1 like path || '%'",
          [named.path],
        );
  return inTx(ctx, async (tx) => {
    const [r] = await rows<{ id: number }>(
      tx,
      sql`insert into deliberations (org_unit_id, org_path, title, background, source, source_ref, created_by)
        values (${unit.id}, ${unit.path}, ${b.title.trim()}, ${b.background.trim()}, ${b.source}, ${b.sourceRef?.trim() || null}, ${actorId(who)})
        returning id`,
    );
    await audit.record(tx, who, {
      action: "create",
      entity: "deliberation",
      entityId: r.id,
      orgPath: unit.path,
    });
    return { id: r.id, state: "open" };
  });
}

/**
 * A community's topics concern every grid in it: a topic is visible in the caller's subtree, and to the staff
 * of the community's grids (whose subtree lies inside the topic's community).
 */
const visible = (col: string, params: unknown[], who: Principal) =>
  `(${col} like $${params.push(pattern(who))} or $${params.push(who.orgPath)} like ${col} || '%')`;

async function delibRow(ctx: AppContext, who: Principal | null, id: number) {
  const params: unknown[] = [id];
  const scope = who ? `and ${visible("d.org_path", params, who)}` : "";
  const [d] = await ctx.database.query<DelibRow>(
    `select ${DELIB_COLS} from deliberations d join org_units u on u.id = d.org_unit_id where d.id = $1 ${scope}`,
    params,
  );
  if (!d) notFound("议题");
  return d;
}

export async function deliberationDetail(ctx: AppContext, who: Principal, id: number) {
  affairsPolicy.authorize(who, "read");
  const d = await delibRow(ctx, who, id);
  const actions = await actionStatuses(ctx, await actionsOf(ctx, [id]));
  return {
    id: d.id,
    orgUnitId: d.orgUnitId,
    unitName: d.unitName,
    title: d.title,
    background: d.background,
    source: d.source,
    sourceRef: d.sourceRef,
    state: d.state,
    meetingAt: d.meetingAt,
    place: d.place,
    parties: (d.parties ?? []).map((p) => ({ kind: p.kind, name: p.name, present: !!p.present })),
    agenda: d.agenda,
    minutes: d.minutes,
    decision: d.decision,
    voteQuestion: d.voteQuestion,
    voteOpen: d.voteOpen,
    votes: await votesOf(ctx, id, d.voteOptions),
    actions: actions.map((a) => ({
      id: a.id,
      title: a.title,
      owner: a.owner,
      due: a.due,
      carriedBy: a.carriedBy,
      workOrderId: a.workOrderId,
      workOrderNumber: a.workOrderNumber,
      projectId: a.projectId,
      status: a.status,
      statusLabel: a.statusLabel,
    })),
    createdAt: d.createdAt,
  };
}

async function lockTopic(tx: Parameters<typeof rows>[0], who: Principal, id: number) {
  const [d] = await rows<{
    id: number;
    state: string;
    orgPath: string;
    orgUnitId: number;
    voteOpen: boolean;
    voteOptions: string[] | null;
  }>(
    tx,
    sql`select id, state, org_path as "orgPath", org_unit_id as "orgUnitId", vote_open as "voteOpen", vote_options as "voteOptions"
      from deliberations where id = ${id} and (org_path like ${pattern(who)} or ${who.orgPath} like org_path || '%') for update`,
  );
  if (!d) notFound("议题");
  return d;
}

export async function recordMeeting(
  ctx: AppContext,
  who: Principal,
  id: number,
  b: {
    meetingAt: string;
    place: string;
    parties: { kind: string; name: string; present: boolean }[];
    agenda: string;
    minutes: string;
    vote?: { question: string; options: string[] };
  },
) {
  affairsPolicy.authorize(who, "manage");
  if (b.vote && new Set(b.vote.options).size !== b.vote.options.length)
    throw Invalid("投票选项不能重复", [{ field: "vote", message: "选项不能重复" }]);
  return inTx(ctx, async (tx) => {
    const d = await lockTopic(tx, who, id);
    if (d.state === "decided") throw Conflict("议题已形成决定，不能修改会议记录");
    await tx.execute(sql`update deliberations set state = 'met', meeting_at = ${new Date(b.meetingAt)}, place = ${b.place.trim()},
      parties = ${JSON.stringify(b.parties)}::jsonb, agenda = ${b.agenda.trim()}, minutes = ${b.minutes.trim()},
      vote_question = ${b.vote?.question ?? null}, vote_options = ${b.vote ? `{${b.vote.options.map((o) => `"${o.replace(/["\\]/g, "")}"`).join(",")}}` : null}::text[],
      vote_open = ${!!b.vote}, updated_at = now() where id = ${id}`);
    await audit.record(tx, who, {
      action: "meeting",
      entity: "deliberation",
      entityId: id,
      orgPath: d.orgPath,
      after: b,
    });
    return { id, state: "met" };
  });
}

export interface ActionInput {
  title: string;
  owner: string;
  due: string;
  carriedBy: "work_order" | "project" | "none";
  categoryCode?: string;
  budget?: number;
}

/** The decision and its agreed actions: work orders are filed (dispatched to the community), projects drafted. */
export async function decide(
  ctx: AppContext,
  who: Principal,
  id: number,
  b: { decision: string; actions: ActionInput[] },
) {
  affairsPolicy.authorize(who, "manage");
  const d0 = await delibRow(ctx, who, id);
  if (d0.state === "decided") throw Conflict("议题已形成决定");
  // Work orders are prepared (validated and routed) before the transaction, written inside it.
  const prepared = await Promise.all(
    b.actions.map((a, i) => {
      if (a.carriedBy !== "work_order") return null;
      if (!a.categoryCode)
        throw Invalid("转工单须选择诉求分类", [
          { field: `actions/${i}/categoryCode`, message: "请选择诉求分类" },
        ]);
      return workOrders.prepareOrder(ctx, who, {
        channel: "grid_patrol",
        categoryCode: a.categoryCode,
        description: `【议事协商】${d0.title}：${a.title}（责任方：${a.owner}，期限 ${a.due}）`,
        orgUnitId: d0.orgUnitId,
      });
    }),
  );
  return inTx(ctx, async (tx) => {
    const d = await lockTopic(tx, who, id);
    if (d.state === "decided") throw Conflict("议题已形成决定");
    const out: { id: number; workOrderId: number | null; projectId: number | null }[] = [];
    for (const [i, a] of b.actions.entries()) {
      const [row] = await rows<{ id: number }>(
        tx,
        sql`insert into deliberation_actions (deliberation_id, org_path, title, owner, due, carried_by)
          values (${id}, ${d.orgPath}, ${a.title.trim()}, ${a.owner.trim()}, ${a.due}, ${a.carriedBy}) returning id`,
      );
      let workOrderId: number | null = null;
      let projectId: number | null = null;
      const p = prepared[i];
      if (p) workOrderId = (await workOrders.writePreparedOrder(tx, p)).id;
      if (a.carriedBy === "project")
        projectId = await createProjectIn(
          tx,
          who,
          { id: d.orgUnitId, path: d.orgPath },
          { ...a, deadline: a.due },
          row.id,
        );
      if (workOrderId || projectId)
        await tx.execute(
          sql`update deliberation_actions set work_order_id = ${workOrderId}, project_id = ${projectId} where id = ${row.id}`,
        );
      out.push({ id: row.id, workOrderId, projectId });
    }
    await tx.execute(
      sql`update deliberations set state = 'decided', decision = ${b.decision.trim()}, updated_at = now() where id = ${id}`,
    );
    await audit.record(tx, who, {
      action: "decide",
      entity: "deliberation",
      entityId: id,
      orgPath: d.orgPath,
      after: b,
    });
    return { id, state: "decided", actions: out };
  });
}

/** An action carried by nobody else, marked done by the community. */
export async function finishAction(ctx: AppContext, who: Principal, actionId: number) {
  affairsPolicy.authorize(who, "manage");
  return inTx(ctx, async (tx) => {
    const [a] = await rows<{ state: string; carriedBy: string; orgPath: string }>(
      tx,
      sql`select state, carried_by as "carriedBy", org_path as "orgPath" from deliberation_actions
        where id = ${actionId} and org_path like ${pattern(who)} for update`,
    );
    if (!a) notFound("议定事项");
    if (a.carriedBy !== "none") throw Conflict("该事项随工单或项目办结，无需手动完成");
    if (a.state === "done") throw Conflict("该事项已完成");
    await tx.execute(
      sql`update deliberation_actions set state = 'done', updated_at = now() where id = ${actionId}`,
    );
    await audit.record(tx, who, {
      action: "finish",
      entity: "deliberation_action",
      entityId: actionId,
      orgPath: a.orgPath,
    });
    return { id: actionId, state: "done" };
  });
}

/** A household's vote (one per household), recorded by its grid's staff; a household outside the community is 404. */
export async function vote(
  ctx: AppContext,
  who: Principal,
  id: number,
  b: { householdId: number; option: string },
) {
  affairsPolicy.authorize(who, "propose");
  return inTx(ctx, async (tx) => {
    const d = await lockTopic(tx, who, id);
    const [h] = await rows<{ id: number }>(
      tx,
      sql`select id from households where id = ${b.householdId} and org_path like ${subtreePattern(d.orgPath)}
        and org_path like ${pattern(who)}`,
    );
    if (!h) throw NotFound("该户不在本社区");
    if (!d.voteOpen) throw Conflict("该议题没有进行中的投票");
    if (!(d.voteOptions ?? []).includes(b.option))
      throw Invalid("没有这个选项", [{ field: "option", message: "没有这个选项" }]);
    const [v] = await rows<{ id: number }>(
      tx,
      sql`insert into deliberation_votes (deliberation_id, household_id, org_path, option, recorded_by)
        values (${id}, ${b.householdId}, ${d.orgPath}, ${b.option}, ${actorId(who)})
        on conflict (deliberation_id, household_id) do nothing returning id`,
    );
    if (!v) throw Conflict("该户已投过票（每户一票）");
    await audit.record(tx, who, {
      action: "vote",
      entity: "deliberation",
      entityId: id,
      orgPath: d.orgPath,
      after: b,
    });
    return { id: v.id };
  });
}

/**
 * A resident's own vote from the public page, with a pass from a verified phone: the household is the one
 * registered with that phone in the topic's community (none → 404, as for a household outside it), and each
 * household votes once (a second → 409), whether it voted here or staff recorded its vote at the desk.
 */
export async function residentVote(
  ctx: AppContext,
  id: number,
  b: { pass: string; option: string },
  now = new Date(),
) {
  const verified = await oneTimeCodes.redeemPass(ctx, "deliberation_vote", b.pass, now);
  if (!verified)
    throw Invalid("手机验证已过期，请重新获取验证码", [{ field: "pass", message: "验证已过期" }]);
  const r = await inTx(ctx, async (tx) => {
    const [d] = await rows<{ orgPath: string; voteOpen: boolean; voteOptions: string[] | null }>(
      tx,
      sql`select org_path as "orgPath", vote_open as "voteOpen", vote_options as "voteOptions" from deliberations
        where id = ${id} and state in ('met', 'decided') for update`,
    );
    if (!d) notFound("议题");
    const [h] = await rows<{ householdId: number }>(
      tx,
      sql`select household_id as "householdId" from residents where phone_hash = ${verified.phoneHash}
        and household_id is not null and org_path like ${subtreePattern(d.orgPath)} order by id limit 1`,
    );
    if (!h) throw NotFound("该手机号不是本社区登记住户的号码");
    if (!d.voteOpen) throw Conflict("该议题没有进行中的投票");
    if (!(d.voteOptions ?? []).includes(b.option))
      throw Invalid("没有这个选项", [{ field: "option", message: "没有这个选项" }]);
    const [v] = await rows<{ id: number }>(
      tx,
      sql`insert into deliberation_votes (deliberation_id, household_id, org_path, option, recorded_by)
        values (${id}, ${h.householdId}, ${d.orgPath}, ${b.option}, null)
        on conflict (deliberation_id, household_id) do nothing returning id`,
    );
    if (!v) throw Conflict("您家已投过票（每户一票）");
    await audit.record(tx, null, {
      action: "vote",
      entity: "deliberation",
      entityId: id,
      orgPath: d.orgPath,
      after: { option: b.option, channel: "public" },
    });
    return { id: v.id, options: d.voteOptions };
  });
  return { id: r.id, votes: await votesOf(ctx, id, r.options) };
}

/** What a stranger may see of a topic: no names, phones or flats; parties counted by kind. */
export async function publicSummary(ctx: AppContext, id: number) {
  const d = await delibRow(ctx, null, id);
  const actions = await actionStatuses(ctx, await actionsOf(ctx, [id]));
  const kinds = new Map<string, number>();
  for (const p of d.parties ?? []) if (p.present) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
  return {
    id: d.id,
    unitName: d.unitName,
    title: publicText(d.title),
    background: publicText(d.background),
    state: d.state,
    meetingAt: d.meetingAt,
    parties: [...kinds].map(([kind, count]) => ({ kind, count })),
    decision: d.decision ? publicText(d.decision) : null,
    voteQuestion: d.voteQuestion,
    voteOpen: d.voteOpen,
    votes: await votesOf(ctx, id, d.voteOptions),
    actions: actions.map((a) => ({
      id: a.id,
      title: publicText(a.title),
      owner: a.owner,
      due: a.due,
      status: a.status,
      statusLabel: a.statusLabel,
    })),
  };
}

export async function publicTopics(ctx: AppContext, unitId: number) {
  return ctx.database
    .query<{ id: number; title: string; state: string; meetingAt: Date | null }>(
      `select id, title, state, meeting_at as "meetingAt" from deliberations
     where org_unit_id = $1 and state in ('met', 'decided') order by id desc limit 50`,
      [unitId],
    )
    .then((rs) => rs.map((r) => ({ ...r, title: publicText(r.title) })));
}

export async function deliberationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const Ok = Type.Object({ id: Type.Integer(), state: Str });

  app.get(
    "/api/affairs/deliberations",
    {
      schema: { tags: T, summary: "议题列表", response: { 200: Items(DeliberationListItem), ...stdErrors } },
    },
    async (req) => ({ items: (await listDeliberations(ctx, req.actor)) as never[] }),
  );
  app.post(
    "/api/affairs/deliberations",
    {
      schema: {
        tags: T,
        summary: "提出议题（居民、高频诉求、工单或网格员）及背景",
        body: Type.Object(
          {
            orgUnitId: Id,
            title: Line({ minLength: 2, maxLength: 60 }),
            background: Text({ minLength: 2, maxLength: 4000 }),
            source: OneOf(SOURCES),
            sourceRef: Type.Optional(Line({ maxLength: 60 })),
          },
          B,
        ),
        response: { 201: Ok, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await openTopic(ctx, req.actor, req.body)),
  );
  app.get(
    "/api/affairs/deliberations/:id",
    {
      schema: {
        tags: T,
        summary: "议题详情",
        params: IdParams,
        response: { 200: DeliberationSchema, ...stdErrors },
      },
    },
    async (req) => deliberationDetail(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/affairs/deliberations/:id/meeting",
    {
      schema: {
        tags: T,
        summary: "记录协商会议：参会各方、议程、纪要、出席；可开启一户一票的投票",
        params: IdParams,
        body: Type.Object(
          {
            meetingAt: Type.String({ format: "date-time" }),
            place: Line({ minLength: 2, maxLength: 60 }),
            parties: Type.Array(
              Type.Object(
                {
                  kind: OneOf(PARTY_KINDS),
                  name: Line({ minLength: 1, maxLength: 40 }),
                  present: Type.Boolean(),
                },
                B,
              ),
              { minItems: 1, maxItems: 60 },
            ),
            agenda: Text({ minLength: 2, maxLength: 2000 }),
            minutes: Text({ minLength: 2, maxLength: 8000 }),
            vote: Type.Optional(
              Type.Object(
                {
                  question: Line({ minLength: 2, maxLength: 100 }),
                  options: Type.Array(Line({ minLength: 1, maxLength: 30 }), { minItems: 2, maxItems: 6 }),
                },
                B,
              ),
            ),
          },
          B,
        ),
        response: { 200: Ok, ...stdErrors },
      },
    },
    async (req) => recordMeeting(ctx, req.actor, req.params.id, req.body),
  );
  app.post(
    "/api/affairs/deliberations/:id/decision",
    {
      schema: {
        tags: T,
        summary: "形成决定：议定事项（责任方、期限）转为工单或实事项目",
        params: IdParams,
        body: Type.Object(
          {
            decision: Text({ minLength: 2, maxLength: 2000 }),
            actions: Type.Array(
              Type.Object(
                {
                  title: Line({ minLength: 2, maxLength: 60 }),
                  owner: Line({ minLength: 2, maxLength: 60 }),
                  due: Day,
                  carriedBy: OneOf(["work_order", "project", "none"] as const),
                  categoryCode: Type.Optional(Line({ maxLength: 40 })),
                  budget: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_000_000_000 })),
                },
                B,
              ),
              { minItems: 1, maxItems: 20 },
            ),
          },
          B,
        ),
        response: {
          200: Type.Object({
            id: Type.Integer(),
            state: Str,
            actions: Type.Array(
              Type.Object({
                id: Type.Integer(),
                workOrderId: Type.Union([Type.Integer(), Type.Null()]),
                projectId: Type.Union([Type.Integer(), Type.Null()]),
              }),
            ),
          }),
          ...stdErrors,
        },
      },
    },
    async (req) => decide(ctx, req.actor, req.params.id, req.body),
  );
  app.post(
    "/api/affairs/deliberation-actions/:id/done",
    {
      schema: {
        tags: T,
        summary: "完成一项不转工单或项目的议定事项",
        params: IdParams,
        response: { 200: Ok, ...stdErrors },
      },
    },
    async (req) => finishAction(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/affairs/deliberations/:id/votes",
    {
      schema: {
        tags: T,
        summary: "登记一户的投票（每户一票；非本社区住户 404）",
        params: IdParams,
        body: Type.Object({ householdId: Id, option: Line({ minLength: 1, maxLength: 30 }) }, B),
        response: { 201: Type.Object({ id: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await vote(ctx, req.actor, req.params.id, req.body)),
  );

  const publicErrors = { 400: ErrorBody, 404: ErrorBody };
  app.get(
    "/api/public/affairs/deliberations",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "社区议事公开列表",
        querystring: Type.Object({ unit: Id }, B),
        response: {
          200: Items(
            Type.Object({
              id: Type.Integer(),
              title: Str,
              state: Str,
              meetingAt: Type.Unsafe<Date | null>({ type: ["string", "null"], format: "date-time" }),
            }),
          ),
          ...publicErrors,
        },
      },
    },
    async (req) => ({ items: await publicTopics(ctx, req.query.unit) }),
  );
  app.get(
    "/api/public/affairs/deliberations/:id",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "议事结果公开：决定了什么、办得怎样（不含个人信息）",
        params: IdParams,
        response: { 200: PublicDeliberationSchema, ...publicErrors },
      },
    },
    async (req) => publicSummary(ctx, req.params.id),
  );
  app.post(
    "/api/public/affairs/deliberations/:id/votes",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary:
          "居民投票：凭验证过的手机号（用途 deliberation_vote）为本户投一票；每户一票（重复 409），非本社区住户 404",
        params: IdParams,
        body: Type.Object(
          { pass: Line({ minLength: 10, maxLength: 64 }), option: Line({ minLength: 1, maxLength: 30 }) },
          B,
        ),
        response: {
          201: Type.Object({ id: Type.Integer(), votes: Type.Array(VoteTally) }),
          ...publicErrors,
          409: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (req, reply) => reply.status(201).send(await residentVote(ctx, req.params.id, req.body)),
  );
}
