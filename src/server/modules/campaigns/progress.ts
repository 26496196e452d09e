import ExcelJS from "exceljs";
import { OUTCOME_LABELS, type Outcome, type STATUSES } from "../../../domain/campaigns/outcomes.ts";
import { type Answers, answerText } from "../../../domain/campaigns/questionnaire.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { staleWhileRevalidate } from "../../platform/cache.ts";
import { NotFound } from "../../platform/errors.ts";
import { workbookBuffer } from "../../platform/spreadsheet/index.ts";
import {
  CAMPAIGN_COLUMNS,
  type CampaignRow,
  GRID_DEPTH,
  pattern,
  questionnaires,
  visibleCampaign,
} from "./common.ts";
import { campaignPolicy } from "./policy.ts";
import { maskName, STATUS_LABELS } from "./presenter.ts";

interface Counts {
  target: number;
  visited: number;
  done: number;
  revisit: number;
  refused: number;
  moved: number;
  other: number;
  notices: number;
  flagged: number;
}
const COUNT_KEYS = [
  "target",
  "visited",
  "done",
  "revisit",
  "refused",
  "moved",
  "other",
  "notices",
  "flagged",
] as const;
const SUMS = `coalesce(sum(target),0)::int as target, coalesce(sum(visited),0)::int as visited,
  coalesce(sum(done),0)::int as done, coalesce(sum(revisit),0)::int as revisit, coalesce(sum(refused),0)::int as refused,
  coalesce(sum(moved),0)::int as moved, coalesce(sum(other),0)::int as other, coalesce(sum(notices),0)::int as notices,
  coalesce(sum(flagged),0)::int as flagged`;

interface Unit {
  id: number;
  name: string;
  kind: string;
  path: string;
  depth: number;
}

/**
 * The campaign (visible to the caller, else 404) and the unit whose progress is asked for (inside the
 * caller's subtree and the campaign's reach, else 404; by default the deeper of the campaign's unit and the
 * caller's), in one round trip: a progress read answered from the 2 s cache costs this statement alone,
 * and while syncs hold the connections and cores every round trip counts.
 */
async function campaignAt(
  ctx: AppContext,
  actor: Actor,
  id: number,
  orgId?: number,
): Promise<{ c: CampaignRow; base: Unit }> {
  const [r] = await ctx.database.query<
    CampaignRow & {
      unitId: number | null;
      unitName: string;
      unitKind: string;
      unitPath: string;
      unitDepth: number;
    }
  >(
    `select ${CAMPAIGN_COLUMNS}, u.id as "unitId", u.name as "unitName", u.kind as "unitKind", u.path as "unitPath",
            u.depth as "unitDepth"
       from campaigns c join org_units o on o.id = c.org_unit_id
       left join org_units u
         on u.id = coalesce($4::int, case when $3 like c.org_path || '%' then $5::int else c.org_unit_id end)
        and u.path like $2 and u.path like c.org_path || '%'
      where c.id = $1 and (c.org_path like $2 or $3 like c.org_path || '%')`,
    [id, pattern(actor), actor.orgPath, orgId ?? null, actor.orgUnitId],
    { name: "campaign_progress_at" },
  );
  if (!r) throw NotFound("敲门行动不存在");
  if (r.unitId === null) throw NotFound("单位不存在");
  const { unitId, unitName, unitKind, unitPath, unitDepth, ...c } = r;
  return { c, base: { id: unitId, name: unitName, kind: unitKind, path: unitPath, depth: unitDepth } };
}

/**
 * Progress of a campaign at one unit: its totals, one row per child unit (street → community → grid →
 * micro-grid), the members when the unit is a grid, and the records per day. Reads the per-grid rollups that
 * each sync moves, so a district's answer groups 908 grid rows (not 14,277 tallies, nor the records).
 */
export async function progress(ctx: AppContext, actor: Actor, id: number, orgId?: number) {
  campaignPolicy.authorize(actor, "read");
  const { c, base } = await campaignAt(ctx, actor, id, orgId);
  const figures = await progressFigures.get(ctx.database, `${id}:${base.id}`, () => figuresOf(ctx, c, base));
  return { org: { id: base.id, name: base.name, kind: base.kind }, ...figures };
}

/**
 * A unit's figures are worked out at most once per 2 s per server process, however many watch them: after
 * that the last answer is given at once while one refresh runs (the progress bars may be up to ~2 s behind
 * the syncs). A burst of syncs then costs the district's screen one computation, not one per reader.
 * Reassigning (which moves the member rows) forgets them in this process.
 */
