import { sql } from "drizzle-orm";
import {
  type Outcome,
  REVISIT_AFTER_HOURS,
  type Status,
  visitTime,
} from "../../../domain/campaigns/outcomes.ts";
import {
  type Answers,
  answerText,
  checkAnswers,
  normaliseAnswers,
  ordersRaised,
  type Question,
  tagsProposed,
} from "../../../domain/campaigns/questionnaire.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { insertAuditSelectSql } from "../../platform/audit.ts";
import { AppError, Invalid, NotFound } from "../../platform/errors.ts";
import { cleanPhoto } from "../../platform/photos.ts";
import type { CheckIn } from "../../platform/schemas.ts";
import * as care from "../care/index.ts";
import * as workOrders from "../workOrders/index.ts";
import {
  addDayRollups,
  CAMPAIGN_FINDINGS,
  inTx,
  intArray,
  refreshTallies,
  rows,
  settleHouseholds,
} from "./common.ts";
import { campaignPolicy } from "./policy.ts";

/**
 * The member's households of one campaign, in walking order: building, unit, floor, door. Read from the
 * assignment rows alone (address and building name kept there at launch), along the member index.
 */
export async function myHouseholds(ctx: AppContext, actor: Actor, campaignId: number) {
  return ctx.database.query<{
    id: number;
    building: string;
    address: string;
    unitNo: number | null;
    floor: number | null;
    roomNo: string | null;
    status: Status;
    lastVisitAt: Date | null;
    revisitDue: Date | null;
    records: number;
    flagged: boolean;
  }>(
    `select ch.household_id as id, ch.building_name as building, ch.address, ch.unit_no as "unitNo", ch.floor,
            ch.room_no as "roomNo", ch.status, ch.last_visit_at as "lastVisitAt", ch.revisit_due as "revisitDue",
            ch.records, ch.flagged
       from campaign_households ch
      where ch.member_id = $1 and ch.campaign_id = $2
      order by ch.building_id, ch.unit_no nulls first, ch.floor nulls first, ch.household_id`,
    [actor.id, campaignId],
    { name: "campaign_my_households" },
  );
}

/**
 * Everything the phone needs to work a day without signal: the member's running campaigns, each with its
 * current questionnaire, notice and households. The service worker keeps the last answer of this call.
 */
export async function field(ctx: AppContext, actor: Actor, now = new Date()) {
  campaignPolicy.authorize(actor, "field");
  const list = await ctx.database.query<{
    id: number;
    name: string;
    startsOn: string;
    endsOn: string;
    noticeTitle: string | null;
    noticeBody: string | null;
    version: number;
    questions: Question[];
  }>(
    `select c.id, c.name, c.starts_on::text as "startsOn", c.ends_on::text as "endsOn", c.notice_title as "noticeTitle",
            c.notice_body as "noticeBody", c.questionnaire_version as version, q.questions
       from campaigns c
       join campaign_questionnaires q on q.campaign_id = c.id and q.version = c.questionnaire_version
      where c.state = 'running'
        and exists (select 1 from campaign_households ch where ch.member_id = $1 and ch.campaign_id = c.id)
      order by c.starts_on desc, c.id desc`,
    [actor.id],
  );
  const out = [];
  for (const c of list) {
    const households = await myHouseholds(ctx, actor, c.id);
    out.push({
      ...c,
      households: households.map((h) => ({
        ...h,
        overdue: h.status === "revisit" && !!h.revisitDue && new Date(h.revisitDue) < now,
      })),
    });
  }
  return { campaigns: out, revisitAfterHours: REVISIT_AFTER_HOURS, at: now };
}

export interface SyncRecord {
  clientId: string;
  campaignId: number;
  householdId: number;
  outcome: Outcome;
  questionnaireVersion: number;
  answers: Answers;
  deviceTime: string;
  note?: string;
  location?: CheckIn;
  notice?: { method: "hand" | "door" | "phone"; to?: string; at?: string };
  photos?: { key: string; data: string }[];
}

