import type { Database } from "../db/client.ts";
import { addAccount } from "../server/modules/accounts/index.ts";
import { seedAffairs } from "../server/modules/affairs/index.ts";
import { seedCampaigns } from "../server/modules/campaigns/index.ts";
import { DEFAULT_HOSPITALS } from "../server/modules/care/index.ts";
import { seedReportRecipients } from "../server/modules/command/index.ts";
import { seedMutualAid } from "../server/modules/mutualAid/index.ts";
import { seedVolunteers } from "../server/modules/volunteers/index.ts";
import { seedCategories } from "../server/modules/workOrders/index.ts";
import type { FieldCrypto } from "../server/platform/crypto.ts";
import { seedCare, seedReferrals } from "./care.ts";
import { seedOrderPhotos } from "./orderPhotos.ts";
import { seedOrders } from "./orders.ts";
import { seedOrgTree } from "./orgTree.ts";
import { seedPeople } from "./people.ts";

export const DEMO_PASSWORD = "Demo@2026";
export const DEMO_STREET = "320613019"; // 秦灶街道
export const DEMO_COMMUNITY = "320613019010"; // 苏阳社区
export const DEMO_GRID = "320613019010-G01";
/** The demo resident's phone: signs in to the resident app (the code is printed on the server's console). */
export const DEMO_RESIDENT_PHONE = "13962900080";

export const DEMO_ACCOUNTS = [
  { username: "demo-commander", displayName: "区指挥中心（演示）", role: "commander", org: "320613" },
  { username: "demo-street", displayName: "秦灶街道指挥（演示）", role: "commander", org: DEMO_STREET },
  {
    username: "demo-community",
    displayName: "苏阳社区管理员（演示）",
    role: "community_admin",
    org: DEMO_COMMUNITY,
  },
  {
    username: "demo-grid",
    displayName: "苏阳社区第1网格 网格员（演示）",
    role: "grid_worker",
    org: DEMO_GRID,
  },
  { username: "demo-agent", displayName: "12345 坐席（演示）", role: "agent", org: "320613" },
  {
    username: "demo-doctor",
    displayName: "秦灶街道社区卫生服务中心 家庭医生（演示）",
    role: "doctor",
    org: DEMO_STREET,
  },
  {
    username: "demo-volunteer",
    displayName: "苏阳社区 志愿者（演示）",
    role: "volunteer",
    org: DEMO_COMMUNITY,
  },
  {
    username: "demo-hospital",
    displayName: "南通大学附属医院 转诊联络员（演示）",
    role: "hospital_liaison",
    org: "320613",
  },
] as const;

export async function isEmpty(database: Database): Promise<boolean> {
  const [r] = await database.query<{ n: number }>("select count(*)::int as n from org_units");
  return r.n === 0;
}

