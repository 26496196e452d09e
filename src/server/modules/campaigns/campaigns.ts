import { sql } from "drizzle-orm";
import { checkQuestionnaire, type Question } from "../../../domain/campaigns/questionnaire.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { Actor, AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Invalid, NotFound } from "../../platform/errors.ts";
import * as verification from "../verification/index.ts";
import {
  CAMPAIGN_COLUMNS,
  type CampaignRow,
  inTx,
  intArray,
  ownCampaign,
  pattern,
  questionnaires,
  rows,
  seedRollups,
  visibleCampaign,
} from "./common.ts";
import { campaignPolicy } from "./policy.ts";
import { presentCampaign } from "./presenter.ts";
import { forgetProgress } from "./progress.ts";
import { uploadForLaunch } from "./uploads.ts";

export interface LaunchInput {
  name: string;
  orgUnitId: number;
  startsOn: string;
  endsOn: string;
  gridIds: number[];
  target: { kind: "all" | "tags" | "list" | "upload"; tags?: string[]; listId?: number; uploadId?: number };
  questions: Question[];
  notice?: { title: string; body: string };
}

function questionProblems(questions: Question[]) {
  const problems = checkQuestionnaire(questions);
  if (problems.length)
    throw Invalid(
      problems[0],
      problems.map((message) => ({ field: "questions", message })),
    );
}

/**
 * Launches a campaign and assigns its households in the same transaction, set-based: every household of
 * the chosen grids that meets the target goes to the member of its micro-grid (a grid worker placed on the
 * micro-grid), else to its grid's worker (else its grid head); one statement however many households.
 */
