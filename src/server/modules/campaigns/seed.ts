import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import type { Question } from "../../../domain/campaigns/questionnaire.ts";
import type { Actor } from "../../context.ts";
import { launch } from "./campaigns.ts";
import { addDayRollups, inTx, refreshTallies, rows, settleHouseholds } from "./common.ts";

// Demo data for 敲门行动: one running campaign of the demo's street over the demo's grids, every household
// assigned, and a few days of doors already knocked on (outside the demo grid worker's own first floors,
// which stay to be walked).

export const DEMO_QUESTIONS: Question[] = [
  { id: "present", kind: "number", label: "常住人数", required: true },
  { id: "elderly", kind: "yesno", label: "是否有80岁以上或独居老人", required: true },
  {
    id: "elderly_help",
    kind: "single",
    label: "老人目前情况",
    options: ["情况良好", "需要上门探访", "需要助餐送药"],
    showIf: { question: "elderly", equals: "yes" },
    raisesOrder: { when: "需要上门探访", categoryCode: "elderly_visit" },
  },
  {
    id: "elderly_alone",
    kind: "yesno",
    label: "老人是否独居",
    showIf: { question: "elderly", equals: "yes" },
    proposesTag: { when: "yes", tag: "living_alone" },
  },
  {
    id: "needs",
    kind: "multi",
    label: "需要的帮助",
    options: ["配药送药", "家庭医生签约", "维修", "心理疏导"],
  },
  { id: "note", kind: "text", label: "其他情况" },
];

export const DEMO_NOTICE = {
  title: "爱心告知书",
  body: "尊敬的居民朋友：社区“爱心专班”24小时值守，如有就医、配药、生活困难，请拨打社区值班电话或联系您的网格员。",
};

export async function seedCampaigns(
  database: Database,
  o: { scope: string; seed?: number; by?: string },
): Promise<{ campaigns: number; households: number; records: number }> {
  const [scope] = await database.query<{ id: number; path: string }>(
    "select id, path from org_units where code = $1",
    [o.scope],
  );
  if (!scope) throw new Error(`no unit ${o.scope}`);
  const [by] = await database.query<Actor & { orgKind: string }>(
    `select a.id, a.username, a.display_name as "displayName", a.role, a.org_unit_id as "orgUnitId",
            o.path as "orgPath", o.name as "orgName", o.kind as "orgKind"
       from accounts a join org_units o on o.id = a.org_unit_id
      where a.username = $1`,
    [o.by ?? "demo-street"],
  );
  if (!by) return { campaigns: 0, households: 0, records: 0 };
  // The street that runs it: the scope's own street (the scope itself at street level). A district-scale
  // seed knocks in the demo account's street only: a street launches campaigns in its own grids.
  const [street] = await database.query<{ id: number; path: string }>(
    "select id, path from org_units where kind = 'street' and ($1 like path || '%' or ($2 like path || '%' and $3))",
    [scope.path, by.orgPath, o.scope.length < 9],
  );
  if (!street) return { campaigns: 0, households: 0, records: 0 };
  const within = street.path.length > scope.path.length ? street.path : scope.path;
  const grids = await database.query<{ id: number }>(
    "select id from org_units where kind = 'grid' and path like $1 order by path",
    [`${within}%`],
  );
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const day = (n: number) => new Date(Date.parse(today) + n * 86400_000).toISOString().slice(0, 10);
  const c = await launch(
    { database },
    { ...by, kind: "account" },
    {
      name: "攻坚有我 · 敲门行动",
      orgUnitId: street.id,
      startsOn: day(-4),
      endsOn: day(10),
      gridIds: grids.map((g) => g.id),
      target: { kind: "all" },
      questions: DEMO_QUESTIONS,
      notice: DEMO_NOTICE,
    },
  );
  // Four days of knocking: about half the doors, spread over the days, outcomes in the proportions a
  // stairwell gives (most at home, some not, a few refuse or have moved); a notice at most open doors.
  const seed = o.seed ?? 1;
  const rnd = (key: string) =>
    `((('x' || substr(md5(${key} || ':${seed}'), 1, 8))::bit(32)::int::bigint & 2147483647) / 2147483647.0)`;
  const records = await database.query<{ n: number }>(
    `with picked as (
       select ch.*, ${rnd("ch.household_id::text")} as r1, ${rnd("'b' || ch.household_id::text")} as r2
         from campaign_households ch
         join accounts a on a.id = ch.member_id
        where ch.campaign_id = $1 and a.username <> 'demo-grid'),
     ins as (
       insert into campaign_records (client_id, campaign_id, household_id, unit_id, org_path, member_id, member_name,
         outcome, questionnaire_version, answers, visited_at, device_time, notice_method, notice_to, notice_at)
       select md5('campaign-seed:' || p.household_id || ':' || $2)::uuid, $1, p.household_id, p.unit_id, p.org_path,
              p.member_id, a.display_name,
              case when p.r2 < 0.72 then 'done' when p.r2 < 0.9 then 'not_home' when p.r2 < 0.95 then 'refused'
                   when p.r2 < 0.98 then 'moved' else 'other' end,
              1,
              case when p.r2 < 0.72 then jsonb_build_object('present', 1 + (p.r1 * 4)::int,
                     'elderly', case when p.r1 < 0.3 then 'yes' else 'no' end)
                     || case when p.r1 < 0.3 then jsonb_build_object('elderly_help', '情况良好') else '{}'::jsonb end
                   else '{}'::jsonb end,
              v.at, v.at,
              case when p.r2 < 0.72 then (array['hand', 'door', 'phone'])[1 + (p.r1 * 2.99)::int] end,
              null, case when p.r2 < 0.72 then v.at end
         from picked p join accounts a on a.id = p.member_id
         cross join lateral (select least(now() - interval '5 minutes',
                                    ($3::date - (p.r1 * 4)::int)::timestamp at time zone 'Asia/Shanghai'
                                    + make_interval(hours => 9 + (p.r2 * 9)::int)) as at) v
        where p.r1 < 0.55
       returning household_id)
     select count(*)::int as n from ins`,
    [c.id, seed, today],
  );
  const touched = await database.query<{ h: number }>(
    "select distinct household_id as h from campaign_records where campaign_id = $1",
    [c.id],
  );
  const units = await database.query<{ u: number }>(
    "select unit_id as u from campaign_tallies where campaign_id = $1",
    [c.id],
  );
  await inTx({ database }, async (tx) => {
    await settleHouseholds(
      tx,
      touched.map((t) => [c.id, t.h]),
    );
    await refreshTallies(
      tx,
      c.id,
      units.map((u) => u.u),
    );
    const ids = await rows<{ id: number }>(
      tx,
      sql`select id from campaign_records where campaign_id = ${c.id}`,
    );
    await addDayRollups(
      tx,
      ids.map((r) => Number(r.id)),
    );
  });
  return { campaigns: 1, households: c.households, records: records[0].n };
}
