import type { Database } from "../../../db/client.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { publicText } from "../../../domain/privacy/publicText.ts";

// Demo data for 双报到 · 志愿服务, set-based so the seed stays fast: members in proportion to the district's
// 2.7 万 registered in-service party members (about 2 in 100 residents, or a fixed number per community for
// the benchmark), a year of tasks with confirmed hours, the points ledger those hours earned (one balanced
// transaction per confirmed claim, balances and the monthly rollup computed from the entries, so the check
// command holds), some redemptions, the catalogue, wishes and 点单.

const WORK_UNITS = [
  "南通市市场监督管理局",
  "南通市第二中学",
  "南通市第二人民医院",
  "崇川区农水局",
  "国网南通供电公司",
  "南通市公共交通集团有限公司",
  "崇川区智慧城市运营管理有限公司",
  "江苏银行崇川支行",
  "崇川区应急管理局",
  "南通市医保局",
];
const TASKS = [
  "卡口值守",
  "楼道消杀",
  "代购帮办",
  "信息采集",
  "垃圾分类督导",
  "文明养犬宣传",
  "便民服务集市",
  "敲门行动",
  "共享药箱整理",
  "爱心义诊引导",
];
const COMPLEXES = [
  "阳光花苑",
  "桃园新村",
  "和平新村",
  "文峰小区",
  "紫琅花园",
  "濠河人家",
  "钟秀新村",
  "五一新村",
  "城东花苑",
  "虹桥新村",
];
const SKILLS = ["消杀", "驾驶", "摄影", "急救", "电工", "心理疏导", "法律咨询", "信息录入"];
const SURNAMES =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN =
  "建国华军平伟敏静丽强磊洋勇艳杰娟涛明超秀兰霞刚桂英芳燕玲斌波辉鹏宇浩凯峰雪梅琳晨阳欣怡子涵雨轩佳";

export interface VolunteerSeed {
  scope: string;
  seed?: number;
  /** Members per community; default: 2 in 100 of the community's residents (at least 20). */
  membersPerCommunity?: number;
  /** Past tasks per community per month, 10 places each. */
  tasksPerMonth?: number;
  months?: number;
  /** The demo volunteer account: registered and confirmed with history. */
  volunteerAccount?: string;
}