export async function launch(ctx: Pick<AppContext, "database">, actor: Actor, input: LaunchInput) {
  campaignPolicy.authorize(actor, "manage");
  if (input.endsOn < input.startsOn)
    throw Invalid("结束日期不能早于开始日期", [{ field: "endsOn", message: "结束日期不能早于开始日期" }]);
  questionProblems(input.questions);
  const [owner] = await ctx.database.query<{ id: number; path: string; kind: string }>(
    "select id, path, kind from org_units where id = $1 and path like $2",
    [input.orgUnitId, pattern(actor)],
  );
  if (!owner || !["district", "street", "community"].includes(owner.kind))
    throw Invalid("发起单位须为本辖区的区、街道或社区", [
      { field: "orgUnitId", message: "发起单位不存在或不在辖区内" },
    ]);
  const gridIds = [...new Set(input.gridIds)];
  const [g] = await ctx.database.query<{ n: number }>(
    "select count(*)::int as n from org_units where id = any($1::int[]) and kind = 'grid' and path like $2",
    [gridIds, `${owner.path}%`],
  );
  if (g.n !== gridIds.length)
    throw Invalid("所选网格须在发起单位之内", [
      { field: "gridIds", message: "有网格不存在或不在发起单位之内" },
    ]);
  const t = input.target;
  if (t.kind === "tags" && !t.tags?.length)
    throw Invalid("请选择重点人群标签", [{ field: "target.tags", message: "至少选择一个标签" }]);
  let listId: number | null = null;
  if (t.kind === "list") {
    if (!t.listId) throw Invalid("请选择核查名单", [{ field: "target.listId", message: "请选择核查名单" }]);
    try {
      listId = (await verification.listForCampaign(ctx, actor, t.listId)).id;
    } catch {
      throw Invalid("核查名单不存在", [{ field: "target.listId", message: "核查名单不存在或不在辖区内" }]);
    }
  }
  let uploadId: number | null = null;
  if (t.kind === "upload") {
    const u = t.uploadId ? await uploadForLaunch(ctx, actor, t.uploadId) : null;
    if (!u)
      throw Invalid("请上传住户名单", [{ field: "target.uploadId", message: "名单不存在或不在辖区内" }]);
    uploadId = u.id;
  }
  const tags = t.kind === "tags" ? (t.tags ?? []) : [];
  // An array literal passed as one parameter (tags are from a fixed list of codes).
  const tagsLiteral = `{${tags.join(",")}}`;
  const targetWhere =
    t.kind === "tags"
      ? sql`and exists (select 1 from residents r where r.household_id = h.id and r.tags && ${tagsLiteral}::text[])`
      : t.kind === "list"
        ? sql`and h.id in (select r.household_id from residents r
                            where r.id in (${sql.raw(verification.listResidentsSql(String(listId)))}))`
        : t.kind === "upload"
          ? sql`and h.id in (select unnest(household_ids) from campaign_uploads where id = ${uploadId})`
          : sql``;

  return inTx(ctx, async (tx) => {
    const [c] = await rows<{ id: number }>(
      tx,
      sql`insert into campaigns (org_unit_id, org_path, name, starts_on, ends_on, grid_ids, target_kind, target_tags,
            verification_list_id, upload_id, notice_title, notice_body, created_by, created_by_name)
          values (${owner.id}, ${owner.path}, ${input.name}, ${input.startsOn}, ${input.endsOn},
            ${sql.raw(`'{${gridIds.join(",")}}'::int[]`)}, ${t.kind}, ${tagsLiteral}::text[], ${listId}, ${uploadId},
            ${input.notice?.title ?? null}, ${input.notice?.body ?? null}, ${actor.id}, ${actor.displayName})
          returning id`,
    );
    await tx.execute(sql`insert into campaign_questionnaires (campaign_id, version, questions, created_by)
      values (${c.id}, 1, ${JSON.stringify(input.questions)}::jsonb, ${actor.id})`);
    const grids = sql.raw(`'{${gridIds.join(",")}}'::int[]`);
    const [assigned] = await rows<{ n: number }>(
      tx,
      sql`with units as (
            select u.id, u.kind, case when u.kind = 'micro_grid' then u.parent_id else u.id end as grid_id
              from org_units u
             where u.id = any(${grids}) or (u.kind = 'micro_grid' and u.parent_id = any(${grids}))),
          members as (
            select distinct on (a.org_unit_id) a.org_unit_id as unit_id, a.id as account_id
              from accounts a join units on units.id = a.org_unit_id
             where not a.disabled and a.role in ('grid_worker', 'grid_head')
             order by a.org_unit_id, (a.role = 'grid_worker') desc, a.id),
          added as (
            insert into campaign_households (campaign_id, household_id, building_id, unit_id, grid_id, org_path,
              member_id, unit_no, floor, room_no, address, building_name)
            select ${c.id}, h.id, h.building_id, h.org_unit_id, units.grid_id, h.org_path,
                   coalesce(mm.account_id, gm.account_id), h.unit_no,
                   case when h.room_no ~ '^[0-9]{3,4}' then substring(h.room_no from '^([0-9]{3,4})')::int / 100 end,
                   h.room_no, h.address, b.name
              from households h
              join buildings b on b.id = h.building_id
              join units on units.id = h.org_unit_id
              left join members mm on mm.unit_id = h.org_unit_id
              left join members gm on gm.unit_id = units.grid_id
             where true ${targetWhere}
            returning 1)
          select count(*)::int as n from added`,
    );
    if (assigned.n === 0)
      throw Invalid("所选范围内没有符合条件的住户", [{ field: "target", message: "没有符合条件的住户" }]);
    await tx.execute(sql`
      insert into campaign_tallies (campaign_id, unit_id, org_path, target)
      select ${c.id}, unit_id, min(org_path), count(*)::int from campaign_households
       where campaign_id = ${c.id} group by unit_id`);
    await seedRollups(tx, c.id);
    await audit.record(tx, actor, {
      action: "create",
      entity: "campaign",
      entityId: c.id,
      orgPath: owner.path,
      after: { name: input.name, grids: gridIds.length, target: t.kind, households: assigned.n },
    });
    return { id: c.id, households: assigned.n };
  });
}

/** Campaigns run in the caller's subtree, or above it and reaching into it; running ones first. */
export async function listCampaigns(ctx: AppContext, actor: Actor) {
  campaignPolicy.authorize(actor, "read");
  const list = await ctx.database.query<CampaignRow & { target: number; visited: number; done: number }>(
    `select ${CAMPAIGN_COLUMNS},
        coalesce(s.target, 0)::int as target, coalesce(s.visited, 0)::int as visited, coalesce(s.done, 0)::int as done
       from campaigns c join org_units o on o.id = c.org_unit_id
       left join lateral (select sum(target) as target, sum(visited) as visited, sum(done) as done
                            from campaign_tallies t where t.campaign_id = c.id and t.org_path like $1) s on true
      where (c.org_path like $1 or $2 like c.org_path || '%')
      order by c.state = 'running' desc, c.starts_on desc, c.id desc limit 200`,
    [pattern(actor), actor.orgPath],
  );
  // A campaign above the caller that reaches none of their grids is not theirs to see.
  return list
    .filter((c) => c.target > 0 || c.orgPath.startsWith(actor.orgPath))
    .map((c) => ({ ...presentCampaign(c), targetCount: c.target, visited: c.visited, done: c.done }));
}

