import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { REVISIT_AFTER_HOURS } from "../../../domain/campaigns/outcomes.ts";
import type { Question } from "../../../domain/campaigns/questionnaire.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { AppContext, Principal } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { NotFound } from "../../platform/errors.ts";

export type Tx = Db;

export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const r = (await db.execute(query)) as unknown as { rows: T[] };
  return r.rows;
}

export function inTx<T>(ctx: Pick<AppContext, "database">, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.database.db.transaction(async (t) => fn(t as unknown as Tx));
}

export const pattern = (who: Pick<Principal, "orgPath">) => subtreePattern(who.orgPath);

/** The system raising a work order for a finding at the door. Named in the audit log and the order's timeline. */
export const CAMPAIGN_FINDINGS = systemPrincipal("campaign-findings", "敲门行动（入户发现）");

export interface CampaignRow {
  id: number;
  orgUnitId: number;
  orgPath: string;
  orgName: string;
  orgKind: string;
  name: string;
  startsOn: string;
  endsOn: string;
  gridIds: number[];
  targetKind: string;
  targetTags: string[];
  verificationListId: number | null;
  uploadId: number | null;
  questionnaireVersion: number;
  noticeTitle: string | null;
  noticeBody: string | null;
  state: string;
  createdByName: string | null;
  createdAt: Date;
}

export const CAMPAIGN_COLUMNS = `c.id, c.org_unit_id as "orgUnitId", c.org_path as "orgPath", o.name as "orgName",
  o.kind as "orgKind", c.name, c.starts_on::text as "startsOn", c.ends_on::text as "endsOn", c.grid_ids as "gridIds",
  c.target_kind as "targetKind", c.target_tags as "targetTags", c.verification_list_id as "verificationListId",
  c.upload_id as "uploadId",
  c.questionnaire_version as "questionnaireVersion", c.notice_title as "noticeTitle", c.notice_body as "noticeBody",
  c.state, c.created_by_name as "createdByName", c.created_at as "createdAt"`;

/**
 * A campaign the principal may look at: one run inside their subtree, or one run above them that reaches
 * into it (a community sees its street's campaign, limited to its own grids). Otherwise 404.
 */
export async function visibleCampaign(ctx: AppContext, who: Principal, id: number): Promise<CampaignRow> {
  const [c] = await ctx.database.query<CampaignRow>(
    `select ${CAMPAIGN_COLUMNS} from campaigns c join org_units o on o.id = c.org_unit_id
      where c.id = $1 and (c.org_path like $2 or $3 like c.org_path || '%')`,
    [id, pattern(who), who.orgPath],
  );
  if (!c) throw NotFound("敲门行动不存在");
  return c;
}

/** A campaign the principal may change: run inside their subtree (their own unit's or below). */
export async function ownCampaign(ctx: AppContext, who: Principal, id: number): Promise<CampaignRow> {
  const [c] = await ctx.database.query<CampaignRow>(
    `select ${CAMPAIGN_COLUMNS} from campaigns c join org_units o on o.id = c.org_unit_id
      where c.id = $1 and c.org_path like $2`,
    [id, pattern(who)],
  );
  if (!c) throw NotFound("敲门行动不存在");
  return c;
}

/** Every version's questions of a campaign. */
export async function questionnaires(ctx: AppContext, campaignId: number): Promise<Map<number, Question[]>> {
  const r = await ctx.database.query<{ version: number; questions: Question[] }>(
    "select version, questions from campaign_questionnaires where campaign_id = $1 order by version",
    [campaignId],
  );
  return new Map(r.map((q) => [q.version, q.questions]));
}

/** org_units.depth of a grid (district 0, street 1, community 2): rollups are kept from here down. */
export const GRID_DEPTH = 3;

/**
 * The units a count at `pathExpr` adds to, as a lateral join `anc(path, depth)`: its grid and its micro-grid
 * (those below the campaign's own unit). Not the street's or the community's: every sync in a street would
 * wait on that one row (a burst of 200 syncs then queued for a connection past the pool's 5 s); their
 * answer sums at most 908 grid rows instead.
 */
export const ancestorsSql = (pathExpr: string, campaignPathExpr: string) => `
  cross join lateral (select string_to_array(trim(both '/' from ${pathExpr}), '/') as parts,
                             array_length(string_to_array(trim(both '/' from ${campaignPathExpr}), '/'), 1) as top) ax
  cross join lateral (select '/' || array_to_string(ax.parts[1:i], '/') || '/' as path, i - 1 as depth
                        from generate_series(greatest(ax.top + 1, ${GRID_DEPTH + 1}), array_length(ax.parts, 1)) i) anc`;

const COUNTS = ["target", "visited", "done", "revisit", "refused", "moved", "other", "notices", "flagged"];

/**
 * Recounts the tallies of these micro-grids from their households and records, and adds what changed to
 * the rollups of their grid and micro-grid, in one statement. Called inside the
 * writing transaction after the tally rows were locked, so two syncs into one micro-grid count in turn;
 * the rollup rows are taken in path order (no deadlock) and held only until the commit that follows.
 */