const progressFigures = staleWhileRevalidate<string, Awaited<ReturnType<typeof figuresOf>>>({
  max: 2_000,
  ttlMs: 2_000,
});
export const forgetProgress = (db: object) => progressFigures.forget(db);

async function figuresOf(ctx: AppContext, c: CampaignRow, base: Unit) {
  const id = c.id;
  const like = subtreePattern(base.path);
  // The rollups each sync keeps, per grid and micro-grid: a grid's children are its micro-grid rows, its
  // totals and trend its own rows; above a grid (street, community, the campaign's own unit) the children
  // are the grid rows grouped one level down (at most 908 for a district), the totals their sum.
  const aboveGrids = base.depth < GRID_DEPTH;
  const groupsP =
    base.kind === "micro_grid"
      ? Promise.resolve([])
      : aboveGrids
        ? ctx.database.query<Counts & { id: number | null; name: string; kind: string }>(
            `select o.id, o.name, o.kind, s.target, s.visited, s.done, s.revisit, s.refused, s.moved, s.other,
                    s.notices, s.flagged
               from (select split_part(org_path, '/', $3) as code, ${SUMS}
                       from campaign_rollups where campaign_id = $1 and depth = $4 and org_path like $2 group by 1) s
               left join org_units o on o.code = s.code
              order by o.path nulls last`,
            [id, like, base.depth + 3, GRID_DEPTH],
            { name: "campaign_progress_children_grouped" },
          )
        : ctx.database.query<Counts & { id: number | null; name: string; kind: string }>(
            `select o.id, o.name, o.kind, r.target, r.visited, r.done, r.revisit, r.refused, r.moved, r.other,
                    r.notices, r.flagged
               from campaign_rollups r left join org_units o on o.path = r.org_path
              where r.campaign_id = $1 and r.depth = $2 and r.org_path like $3
              order by r.org_path`,
            [id, base.depth + 1, like],
            { name: "campaign_progress_children" },
          );
  const ownP = aboveGrids
    ? Promise.resolve([])
    : ctx.database.query<Counts>(
        `select ${SUMS} from campaign_rollups where campaign_id = $1 and org_path = $2`,
        [id, base.path],
        { name: "campaign_progress_totals" },
      );
  // A grid's members, found through the (campaign, micro-grid) index rather than a scan of the campaign.
  const units =
    base.kind === "grid"
      ? [
          base.id,
          ...(
            await ctx.database.query<{ id: number }>("select id from org_units where parent_id = $1", [
              base.id,
            ])
          ).map((u) => u.id),
        ]
      : [base.id];
  const membersP =
    base.kind === "grid" || base.kind === "micro_grid"
      ? ctx.database.query<Counts & { id: number | null; name: string | null }>(
          `select ch.member_id as id, a.display_name as name, count(*)::int as target,
                  count(*) filter (where status <> 'pending')::int as visited,
                  count(*) filter (where status = 'done')::int as done,
                  count(*) filter (where status = 'revisit')::int as revisit,
                  count(*) filter (where status = 'refused')::int as refused,
                  count(*) filter (where status = 'moved')::int as moved,
                  count(*) filter (where status = 'other')::int as other,
                  (select count(*)::int from campaign_records r
                    where r.campaign_id = $1 and r.org_path like $2 and r.member_id = ch.member_id
                      and r.notice_method is not null) as notices,
                  count(*) filter (where flagged)::int as flagged
             from campaign_households ch left join accounts a on a.id = ch.member_id
            where ch.campaign_id = $1 and ch.unit_id = any($3::int[]) and ch.org_path like $2
            group by ch.member_id, a.display_name order by a.display_name nulls last`,
          [id, like, units],
        )
      : Promise.resolve([]);
  const trendP = ctx.database.query<{ day: string; records: number; done: number; notices: number }>(
    `select day::text as day, sum(records)::int as records, sum(done)::int as done, sum(notices)::int as notices
       from campaign_day_rollups
      where campaign_id = $1 and depth = $2 and ${aboveGrids ? "org_path like $3" : "org_path = $3"}
      group by day order by day`,
    [id, aboveGrids ? GRID_DEPTH : base.depth, aboveGrids ? like : base.path],
    { name: aboveGrids ? "campaign_progress_trend_grids" : "campaign_progress_trend" },
  );
  const [groups, members, trend, own] = await Promise.all([groupsP, membersP, trendP, ownP]);
  const children = groups.filter((g): g is typeof g & { id: number } => g.id !== null);
  const totals = aboveGrids
    ? groups.reduce<Counts>(
        (a, r) => {
          for (const k of COUNT_KEYS) a[k] += r[k];
          return a;
        },
        {
          target: 0,
          visited: 0,
          done: 0,
          revisit: 0,
          refused: 0,
          moved: 0,
          other: 0,
          notices: 0,
          flagged: 0,
        },
      )
    : (own[0] ?? {
        target: 0,
        visited: 0,
        done: 0,
        revisit: 0,
        refused: 0,
        moved: 0,
        other: 0,
        notices: 0,
        flagged: 0,
      });
  return {
    totals,
    children,
    members: members.map((m) => ({ ...m, name: m.name ?? "未分配" })),
    trend,
  };
}