export async function campaignDetail(ctx: AppContext, actor: Actor, id: number) {
  campaignPolicy.authorize(actor, "read");
  const c = await visibleCampaign(ctx, actor, id);
  const qs = await questionnaires(ctx, id);
  const grids = await ctx.database.query<{ id: number; name: string; path: string }>(
    "select id, name, path from org_units where id = any($1::int[]) and (path like $2 or $3 like path || '%') order by path",
    [c.gridIds, pattern(actor), actor.orgPath],
  );
  return {
    ...presentCampaign(c),
    questions: qs.get(c.questionnaireVersion) ?? [],
    versions: [...qs.keys()],
    grids: grids.map((g) => ({ id: g.id, name: g.name })),
    canManage: campaignPolicy.can(actor, "manage") && c.orgPath.startsWith(actor.orgPath),
    canReassign: campaignPolicy.can(actor, "manage"),
  };
}

/**
 * A new version of the questionnaire: new records are made with it, records already made keep the version
 * they name and are read with its questions.
 */
export async function reviseQuestionnaire(ctx: AppContext, actor: Actor, id: number, questions: Question[]) {
  campaignPolicy.authorize(actor, "manage");
  const c = await ownCampaign(ctx, actor, id);
  questionProblems(questions);
  return inTx(ctx, async (tx) => {
    const [v] = await rows<{ version: number }>(
      tx,
      sql`update campaigns set questionnaire_version = questionnaire_version + 1, updated_at = now()
           where id = ${id} returning questionnaire_version as version`,
    );
    await tx.execute(sql`insert into campaign_questionnaires (campaign_id, version, questions, created_by)
      values (${id}, ${v.version}, ${JSON.stringify(questions)}::jsonb, ${actor.id})`);
    await audit.record(tx, actor, {
      action: "revise_questionnaire",
      entity: "campaign",
      entityId: id,
      orgPath: c.orgPath,
      before: { version: c.questionnaireVersion },
      after: { version: v.version, questions: questions.length },
    });
    return { version: v.version };
  });
}

/**
 * Rebalancing: the named households (dragged on the desk one at a time, or selected many at once), or every
 * household of the named micro-grids (optionally only those now held by one member), go to another member.
 * The street, or a community within its own grids of a street's campaign. The member must be a grid worker
 * or head inside both the campaign's unit and the caller's (else 404, as a household outside them is); all
 * or nothing: one household out of reach and none moves. The one who held them keeps the right to sync what
 * their phone recorded before (former member).
 */