export async function refreshTallies(tx: Tx, campaignId: number, unitIds: number[]): Promise<void> {
  if (!unitIds.length) return;
  const units = sql.raw(intArray(unitIds));
  await tx.execute(sql`
    with old as (
      select unit_id, org_path, ${sql.raw(COUNTS.join(", "))} from campaign_tallies
       where campaign_id = ${campaignId} and unit_id = any(${units})),
    s as (
      select unit_id, count(*)::int as target,
             count(*) filter (where status <> 'pending')::int as visited,
             count(*) filter (where status = 'done')::int as done,
             count(*) filter (where status = 'revisit')::int as revisit,
             count(*) filter (where status = 'refused')::int as refused,
             count(*) filter (where status = 'moved')::int as moved,
             count(*) filter (where status = 'other')::int as other,
             count(*) filter (where flagged)::int as flagged
        from campaign_households
       where campaign_id = ${campaignId} and unit_id = any(${units})
       group by unit_id),
    upd as (
      update campaign_tallies t set
        visited = s.visited, done = s.done, revisit = s.revisit, refused = s.refused, moved = s.moved,
        other = s.other, flagged = s.flagged, target = s.target,
        notices = coalesce((select count(*) from campaign_records r
                             where r.campaign_id = ${campaignId} and r.unit_id = t.unit_id
                               and r.notice_method is not null), 0),
        updated_at = now()
        from s
       where t.campaign_id = ${campaignId} and t.unit_id = s.unit_id
      returning t.unit_id, ${sql.raw(COUNTS.map((k) => `t.${k}`).join(", "))}),
    d as (
      select old.org_path, ${sql.raw(COUNTS.map((k) => `upd.${k} - old.${k} as ${k}`).join(", "))}
        from upd join old on old.unit_id = upd.unit_id),
    c as (select org_path from campaigns where id = ${campaignId})
    insert into campaign_rollups (campaign_id, org_path, depth, ${sql.raw(COUNTS.join(", "))})
    select ${campaignId}, anc.path, anc.depth, ${sql.raw(COUNTS.map((k) => `sum(d.${k})::int`).join(", "))}
      from d cross join c ${sql.raw(ancestorsSql("d.org_path", "c.org_path"))}
     group by anc.path, anc.depth
    having ${sql.raw(COUNTS.map((k) => `sum(d.${k}) <> 0`).join(" or "))}
     order by anc.path
    on conflict (campaign_id, org_path) do update set
      ${sql.raw(COUNTS.map((k) => `${k} = campaign_rollups.${k} + excluded.${k}`).join(", "))}, updated_at = now()`);
}

/** Adds these newly stored records to the day rollups of their units and every unit above (the trend). */
export async function addDayRollups(tx: Tx, recordIds: number[]): Promise<void> {
  if (!recordIds.length) return;
  await tx.execute(sql`
    insert into campaign_day_rollups (campaign_id, org_path, depth, day, records, done, notices)
    select r.campaign_id, anc.path, anc.depth, (r.visited_at at time zone 'Asia/Shanghai')::date, count(*)::int,
           count(*) filter (where r.outcome = 'done')::int, count(*) filter (where r.notice_method is not null)::int
      from campaign_records r join campaigns c on c.id = r.campaign_id
      ${sql.raw(ancestorsSql("r.org_path", "c.org_path"))}
     where r.id = any(${sql.raw(intArray(recordIds))})
     group by r.campaign_id, anc.path, anc.depth, 4
     order by r.campaign_id, anc.path, 4
    on conflict (campaign_id, org_path, day) do update set records = campaign_day_rollups.records + excluded.records,
      done = campaign_day_rollups.done + excluded.done, notices = campaign_day_rollups.notices + excluded.notices,
      updated_at = now()`);
}

/** A launched campaign's rollups from its tallies (every unit below the campaign's own). */
export async function seedRollups(tx: Tx, campaignId: number): Promise<void> {
  await tx.execute(sql`
    insert into campaign_rollups (campaign_id, org_path, depth, ${sql.raw(COUNTS.join(", "))})
    select t.campaign_id, anc.path, anc.depth, ${sql.raw(COUNTS.map((k) => `sum(t.${k})::int`).join(", "))}
      from campaign_tallies t join campaigns c on c.id = t.campaign_id
      ${sql.raw(ancestorsSql("t.org_path", "c.org_path"))}
     where t.campaign_id = ${campaignId}
     group by t.campaign_id, anc.path, anc.depth`);
}

/** An int[] literal for ids the server itself produced (never user text). */
export function intArray(ids: readonly number[]): string {
  for (const id of ids) if (!Number.isInteger(id)) throw new Error("not an id");
  return `'{${ids.join(",")}}'::int[]`;
}

/**
 * The households' state from all their records (domain/campaigns householdState): the latest visit decides,
 * ties by id; two members recording one flag it. `touched` are [campaign, household] pairs.
 */
export async function settleHouseholds(tx: Tx, touched: number[][]): Promise<void> {
  if (!touched.length) return;
  const tc = intArray(touched.map((t) => t[0]));
  const th = intArray(touched.map((t) => t[1]));
  await tx.execute(sql`
    with touched as (select distinct * from unnest(${sql.raw(tc)}, ${sql.raw(th)}) as x(c, h)),
    agg as (select r.campaign_id, r.household_id, count(*)::int as n, count(distinct r.member_id)::int as members
              from campaign_records r join touched t on t.c = r.campaign_id and t.h = r.household_id
             group by 1, 2),
    latest as (select distinct on (r.campaign_id, r.household_id) r.campaign_id, r.household_id,
                      case when r.outcome = 'not_home' then 'revisit' else r.outcome end as status, r.visited_at
                 from campaign_records r join touched t on t.c = r.campaign_id and t.h = r.household_id
                order by r.campaign_id, r.household_id, r.visited_at desc, r.id desc)
    update campaign_households ch set status = l.status, last_visit_at = l.visited_at,
           revisit_due = case when l.status = 'revisit'
                              then l.visited_at + make_interval(hours => ${REVISIT_AFTER_HOURS}) end,
           records = agg.n, flagged = agg.members > 1, updated_at = now()
      from latest l join agg on agg.campaign_id = l.campaign_id and agg.household_id = l.household_id
     where ch.campaign_id = l.campaign_id and ch.household_id = l.household_id`);
}
