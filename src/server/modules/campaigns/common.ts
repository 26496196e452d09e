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

/**
 * Recounts the tallies of these units from their households and records. Called inside the writing
 * transaction after the tally rows were locked, so two syncs into one micro-grid count in turn.
 */
export async function refreshTallies(tx: Tx, campaignId: number, unitIds: number[]): Promise<void> {
  if (!unitIds.length) return;
  await tx.execute(sql`
    update campaign_tallies t set
      visited = s.visited, done = s.done, revisit = s.revisit, refused = s.refused, moved = s.moved,
      other = s.other, flagged = s.flagged, target = s.target,
      notices = coalesce((select count(*) from campaign_records r
                           where r.campaign_id = ${campaignId} and r.unit_id = t.unit_id
                             and r.notice_method is not null), 0),
      updated_at = now()
    from (select unit_id, count(*)::int as target,
            count(*) filter (where status <> 'pending')::int as visited,
            count(*) filter (where status = 'done')::int as done,
            count(*) filter (where status = 'revisit')::int as revisit,
            count(*) filter (where status = 'refused')::int as refused,
            count(*) filter (where status = 'moved')::int as moved,
            count(*) filter (where status = 'other')::int as other,
            count(*) filter (where flagged)::int as flagged
          from campaign_households
          where campaign_id = ${campaignId} and unit_id = any(${sql.raw(intArray(unitIds))})
          group by unit_id) s
    where t.campaign_id = ${campaignId} and t.unit_id = s.unit_id`);
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