export async function reassign(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: { householdIds?: number[]; unitIds?: number[]; fromMemberId?: number; toMemberId: number },
) {
  campaignPolicy.authorize(actor, "manage");
  const c = await visibleCampaign(ctx, actor, id);
  if (!input.householdIds?.length && !input.unitIds?.length)
    throw Invalid("请选择住户或微网格", [{ field: "householdIds", message: "请选择住户或微网格" }]);
  const [to] = await ctx.database.query<{ id: number; name: string }>(
    `select a.id, a.display_name as name from accounts a join org_units o on o.id = a.org_unit_id
      where a.id = $1 and not a.disabled and a.role in ('grid_worker', 'grid_head')
        and o.path like $2 and o.path like $3`,
    [input.toMemberId, `${c.orgPath}%`, pattern(actor)],
  );
  if (!to) throw NotFound("接手的网格员不存在或不在本行动、本辖区范围内");
  const households = [...new Set(input.householdIds ?? [])];
  const units = [...new Set(input.unitIds ?? [])];
  return inTx(ctx, async (tx) => {
    // Checked inside the transaction, on the rows it then moves (locked), so nothing moves unless all may.
    if (households.length) {
      const [n] = await rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from (select 1 from campaign_households
              where campaign_id = ${id} and household_id = any(${sql.raw(intArray(households))})
                and org_path like ${pattern(actor)} for update) x`,
      );
      if (n.n !== households.length) throw NotFound("部分住户不在本行动或不在辖区内，未作任何调整");
    }
    if (units.length) {
      const [n] = await rows<{ n: number }>(
        tx,
        sql`select count(distinct unit_id)::int as n from campaign_tallies
             where campaign_id = ${id} and unit_id = any(${sql.raw(intArray(units))}) and org_path like ${pattern(actor)}`,
      );
      if (n.n !== units.length) throw NotFound("部分微网格不在本行动或不在辖区内，未作任何调整");
    }
    const moved = await rows<{ unitId: number }>(
      tx,
      sql`update campaign_households set
            former_member_ids = case when member_id is not null and member_id <> ${to.id}
                                       and not member_id = any(former_member_ids)
                                     then former_member_ids || member_id else former_member_ids end,
            member_id = ${to.id}, updated_at = now()
          where campaign_id = ${id} and org_path like ${pattern(actor)}
            and (household_id = any(${sql.raw(intArray(households))})
                 or unit_id = any(${sql.raw(intArray(units))}))
            ${input.fromMemberId ? sql`and member_id = ${input.fromMemberId}` : sql``}
            and member_id is distinct from ${to.id}
          returning unit_id as "unitId"`,
    );
    await audit.record(tx, actor, {
      action: "reassign",
      entity: "campaign",
      entityId: id,
      orgPath: c.orgPath,
      after: {
        to: to.id,
        households: moved.length,
        named: households.length,
        units: units.length,
        from: input.fromMemberId ?? null,
      },
    });
    forgetProgress(ctx.database);
    return { moved: moved.length, to: { id: to.id, name: to.name } };
  });
}

/** Members who may take households of a campaign within the caller's reach (for the reassign form). */
export async function candidates(ctx: AppContext, actor: Actor, id: number) {
  campaignPolicy.authorize(actor, "manage");
  const c = await visibleCampaign(ctx, actor, id);
  const r = await ctx.database.query<{ id: number; name: string; unit: string; households: number }>(
    `select a.id, a.display_name as name, o.name as unit,
            (select count(*)::int from campaign_households ch where ch.campaign_id = $1 and ch.member_id = a.id) as households
       from accounts a join org_units o on o.id = a.org_unit_id
      where not a.disabled and a.role in ('grid_worker', 'grid_head') and o.path like $2 and o.path like $3
      order by o.path, a.id limit 500`,
    [id, `${c.orgPath}%`, pattern(actor)],
  );
  return r;
}

/** The most households one board shows (a grid holds a few hundred). */
const BOARD_LIMIT = 2_000;

/**
 * The rebalancing board of one grid (or micro-grid): its members (grid workers and heads placed in it) and
 * its households with who holds them now, for dragging a household from one member to another.
 */
export async function assignmentBoard(ctx: AppContext, actor: Actor, id: number, orgId: number) {
  campaignPolicy.authorize(actor, "manage");
  const c = await visibleCampaign(ctx, actor, id);
  const [unit] = await ctx.database.query<{ id: number; name: string; kind: string; path: string }>(
    `select id, name, kind, path from org_units
      where id = $1 and kind in ('grid', 'micro_grid') and path like $2 and path like $3`,
    [orgId, pattern(actor), `${c.orgPath}%`],
  );
  if (!unit) throw NotFound("网格不存在或不在本行动范围内");
  const like = subtreePattern(unit.path);
  const members = await ctx.database.query<{ id: number; name: string; unit: string }>(
    `select a.id, a.display_name as name, o.name as unit from accounts a join org_units o on o.id = a.org_unit_id
      where not a.disabled and a.role in ('grid_worker', 'grid_head') and o.path like $1
         or a.id in (select distinct member_id from campaign_households
                      where campaign_id = $2 and org_path like $1 and member_id is not null)
      order by o.path, a.id limit 200`,
    [like, id],
  );
  const households = await ctx.database.query<{
    id: number;
    address: string;
    unit: string;
    status: string;
    memberId: number | null;
  }>(
    `select ch.household_id as id, h.address, u.name as unit, ch.status, ch.member_id as "memberId"
       from campaign_households ch join households h on h.id = ch.household_id join org_units u on u.id = ch.unit_id
      where ch.campaign_id = $1 and ch.org_path like $2
      order by ch.building_id, ch.unit_no nulls first, ch.floor nulls first, ch.household_id limit ${BOARD_LIMIT + 1}`,
    [id, like],
  );
  return {
    org: { id: unit.id, name: unit.name, kind: unit.kind },
    members,
    households: households.slice(0, BOARD_LIMIT) as any,
    truncated: households.length > BOARD_LIMIT,
  };
}

/**
 * The households a campaign covers, for another module's audience (a mass notice to them): the campaign must
 * be one the principal sees (404 otherwise, as any campaign outside their reach).
 */
export async function householdIdsOf(ctx: AppContext, who: Principal, id: number): Promise<number[]> {
  await visibleCampaign(ctx, who, id);
  const r = await ctx.database.query<{ ids: number[] | null }>(
    "select array_agg(household_id) as ids from campaign_households where campaign_id = $1",
    [id],
  );
  return r[0]?.ids ?? [];
}