export async function seedVolunteers(db: Database, o: VolunteerSeed) {
  const months = o.months ?? 12;
  const perMonth = o.tasksPerMonth ?? 8;
  const seed = o.seed ?? 1;
  const [root] = await db.query<{ path: string }>("select path from org_units where code = $1", [o.scope]);
  if (!root) throw new Error(`no unit ${o.scope}`);
  const scope = subtreePattern(root.path);
  // A deterministic "random" in SQL: hash of the row's key and the seed.
  const rnd = (key: string) =>
    `(('x' || substr(md5(${key} || ':${seed}'), 1, 8))::bit(32)::int::bigint & 2147483647) / 2147483647.0`;
  await db.query(
    `insert into volunteer_settings (community_id, org_path) select id, path from org_units where kind = 'community' and path like $1
     on conflict do nothing`,
    [scope],
  );
  await db.query(
    `insert into volunteer_members (kind, name, id_hash, id_cipher, phone_tail, community_id, org_path, work_unit, party_branch, skills, specialties, availability, state, decided_at, created_at)
     select case when r1 < 0.7 then 'party_member' when r1 < 0.9 then 'volunteer' else 'resident_volunteer' end,
       substr($3, 1 + (r2 * ${SURNAMES.length - 1})::int, 1) || substr($4, 1 + (r3 * ${GIVEN.length - 1})::int, 1)
         || case when r4 < 0.6 then substr($4, 1 + (r5 * ${GIVEN.length - 1})::int, 1) else '' end,
       'seed-' || c.code || '-' || g, 'seed', lpad(((r2 * 9999)::int)::text, 4, '0'), c.id, c.path,
       case when r1 < 0.7 then ($5::text[])[1 + (r3 * ${WORK_UNITS.length - 1})::int] end,
       case when r1 < 0.7 then c.name || '在职党员功能型党支部' end,
       array[($6::text[])[1 + (r4 * ${SKILLS.length - 1})::int]],
       case when r5 < 0.25 then array[(array['legal','medical','psychological','education','repairs','it'])[1 + (r1 * 5)::int]] else '{}'::text[] end,
       case when r2 < 0.5 then '工作日晚上' else '周末' end,
       case when g % 40 = 7 then 'pending' else 'confirmed' end, now() - interval '400 days', now() - interval '400 days'
     from org_units c
     cross join lateral generate_series(1, coalesce($2::int, greatest(20, (select count(*) from residents r where r.org_path like c.path || '%')::int / 50))) g
     cross join lateral (select ${rnd("c.code || g")} r1, ${rnd("c.code || g || 'a'")} r2, ${rnd("c.code || g || 'b'")} r3,
       ${rnd("c.code || g || 'c'")} r4, ${rnd("c.code || g || 'd'")} r5) r
     where c.kind = 'community' and c.path like $1
     on conflict do nothing`,
    [scope, o.membersPerCommunity ?? null, SURNAMES, GIVEN, WORK_UNITS, SKILLS],
  );
  if (o.volunteerAccount)
    await db.query(
      `insert into volunteer_members (account_id, kind, name, id_hash, id_cipher, phone_tail, community_id, org_path, work_unit, party_branch, skills, specialties, availability, state, decided_at, created_at)
       select a.id, 'party_member', '周荣祥', 'seed-demo-volunteer', 'seed', '0011', o.id, o.path, '南通市市场监督管理局',
         o.name || '在职党员功能型党支部', '{消杀,驾驶}', '{legal}', '工作日晚上', 'confirmed', now() - interval '400 days', now() - interval '400 days'
       from accounts a join org_units o on o.id = a.org_unit_id where a.username = $1 and o.kind = 'community'
       on conflict do nothing`,
      [o.volunteerAccount],
    );
  // Past tasks (closed) over the months, and upcoming ones in the next week.
  await db.query(
    `insert into volunteer_tasks (kind, title, place, org_unit_id, org_path, starts_at, ends_at, capacity, claimed, state, qr_nonce, created_by_name, created_at)
     select case when k % 3 = 0 then 'post' else 'task' end, ($3::text[])[1 + k % ${TASKS.length}], c.name || ' ' || (1 + k % 20) || '幢', c.id, c.path,
       s, s + interval '2 hours', 10, 0, case when s < now() then 'closed' else 'open' end, md5(c.code || k), c.name || '（演示）', s - interval '3 days'
     from org_units c
     cross join lateral generate_series(1, $2::int) k
     cross join lateral (select date_trunc('hour', now() - make_interval(days => (k * 365 / $2::int)) + interval '9 hours') as s) t
     where c.kind = 'community' and c.path like $1`,
    [scope, months * perMonth, TASKS],
  );
  await db.query(
    `insert into volunteer_tasks (kind, title, place, org_unit_id, org_path, starts_at, ends_at, capacity, state, qr_nonce, created_by_name)
     select 'task', ($2::text[])[1 + k], c.name || ' 党群服务中心', c.id, c.path,
       date_trunc('day', now()) + make_interval(days => k, hours => 10 + k), date_trunc('day', now()) + make_interval(days => k, hours => 12 + k), 8, 'open',
       md5(c.code || 'up' || k), c.name || '（演示）'
     from org_units c cross join generate_series(0, 5) k where c.kind = 'community' and c.path like $1`,
    [scope, TASKS],
  );
  // Each past task's places taken by members of its community (the next ten in turn), hours confirmed. A hash
  // join on the member's rank in its community: ranking every member for every task took minutes at district scale.
  await db.query(
    `with m as (
       select id, community_id, (row_number() over (partition by community_id order by id) - 1)::int as i,
         (count(*) over (partition by community_id))::int as cnt
       from volunteer_members where state = 'confirmed' and org_path like $1),
     t as (
       select id, org_unit_id, org_path, starts_at, (row_number() over (partition by org_unit_id order by id))::int as k
       from volunteer_tasks where state = 'closed' and org_path like $1),
     c as (select distinct community_id, cnt from m)
     insert into volunteer_claims (task_id, member_id, org_path, state, check_in_at, check_out_at, minutes, confirmed_at, created_at)
     select t.id, m.id, t.org_path, 'claimed', t.starts_at, t.starts_at + make_interval(mins => 60 + (t.k * 7 + n * 11) % 60),
       60 + (t.k * 7 + n * 11) % 60, t.starts_at + interval '1 day', t.starts_at - interval '2 days'
     from t join c on c.community_id = t.org_unit_id cross join generate_series(0, 9) n
     join m on m.community_id = t.org_unit_id and m.i = (t.k * 10 + n) % c.cnt
     where n < c.cnt
     on conflict do nothing`,
    [scope],
  );
  await db.query(
    `update volunteer_tasks t set claimed = (select count(*) from volunteer_claims c where c.task_id = t.id and c.state = 'claimed')
     where t.org_path like $1`,
    [scope],
  );
  // The ledger: accounts, one award per confirmed claim, a few redemptions, balances from the entries.
  await db.query(
    `insert into points_accounts (kind, community_id, org_path) select k, id, path from org_units, unnest(array['issued','redeemed']) k
     where kind = 'community' and path like $1 on conflict do nothing`,
    [scope],
  );
  await db.query(
    `insert into points_accounts (kind, member_id, community_id, org_path) select 'member', id, community_id, org_path from volunteer_members
     where org_path like $1 on conflict do nothing`,
    [scope],
  );
  await db.query(
    `insert into points_transactions (kind, source, memo, org_path, created_by_name, created_at)
     select 'award', 'claim:' || c.id, '志愿服务「' || t.title || '」' || round(c.minutes / 60.0, 1) || ' 小时', t.org_path, '（演示）', c.confirmed_at
     from volunteer_claims c join volunteer_tasks t on t.id = c.task_id where c.confirmed_at is not null and c.org_path like $1
     on conflict do nothing`,
    [scope],
  );
  await db.query(
    `insert into points_entries (transaction_id, account_id, amount, minutes, org_path, created_at)
     select x.id, a.id, case when a.kind = 'issued' then -p.pts else p.pts end, case when a.kind = 'member' then c.minutes else 0 end, a.org_path, x.created_at
     from points_transactions x
     join volunteer_claims c on x.source = 'claim:' || c.id
     join volunteer_members m on m.id = c.member_id
     join volunteer_settings s on s.community_id = m.community_id
     cross join lateral (select round(c.minutes * s.points_per_hour / 60.0)::int as pts) p
     join points_accounts a on (a.kind = 'member' and a.member_id = m.id) or (a.kind = 'issued' and a.community_id = m.community_id)
     where x.kind = 'award' and x.org_path like $1 and not exists (select 1 from points_entries e where e.transaction_id = x.id)`,
    [scope],
  );
  await db.query(
    `insert into redemption_items (community_id, org_path, kind, name, cost, stock)
     select c.id, c.path, i.kind, i.name, i.cost, i.stock from org_units c,
       (values ('property_fee', '物业费抵扣 10 元', 100, 50), ('green_card', '绿能卡（时长兑换）', 50, 100), ('goods', '环保购物袋', 20, 200)) i(kind, name, cost, stock)
     where c.kind = 'community' and c.path like $1`,
    [scope],
  );
  // Every fifth member with points for it redeemed a property-fee credit last month.
  await db.query(
    `with bal as (select a.id as account_id, a.member_id, a.community_id, sum(e.amount) b from points_accounts a join points_entries e on e.account_id = a.id
       where a.kind = 'member' and a.org_path like $1 group by a.id),
     pick as (select bal.*, i.id as item_id, i.cost, i.org_path from bal join redemption_items i on i.community_id = bal.community_id and i.kind = 'property_fee'
       where bal.b >= i.cost and bal.member_id % 5 = 0),
     r as (insert into redemptions (item_id, member_id, org_path, points, voucher_code, created_at)
       select item_id, member_id, org_path, cost, 'GKS' || upper(substr(md5(member_id::text || '${seed}'), 1, 9)), now() - interval '20 days' from pick returning id, member_id, points, org_path),
     x as (insert into points_transactions (kind, source, memo, org_path, created_by_name, created_at)
       select 'redeem', 'redemption:' || r.id, '兑换「物业费抵扣 10 元」', r.org_path, '（演示）', now() - interval '20 days' from r returning id, source)
     select count(*) from x`,
    [scope],
  );
  await db.query(
    `update redemptions r set transaction_id = x.id from points_transactions x where x.source = 'redemption:' || r.id and r.transaction_id is null and r.org_path like $1`,
    [scope],
  );
  await db.query(
    `insert into points_entries (transaction_id, account_id, amount, org_path, created_at)
     select x.id, a.id, case when a.kind = 'member' then -r.points else r.points end, a.org_path, x.created_at
     from redemptions r join points_transactions x on x.id = r.transaction_id join volunteer_members m on m.id = r.member_id
     join points_accounts a on (a.kind = 'member' and a.member_id = m.id) or (a.kind = 'redeemed' and a.community_id = m.community_id)
     where r.org_path like $1 and not exists (select 1 from points_entries e where e.transaction_id = x.id)`,
    [scope],
  );
  await db.query(
    `update redemption_items i set stock = i.stock - (select count(*) from redemptions r where r.item_id = i.id) where i.org_path like $1`,
    [scope],
  );
  await db.query(
    `update points_accounts a set balance = coalesce((select sum(amount) from points_entries e where e.account_id = a.id), 0) where a.org_path like $1`,
    [scope],
  );
  // points_monthly and points_quarterly follow the entries by themselves (the trigger of migration 0034).
  // Wishes and 点单 in each grid of the scope: a few at each stage, the wall's text masked.
  const grids = await db.query<{ id: number; path: string; name: string }>(
    "select id, path, name from org_units where kind = 'grid' and path like $1 order by code",
    [scope],
  );
  const WISHES = [
    ["想要一台收音机", "陈水冲老人住 {b}幢 2单元 301室，眼睛不好看不了报纸，想听广播", "published"],
    ["冬天想要一床厚被子", "独居长者住 {b}幢 1单元 502室，电话 13962912345，家里被子太薄", "published"],
    ["孩子想要一套课外书", "留守儿童家庭住 {b}幢，孩子上四年级，想要科普读物", "pending"],
    ["想有人陪着去医院复查", "王奶奶腿脚不便，住 {b}幢 3单元 101室，下周二要去复查", "claimed"],
    ["想要一副老花镜", "高龄长者看手机费劲，住 {b}幢", "confirmed"],
  ] as const;
  for (const [gi, g] of grids.entries()) {
    if (gi >= 12) break;
    for (const [wi, [title, detail, state]] of WISHES.entries()) {
      const text = detail.replace("{b}", String(1 + ((gi * 5 + wi) % 20)));
      await db.query(
        `insert into volunteer_wishes (org_unit_id, org_path, title, detail, public_text, state, posted_by_name, member_id, claimed_at, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, case when $6 in ('claimed', 'confirmed') then
           (select id from volunteer_members where org_path = (select path from org_units where id = (select parent_id from org_units where id = $1)) and state = 'confirmed' order by id limit 1) end,
           case when $6 in ('claimed', 'confirmed') then now() - interval '3 days' end, now() - make_interval(days => $8::int))`,
        [
          g.id,
          g.path,
          title,
          text,
          publicText(text, ["陈水冲"]),
          state,
          `${g.name} 网格员（演示）`,
          2 + ((gi * 3 + wi * 5) % 25),
        ],
      );
    }
    await db.query(
      `insert into expert_requests (org_unit_id, org_path, specialty, description, state, created_at)
       values ($1, $2, 'legal', '房屋租赁合同纠纷，想咨询律师', 'accepted', now() - interval '2 days'),
              ($1, $2, 'repairs', '楼道灯坏了，老人家里插座松动', 'requested', now() - interval '1 day')`,
      [g.id, g.path],
    );
  }
  // Teams and functional party branches: in each community a party branch and a volunteer team for each of two
  // residential complexes (named from a fixed list by the community's code), the secretary a confirmed party member
  // (the demo volunteer for the first branch of their community), the rolls drawn from the community's members,
  // a few of whom left last quarter (the roll keeps them).
  await db.query(
    `with c as (
       select id, path, code, (('x' || substr(md5(code || ':${seed}'), 1, 8))::bit(32)::int & 2147483647) % ${COMPLEXES.length} as k
       from org_units where kind = 'community' and path like $1),
     cx as (select c.*, n, ($2::text[])[1 + (c.k + n * 3) % ${COMPLEXES.length}] as complex from c cross join generate_series(0, 1) n),
     kinds as (select cx.*, kind from cx cross join unnest(array['party_branch', 'team']) kind),
     sec as (
       select kinds.*, coalesce(
         case when kinds.kind = 'party_branch' and kinds.n = 0 then
           (select m.id from volunteer_members m where m.community_id = kinds.id and m.account_id is not null and m.state = 'confirmed' limit 1) end,
         (select m.id from volunteer_members m where m.community_id = kinds.id and m.state = 'confirmed' and m.kind = 'party_member'
           order by m.id offset (kinds.n * 2 + (kinds.kind = 'team')::int) limit 1)) as secretary
       from kinds)
     insert into volunteer_teams (kind, name, complex, community_id, org_path, secretary_member_id, created_by_name, created_at)
     select kind, complex || case when kind = 'party_branch' then '在职党员功能型党支部' else '志愿服务队' end, complex, id, path,
       secretary, '（演示）', now() - interval '300 days'
     from sec where secretary is not null
     on conflict do nothing`,
    [scope, COMPLEXES],
  );
  // Each confirmed member in one or two of their community's teams (a branch takes party members only); every
  // secretary on their own roll; one in nine left 40 days ago.
  await db.query(
    `with t as (
       select id, kind, community_id, org_path, secretary_member_id,
         (row_number() over (partition by community_id order by id) - 1)::int as i,
         (count(*) over (partition by community_id))::int as cnt
       from volunteer_teams where org_path like $1 and created_by_name = '（演示）'),
     pick as (
       select t.id as team_id, m.id as member_id, t.org_path, m.id % 9 = 4 and m.id <> t.secretary_member_id as gone
       from volunteer_members m join t on t.community_id = m.community_id
       where m.state = 'confirmed' and (t.kind = 'team' or m.kind = 'party_member')
         and (m.id = t.secretary_member_id or m.id % t.cnt = t.i or (m.id / 7) % t.cnt = t.i))
     insert into volunteer_team_members (team_id, member_id, org_path, joined_at, left_at, leave_reason, added_by_name)
     select team_id, member_id, org_path, now() - interval '300 days' + make_interval(days => (member_id % 200)),
       case when gone then now() - interval '40 days' end, case when gone then '工作调动，转出本社区' end, '（演示）'
     from pick
     on conflict do nothing`,
    [scope],
  );
  const [n] = await db.query<{ members: number; entries: number }>(
    `select (select count(*)::int from volunteer_members where org_path like $1) as members,
       (select count(*)::int from points_entries where org_path like $1) as entries`,
    [scope],
  );
  return n;
}