/** The demo district: the real 崇川区 tree, 秦灶街道's people, and one account per role. Demo only. */
export async function loadDemo(
  database: Database,
  crypto: FieldCrypto,
  opts: {
    scope?: string;
    seed?: number;
    orders?: number;
    orderDays?: number;
    /** Where uploads live (config.dataDir): given, a share of the demo orders carry photos stored there. */
    dataDir?: string;
    log?: (msg: string) => void;
  } = {},
) {
  const log = opts.log ?? (() => {});
  const scope = opts.scope ?? DEMO_STREET;
  await seedOrgTree(database);
  await seedCategories(database);
  log("组织树已载入：崇川区 19 个街道级单位、182 个社区、908 个网格、14277 个微网格");
  const r = await seedPeople(database, crypto, scope, opts.seed ?? 1, (done, total, n) =>
    log(`生成居民 ${done}/${total} 个社区，共 ${n} 人`),
  );
  if (opts.orders) {
    const o = await seedOrders(database, crypto, scope, {
      count: opts.orders,
      days: opts.orderDays ?? 120,
      seed: opts.seed ?? 1,
    });
    log(`生成工单 ${o.orders} 件（近 ${opts.orderDays ?? 120} 天），流转记录 ${o.events} 条`);
    if (opts.dataDir) {
      const [{ path }] = await database.query<{ path: string }>(
        "select path from org_units where code = $1",
        [scope],
      );
      const p = await seedOrderPhotos(database, opts.dataDir, { scopePath: path, seed: opts.seed ?? 1 });
      log(`工单现场照片 ${p.photos} 张（${p.files} 幅示意图）`);
    }
  }
  for (const a of DEMO_ACCOUNTS) {
    await addAccount(database, { ...a, password: DEMO_PASSWORD });
  }
  // Care plans in every community of the demo, so the district sees care work everywhere; 苏阳社区 keeps
  // 90 days of visits, the others three weeks (a street's full history would triple the first start).
  const c = { plans: 0, visits: 0, alerts: 0, followUps: 0 };
  const communities = await database.query<{ code: string }>(
    "select code from org_units where kind = 'community' and path like (select path from org_units where code = $1) || '%' order by code",
    [scope],
  );
  for (const { code } of communities) {
    const one = await seedCare(database, {
      scope: code,
      seed: opts.seed ?? 1,
      password: DEMO_PASSWORD,
      historyDays: code === DEMO_COMMUNITY ? 90 : 21,
    });
    c.plans += one.plans;
    c.visits += one.visits;
    c.alerts += one.alerts;
    c.followUps += one.followUps;
  }
  log(`生成关爱计划 ${c.plans} 份、走访 ${c.visits} 次（预警 ${c.alerts} 条，已随访 ${c.followUps} 条）`);
  const phones = await seedStaffPhones(database, scope);
  log(`工作电话 ${phones.staff} 个账号，社区值班电话 ${phones.hotlines} 个社区`);
  await seedReferrals(database, {
    liaison: "demo-hospital",
    doctor: "demo-doctor",
    hospital: DEFAULT_HOSPITALS[0],
  });
  // 双报到 · 志愿服务: members, a year of tasks and points, wishes and 点单 in every community of the demo.
  const v = await seedVolunteers(database, {
    scope,
    seed: opts.seed ?? 1,
    volunteerAccount: "demo-volunteer",
  });
  log(`生成志愿者 ${v.members} 人，积分分录 ${v.entries} 条`);
  await seedReportRecipients(database, ["demo-commander", "demo-street"]);
  // 共享药箱 · 服务阵地 · 活动, and a resident who can sign in to the phone app.
  const m = await seedMutualAid(database, { scope, seed: opts.seed ?? 1, community: DEMO_COMMUNITY });
  log(`服务阵地 ${m.points} 个，共享药箱 ${m.boxes} 个（药品批次 ${m.batches} 个），活动 ${m.events} 场`);
  await seedDemoResidentPhone(database, crypto);
  // 敲门行动: one running campaign of the street over the demo's grids, a few days already walked.
  const k = await seedCampaigns(database, { scope, seed: opts.seed ?? 1 });
  log(`敲门行动 ${k.campaigns} 个，分配住户 ${k.households} 户，已入户记录 ${k.records} 条`);
  // Community affairs: project lists, a deliberation, key projects, the enterprise register and inspections.
  const a = await seedAffairs(database, { scope, seed: opts.seed ?? 1, inspector: "demo-community" });
  log(`社区事务：企业 ${a.enterprises} 家、检查 ${a.inspections} 次、重点工程 ${a.keyProjects} 项`);
  await database.query(
    "insert into system_settings (key, value) values ('demo', $1) on conflict (key) do update set value = excluded.value",
    [JSON.stringify({ scope, seed: opts.seed ?? 1, loadedAt: new Date().toISOString() })],
  );
  return r;
}

/**
 * Plausible numbers where the district promises them: each staff account of the demo's street a work mobile
 * (Nantong's 139 6281 / 138 1478 ranges), each community of the district an on-duty landline (0513-8xxx xxxx).
 * Derived from the row id, so the same demo gets the same numbers; never a resident's.
 */
export async function seedStaffPhones(database: Database, scope: string) {
  const staff = await database.query<{ id: number }>(
    `update accounts a set work_phone = case when a.id % 2 = 0 then '1396281' else '1381478' end
         || lpad(((a.id * 7919 + 1301) % 10000)::text, 4, '0')
       from org_units o, (select path from org_units where code = $1) s
      where o.id = a.org_unit_id and a.work_phone is null
        and a.role in ('grid_worker', 'grid_head', 'community_admin', 'doctor')
        -- staff of the scope, and those above it who serve it (the street health centre doctors)
        and (o.path like s.path || '%' or s.path like o.path || '%')
     returning a.id`,
    [scope],
  );
  const hotlines = await database.query<{ id: number }>(
    `update org_units set duty_phone = '0513-8' || lpad(((id * 7919 + 517) % 10000000)::text, 7, '0')
      where kind = 'community' and duty_phone is null returning id`,
  );
  return { staff: staff.length, hotlines: hotlines.length };
}

/**
 * The demo resident of the phone app: an 80-year-old (or the oldest) resident of the demo grid gets the demo
 * phone, so `npm start` has someone who can sign in with a code. Demo only.
 */
export async function seedDemoResidentPhone(database: Database, crypto: FieldCrypto) {
  const [r] = await database.query<{ id: number }>(
    `select r.id from residents r join org_units g on g.code = $1
     where r.org_path like g.path || '%' and r.building_id is not null order by r.birth_date, r.id limit 1`,
    [DEMO_GRID],
  );
  if (!r) return null;
  await database.query(
    "update residents set phone_cipher = $2, phone_hash = $3, phone_tail = $4 where id = $1",
    [
      r.id,
      crypto.encrypt(DEMO_RESIDENT_PHONE),
      crypto.hash(DEMO_RESIDENT_PHONE),
      DEMO_RESIDENT_PHONE.slice(-4),
    ],
  );
  return r.id;
}