/** Households of a campaign in the caller's reach, one page; `flagged` for the community's review. */
export async function households(
  ctx: AppContext,
  actor: Actor,
  id: number,
  q: { orgId?: number; status?: string; flagged?: boolean; page: number; pageSize: number },
) {
  campaignPolicy.authorize(actor, "read");
  const { base } = await campaignAt(ctx, actor, id, q.orgId);
  const params: unknown[] = [id, subtreePattern(base.path)];
  let where = "ch.campaign_id = $1 and ch.org_path like $2";
  if (q.status) where += ` and ch.status = $${params.push(q.status)}`;
  if (q.flagged) where += " and ch.flagged";
  const [n] = await ctx.database.query<{ n: number }>(
    `select count(*)::int as n from campaign_households ch where ${where}`,
    params,
  );
  const items = await ctx.database.query<any>(
    `select ch.household_id as id, h.address, ch.status, ch.last_visit_at as "lastVisitAt", ch.records, ch.flagged,
            a.display_name as member, u.name as unit
       from campaign_households ch join households h on h.id = ch.household_id
       join org_units u on u.id = ch.unit_id
       left join accounts a on a.id = ch.member_id
      where ${where}
      order by ch.flagged desc, ch.building_id, ch.unit_no nulls first, ch.floor nulls first, ch.household_id
      limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
    params,
  );
  return { items, total: n.n };
}

/**
 * A household's records, each read with the questionnaire version it was made under (a question dropped
 * since still shows its label and answer).
 */
export async function householdRecords(ctx: AppContext, actor: Actor, id: number, householdId: number) {
  campaignPolicy.authorize(actor, "read");
  await visibleCampaign(ctx, actor, id);
  const [h] = await ctx.database.query<{ address: string; flagged: boolean; status: string }>(
    `select h.address, ch.flagged, ch.status from campaign_households ch join households h on h.id = ch.household_id
      where ch.campaign_id = $1 and ch.household_id = $2 and ch.org_path like $3`,
    [id, householdId, pattern(actor)],
  );
  if (!h) throw NotFound("住户不在本行动或不在辖区内");
  const qs = await questionnaires(ctx, id);
  const recs = await ctx.database.query<any>(
    `select r.id, r.member_name as member, r.outcome, r.note, r.questionnaire_version as version, r.answers,
            r.visited_at as "visitedAt", r.created_at as "receivedAt", r.notice_method as "noticeMethod",
            r.notice_to as "noticeTo", r.notice_at as "noticeAt", r.work_order_id as "workOrderId",
            coalesce((select array_agg(p.id order by p.id) from campaign_photos p where p.record_id = r.id), '{}') as photos
       from campaign_records r where r.campaign_id = $1 and r.household_id = $2 order by r.visited_at, r.id`,
    [id, householdId],
  );
  return {
    address: h.address,
    status: h.status,
    flagged: h.flagged,
    records: recs.map((r) => {
      const questions = qs.get(r.version) ?? [];
      const answers = r.answers as Answers;
      return {
        id: Number(r.id),
        member: r.member,
        outcome: r.outcome,
        outcomeLabel: OUTCOME_LABELS[r.outcome as Outcome],
        note: r.note,
        version: r.version,
        visitedAt: r.visitedAt,
        receivedAt: r.receivedAt,
        notice: r.noticeMethod
          ? { method: r.noticeMethod, to: r.noticeTo ? maskName(r.noticeTo) : null, at: r.noticeAt }
          : null,
        workOrderId: r.workOrderId,
        photos: r.photos as number[],
        answers: Object.entries(answers).map(([qid, a]) => {
          const q = questions.find((x) => x.id === qid);
          return { question: qid, label: q?.label ?? qid, answer: answerText(q, a) };
        }),
      };
    }),
  };
}

/** A record's photo, when the record lies in the caller's subtree (or is the member's own). */
export async function photo(ctx: AppContext, actor: Actor, photoId: number) {
  const read = campaignPolicy.can(actor, "read");
  if (!read) campaignPolicy.authorize(actor, "field");
  const [p] = await ctx.database.query<{ type: string; data: Buffer }>(
    `select p.content_type as type, p.data from campaign_photos p join campaign_records r on r.id = p.record_id
      where p.id = $1 and (r.org_path like $2 and $3 or r.member_id = $4)`,
    [photoId, pattern(actor), read, actor.id],
  );
  if (!p) throw NotFound("照片不存在");
  return p;
}

/**
 * The campaign's households and records in the caller's reach, as xlsx. Names of notice recipients are
 * masked; the export itself is on the audit log.
 */
export async function exportResults(ctx: AppContext, actor: Actor, id: number) {
  campaignPolicy.authorize(actor, "manage");
  const c = await visibleCampaign(ctx, actor, id);
  const like = pattern(actor);
  const hh = await ctx.database.query<any>(
    `select g.name as grid, u.name as unit, h.address, ch.status, ch.last_visit_at as "lastVisitAt", ch.records,
            ch.flagged, a.display_name as member
       from campaign_households ch join households h on h.id = ch.household_id
       join org_units u on u.id = ch.unit_id join org_units g on g.id = ch.grid_id
       left join accounts a on a.id = ch.member_id
      where ch.campaign_id = $1 and ch.org_path like $2
      order by ch.org_path, ch.building_id, ch.unit_no nulls first, ch.floor nulls first, ch.household_id`,
    [id, like],
  );
  const qs = await questionnaires(ctx, id);
  const recs = await ctx.database.query<any>(
    `select r.id, h.address, r.member_name as member, r.outcome, r.questionnaire_version as version, r.answers,
            r.visited_at as "visitedAt", r.notice_method as "noticeMethod", r.notice_to as "noticeTo",
            r.work_order_id as "workOrderId"
       from campaign_records r join households h on h.id = r.household_id
      where r.campaign_id = $1 and r.org_path like $2 order by r.org_path, r.household_id, r.visited_at`,
    [id, like],
  );
  const wb = new ExcelJS.Workbook();
  const time = (d: Date | null) =>
    d ? new Date(new Date(d).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace("T", " ") : "";
  const ws = wb.addWorksheet("住户进度");
  ws.columns = [
    { header: "网格", key: "grid", width: 18 },
    { header: "微网格", key: "unit", width: 18 },
    { header: "住址", key: "address", width: 34 },
    { header: "状态", key: "status", width: 12 },
    { header: "最近入户", key: "last", width: 18 },
    { header: "记录数", key: "records", width: 8 },
    { header: "多人登记", key: "flagged", width: 10 },
    { header: "负责人", key: "member", width: 24 },
  ];
  ws.getRow(1).font = { bold: true };
  for (const h of hh)
    ws.addRow({
      ...h,
      status: STATUS_LABELS[h.status as (typeof STATUSES)[number]] ?? h.status,
      last: time(h.lastVisitAt),
      flagged: h.flagged ? "是" : "",
      member: h.member ?? "未分配",
    });
  const wr = wb.addWorksheet("入户记录");
  wr.columns = [
    { header: "住址", key: "address", width: 34 },
    { header: "登记人", key: "member", width: 24 },
    { header: "结果", key: "outcome", width: 14 },
    { header: "时间", key: "at", width: 18 },
    { header: "问卷版本", key: "version", width: 8 },
    { header: "答卷", key: "answers", width: 60 },
    { header: "告知书", key: "notice", width: 20 },
    { header: "工单", key: "order", width: 10 },
  ];
  wr.getRow(1).font = { bold: true };
  const methods: Record<string, string> = { hand: "当面递交", door: "张贴/塞门", phone: "电话/微信" };
  for (const r of recs) {
    const questions = qs.get(r.version) ?? [];
    wr.addRow({
      address: r.address,
      member: r.member,
      outcome: OUTCOME_LABELS[r.outcome as Outcome],
      at: time(r.visitedAt),
      version: r.version,
      answers: Object.entries(r.answers as Answers)
        .map(([qid, a]) => {
          const q = questions.find((x) => x.id === qid);
          return `${q?.label ?? qid}：${answerText(q, a)}`;
        })
        .join("；"),
      notice: r.noticeMethod
        ? `${methods[r.noticeMethod] ?? r.noticeMethod}${r.noticeTo ? ` · ${maskName(r.noticeTo)}` : ""}`
        : "",
      order: r.workOrderId ?? "",
    });
  }
  await audit.record(ctx.database.db, actor, {
    action: "export",
    entity: "campaign",
    entityId: id,
    orgPath: c.orgPath,
    after: { households: hh.length, records: recs.length, masked: true },
  });
  return { filename: `campaign-${id}.xlsx`, body: await workbookBuffer(wb) };
}