interface Prepared {
  cid: string;
  c: number;
  h: number;
  u: number;
  p: string;
  o: Outcome;
  n: string | null;
  v: number;
  a: Answers;
  va: string;
  dt: string;
  lat: number | null;
  lng: number | null;
  acc: number | null;
  nm: string | null;
  nt: string | null;
  na: string | null;
  raise: Question[];
  propose: Question[];
  b: number;
  cn: string;
}

interface Assigned {
  campaignId: number;
  householdId: number;
  unitId: number;
  buildingId: number;
  orgPath: string;
  startsOn: string;
  current: number;
  name: string;
}

/**
 * Stores a batch of records from a phone, each once: the client id is unique, so a batch sent again (the
 * answer was lost on the stairs) stores nothing new and answers "duplicate" for what it already has.
 * All or nothing: a household not assigned to this member (now or before a reassignment) is 404, an answer
 * or photo that does not fit is 400, and then nothing of the batch is kept. Two members recording the same
 * household both keep their records; the household is flagged for the community.
 */
export async function sync(ctx: AppContext, actor: Actor, records: SyncRecord[], now = new Date()) {
  campaignPolicy.authorize(actor, "field");
  if (!records.length) return { results: [] };
  const pairs = [...new Map(records.map((r) => [`${r.campaignId}:${r.householdId}`, r])).values()];
  const assigned = await ctx.database.query<Assigned>(
    `select ch.campaign_id as "campaignId", ch.household_id as "householdId", ch.unit_id as "unitId",
            ch.building_id as "buildingId", ch.org_path as "orgPath", c.starts_on::text as "startsOn",
            c.questionnaire_version as current, c.name
       from unnest($1::int[], $2::int[]) as x(c, h)
       join campaign_households ch on ch.campaign_id = x.c and ch.household_id = x.h
       join campaigns c on c.id = ch.campaign_id
      where c.state = 'running' and (ch.member_id = $3 or $3 = any(ch.former_member_ids))`,
    [pairs.map((p) => p.campaignId), pairs.map((p) => p.householdId), actor.id],
  );
  if (assigned.length !== pairs.length) throw NotFound("有住户不在您的入户任务中");
  const byPair = new Map(assigned.map((a) => [`${a.campaignId}:${a.householdId}`, a]));

  // Answers are checked against the questionnaire version the phone used.
  const versions = await ctx.database.query<{ campaignId: number; version: number; questions: Question[] }>(
    `select campaign_id as "campaignId", version, questions from campaign_questionnaires
      where campaign_id = any($1::int[])`,
    [[...new Set(records.map((r) => r.campaignId))]],
  );
  const questionsOf = (c: number, v: number) =>
    versions.find((q) => q.campaignId === c && q.version === v)?.questions;

  const prepared: Prepared[] = [];
  const photos: { clientId: string; key: string; type: string; data: Buffer }[] = [];
  for (const [i, r] of records.entries()) {
    const a = byPair.get(`${r.campaignId}:${r.householdId}`)!;
    const questions = questionsOf(r.campaignId, r.questionnaireVersion);
    if (!questions)
      throw Invalid("问卷版本不存在", [
        { field: `records/${i}/questionnaireVersion`, message: "问卷版本不存在" },
      ]);
    r.answers = normaliseAnswers(questions, r.answers);
    const errors = checkAnswers(questions, r.answers, r.outcome === "done");
    if (errors.length)
      throw Invalid(
        errors[0].message,
        errors.map((e) => ({ field: `records/${i}/answers/${e.question}`, message: e.message })),
      );
    const keys = new Set((r.photos ?? []).map((p) => p.key));
    for (const q of questions)
      if (q.kind === "photo" && r.answers[q.id] !== undefined && !keys.has(q.id))
        throw Invalid("照片缺失", [{ field: `records/${i}/photos`, message: `${q.label}：照片缺失` }]);
    for (const [j, p] of (r.photos ?? []).entries()) {
      if (p.key !== "notice" && !questions.some((q) => q.kind === "photo" && q.id === p.key))
        throw Invalid("照片不属于任何题目", [
          { field: `records/${i}/photos/${j}/key`, message: "未知的照片" },
        ]);
      let clean: { type: string; data: Buffer };
      try {
        clean = await cleanPhoto(Buffer.from(p.data, "base64"));
      } catch (e) {
        const message = e instanceof AppError ? e.message : "不是图片";
        throw Invalid(message, [{ field: `records/${i}/photos/${j}/data`, message }]);
      }
      photos.push({ clientId: r.clientId, key: p.key, type: clean.type, data: clean.data });
    }
    const device = new Date(r.deviceTime);
    const visitedAt = visitTime(device, now, new Date(`${a.startsOn}T00:00:00+08:00`));
    prepared.push({
      cid: r.clientId,
      c: r.campaignId,
      h: r.householdId,
      u: a.unitId,
      p: a.orgPath,
      o: r.outcome,
      n: r.note ?? null,
      v: r.questionnaireVersion,
      a: r.answers,
      va: visitedAt.toISOString(),
      dt: device.toISOString(),
      lat: r.location?.lat ?? null,
      lng: r.location?.long ?? null,
      acc: r.location?.accuracy ?? null,
      nm: r.notice?.method ?? null,
      nt: r.notice?.to ?? null,
      na: r.notice ? visitTime(new Date(r.notice.at ?? r.deviceTime), now, visitedAt).toISOString() : null,
      raise: ordersRaised(questions, r.answers),
      propose: tagsProposed(questions, r.answers),
      b: a.buildingId,
      cn: a.name,
    });
  }

  const units = [...new Set(assigned.map((a) => `${a.campaignId}:${a.unitId}`))].map((k) =>
    k.split(":").map(Number),
  );
  const stored = await inTx(ctx, async (tx) => {
    // The tallies of the touched micro-grids are locked first, in one order: two phones syncing into the
    // same micro-grid recount in turn, and every later statement sees the other's records.
    await tx.execute(sql`select 1 from campaign_tallies
      where (campaign_id, unit_id) in (select * from unnest(${sql.raw(intArray(units.map((u) => u[0])))},
                                                            ${sql.raw(intArray(units.map((u) => u[1])))}))
      order by campaign_id, unit_id for update`);
    const inserted = await rows<{ id: number; clientId: string }>(
      tx,
      sql`insert into campaign_records (client_id, campaign_id, household_id, unit_id, org_path, member_id, member_name,
            outcome, note, questionnaire_version, answers, visited_at, device_time, lat, long, accuracy,
            notice_method, notice_to, notice_at)
          select x.cid, x.c, x.h, x.u, x.p, ${actor.id}, ${actor.displayName}, x.o, x.n, x.v, x.a, x.va, x.dt,
                 x.lat, x.lng, x.acc, x.nm, x.nt, x.na
            from jsonb_to_recordset(${JSON.stringify(prepared.map(({ raise, propose, b, cn, ...p }) => p))}::jsonb)
              as x(cid uuid, c int, h int, u int, p text, o text, n text, v int, a jsonb, va timestamptz,
                   dt timestamptz, lat float8, lng float8, acc float8, nm text, nt text, na timestamptz)
          on conflict (client_id) do nothing
          returning id, client_id::text as "clientId"`,
    ).then((r) => r.map((x) => ({ ...x, id: Number(x.id) })));
    if (inserted.length) {
      const idOf = new Map(inserted.map((r) => [r.clientId, r.id]));
      for (const p of photos) {
        const recordId = idOf.get(p.clientId);
        if (recordId)
          await tx.execute(sql`insert into campaign_photos (record_id, key, content_type, data)
            values (${recordId}, ${p.key}, ${p.type}, ${p.data})`);
      }
      const touched = [...new Set(prepared.filter((p) => idOf.has(p.cid)).map((p) => `${p.c}:${p.h}`))].map(
        (k) => k.split(":").map(Number),
      );
      await settleHouseholds(tx, touched);
      // One audit row per stored record, written set-based.
      await tx.execute(
        insertAuditSelectSql(sql`select ${actor.id}, ${actor.username}, 'account', 'record', 'campaign_record', r.id::text, r.org_path, null,
               null, jsonb_build_object('campaign', r.campaign_id, 'household', r.household_id, 'outcome', r.outcome,
                 'clientId', r.client_id, 'notice', r.notice_method), ${actor.ip ?? null}
          from campaign_records r where r.id = any(${sql.raw(intArray(inserted.map((i) => i.id)))})`),
      );
      // Last, so the shared rollup rows (a street's, a community's) are held only until the commit.
      for (const c of new Set(touched.map((t) => t[0])))
        await refreshTallies(
          tx,
          c,
          units.filter((u) => u[0] === c).map((u) => u[1]),
        );
      await addDayRollups(
        tx,
        inserted.map((i) => i.id),
      );
    }
    return new Map(inserted.map((r) => [r.clientId, r.id]));
  });

  // Findings flow onward: an answer that needs help raises a work order through the work-order module, as
  // the campaign's system principal (after the records are safe: a failed order never loses a record).
  for (const p of prepared) {
    const recordId = stored.get(p.cid);
    if (!recordId || !p.raise.length) continue;
    for (const q of p.raise) {
      try {
        const order = await workOrders.createOrder(ctx, CAMPAIGN_FINDINGS, {
          channel: "grid_patrol",
          categoryCode: q.raisesOrder!.categoryCode,
          description: `敲门行动「${p.cn}」入户发现：${q.label}（${String(p.a[q.id])}）`,
          buildingId: p.b,
        });
        await ctx.database.query("update campaign_records set work_order_id = $1 where id = $2", [
          order.id,
          recordId,
        ]);
        break;
      } catch (e) {
        // The record stays; the failure is on the audit log for the desk to raise by hand.
        await audit.record(ctx.database.db, CAMPAIGN_FINDINGS, {
          action: "raise_order_failed",
          entity: "campaign_record",
          entityId: recordId,
          orgPath: p.p,
          reason: (e as Error).message.slice(0, 200),
        });
      }
    }
  }

  // A tag seen at the door ("独居") goes to the care ledger as a proposal a care role confirms or rejects.
  for (const p of prepared) {
    const recordId = stored.get(p.cid);
    if (!recordId) continue;
    for (const q of p.propose) {
      try {
        await care.proposeTag(ctx, CAMPAIGN_FINDINGS, {
          householdId: p.h,
          tag: q.proposesTag!.tag,
          source: "campaign",
          sourceRef: `campaign:${p.c}/record:${recordId}`,
          note: `敲门行动「${p.cn}」入户发现：${q.label}（${answerText(q, p.a[q.id])}）`,
        });
      } catch (e) {
        await audit.record(ctx.database.db, CAMPAIGN_FINDINGS, {
          action: "propose_tag_failed",
          entity: "campaign_record",
          entityId: recordId,
          orgPath: p.p,
          reason: (e as Error).message.slice(0, 200),
        });
      }
    }
  }

  const flagged = await ctx.database.query<{ campaignId: number; householdId: number }>(
    `select campaign_id as "campaignId", household_id as "householdId" from campaign_households
      where (campaign_id, household_id) in (select * from unnest($1::int[], $2::int[])) and flagged`,
    [pairs.map((p) => p.campaignId), pairs.map((p) => p.householdId)],
  );
  const isFlagged = new Set(flagged.map((f) => `${f.campaignId}:${f.householdId}`));
  return {
    results: records.map((r) => ({
      clientId: r.clientId,
      status: stored.has(r.clientId) ? ("stored" as const) : ("duplicate" as const),
      flagged: isFlagged.has(`${r.campaignId}:${r.householdId}`),
    })),
  };
}
