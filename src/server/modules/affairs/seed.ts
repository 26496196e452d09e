import type { Database } from "../../../db/client.ts";
import { CREDIT_CHARSET, composeCreditCode } from "../../../domain/affairs/creditCode.ts";
import { quarterOf } from "../../../domain/affairs/ratings.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { FIVE_HAVES, WINTER_SAFETY } from "./inspections.ts";

// Demo data for community affairs, deterministic from the seed. Seeds 001 and 002: 如城街道 lists 8
// practical projects a quarter and has residents rate them; 198 officials visited 740+ enterprises for the
// 五有; the 有事好商量 platform settled a road's parking problem; key projects held to 序时 milestones.

export interface AffairsSeed {
  scope: string;
  seed?: number;
  /** Enterprises per grid of the scope (default 2). */
  enterprisesPerGrid?: number;
  /** Months of inspection history (default 12). */
  months?: number;
  /** Key projects per street (default 4) and at the district (default 4). */
  keyProjectsPerStreet?: number;
  /** Projects per community per quarter (default 8, as 如城街道). */
  projectsPerQuarter?: number;
  /** The account that inspects the demo community's enterprises (default demo-community). */
  inspector?: string;
  today?: Date;
  log?: (msg: string) => void;
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const INDUSTRIES = [
  "制造业",
  "批发零售",
  "餐饮住宿",
  "建筑施工",
  "物流仓储",
  "信息技术",
  "商务服务",
  "居民服务",
];
const NAMES = [
  "恒达",
  "苏通",
  "宏泰",
  "瑞丰",
  "金鼎",
  "华创",
  "通海",
  "中天",
  "锦程",
  "永盛",
  "东升",
  "凯旋",
  "新港",
  "嘉禾",
];
const KINDS = [
  "纺织有限公司",
  "机械制造有限公司",
  "物流有限公司",
  "餐饮管理有限公司",
  "建材有限公司",
  "电子科技有限公司",
  "商贸有限公司",
];
const ROADS = ["秦灶路", "永兴大道", "通京大道", "钟秀中路", "观音山路", "幸福路", "港闸路"];
const SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹";
const PROJECTS = [
  ["老旧小区加装电梯", "社区规划办", 1_200_000],
  ["背街小巷路面改造", "街道城建办", 800_000],
  ["口袋公园建设", "街道城管科", 450_000],
  ["非机动车集中充电棚", "社区物业联合体", 180_000],
  ["社区食堂（老年助餐点）", "社区居委会", 260_000],
  ["雨污分流管网改造", "区住建局", 2_100_000],
  ["小区监控补盲", "社区警务室", 120_000],
  ["健身步道与健身器材更新", "街道文体中心", 150_000],
  ["垃圾分类亭升级", "街道城管科", 90_000],
  ["楼道照明改造", "社区物业联合体", 60_000],
] as const;
const KEY_PROJECTS = [
  "城市更新片区改造",
  "主干道快速化改造",
  "区人民医院新院区",
  "中小学校舍新建",
  "滨江公园提升",
  "污水处理厂扩建",
  "保障性租赁住房",
  "智慧城管平台",
];
const MILESTONE_SETS = [
  [
    ["前期手续与招标", 10],
    ["基础施工", 25],
    ["主体施工", 35],
    ["配套安装", 20],
    ["竣工验收", 10],
  ],
  [
    ["方案设计", 15],
    ["拆迁腾地", 25],
    ["主体工程", 40],
    ["验收移交", 20],
  ],
] as const;

const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

export async function seedAffairs(db: Database, o: AffairsSeed) {
  const r = rng((o.seed ?? 1) * 7919 + 18);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)];
  const today = o.today ?? new Date();
  const log = o.log ?? (() => {});
  const [root] = await db.query<{ id: number; path: string }>(
    "select id, path from org_units where code = $1",
    [o.scope],
  );
  if (!root) throw new Error(`no unit ${o.scope}`);
  const scope = subtreePattern(root.path);
  const [district] = await db.query<{ id: number; path: string }>(
    "select id, path from org_units where kind = 'district' and $1 like path || '%' limit 1",
    [root.path],
  );

  // Templates: the 五有 and winter work-safety, kept at the district (once).
  const [have] = await db.query<{ n: number }>("select count(*)::int as n from checklist_templates");
  if (have.n === 0)
    await db.query(
      `insert into checklist_templates (org_path, name, items) values ($1, '企业"五有"检查', $2::jsonb), ($1, '冬季安全生产检查', $3::jsonb)`,
      [district?.path ?? "/", JSON.stringify(FIVE_HAVES), JSON.stringify(WINTER_SAFETY)],
    );
  const [five] = await db.query<{ id: number }>("select id from checklist_templates order by id limit 1");

  // ——— enterprises, placed in grids ———
  const grids = await db.query<{ id: number; path: string; code: string }>(
    "select id, path, code from org_units where kind = 'grid' and path like $1 order by code",
    [scope],
  );
  const per = o.enterprisesPerGrid ?? 2;
  const [{ n: existing }] = await db.query<{ n: number }>("select count(*)::int as n from enterprises");
  const lines: string[] = [];
  let serial = existing;
  for (const g of grids)
    for (let i = 0; i < per; i++) {
      serial++;
      const org = String(serial).padStart(8, "0");
      const first17 = `913206${g.code.slice(4, 6)}${org}${pick(CREDIT_CHARSET.split("").slice(0, 10))}`.slice(
        0,
        17,
      );
      const code = composeCreditCode(first17);
      const name = `南通${pick(NAMES)}${pick(KINDS)}`;
      const phone = `139${String(Math.floor(r() * 1e8)).padStart(8, "0")}`;
      lines.push(
        [
          g.id,
          g.path,
          `${name}（${serial}）`,
          code,
          `崇川区${pick(ROADS)}${1 + Math.floor(r() * 300)}号`,
          `${pick(SURNAMES.split(""))}经理`,
          `${phone.slice(0, 3)}****${phone.slice(7)}`,
          pick(INDUSTRIES),
          pick(["micro", "small", "small", "medium", "large"]),
        ].join("\t"),
      );
    }
  if (lines.length)
    await copyTsv(
      db,
      "enterprises",
      [
        "org_unit_id",
        "org_path",
        "name",
        "credit_code",
        "address",
        "contact_name",
        "contact_phone_tail",
        "industry",
        "size",
      ],
      lines,
    );

  // ——— a year of inspections: a 五有 campaign per street per quarter, every enterprise checked each time ———
  const months = o.months ?? 12;
  const [inspector] = await db.query<{ id: number; name: string }>(
    "select id, display_name as name from accounts where username = $1",
    [o.inspector ?? "demo-community"],
  );
  const streets = await db.query<{ id: number; path: string; name: string }>(
    "select id, path, name from org_units where kind = 'street' and (path like $1 or $2 like path || '%') order by code",
    [scope, root.path],
  );
  const quarters = Math.max(1, Math.round(months / 3));
  for (const s of streets) {
    for (let q = quarters - 1; q >= 0; q--) {
      const start = addDays(today, -(q + 1) * 91 + 1);
      const end = addDays(start, q === 0 ? 120 : 60);
      const [c] = await db.query<{ id: number }>(
        `insert into inspection_campaigns (org_unit_id, org_path, name, template_id, starts_on, ends_on)
         values ($1, $2, $3, $4, $5, $6) returning id`,
        [s.id, s.path, `${quarterOf(addDays(start, 60))} 企业"五有"检查`, five.id, dayOf(start), dayOf(end)],
      );
      // Every enterprise of the street assigned; the current quarter leaves about a third to do.
      await db.query(
        `insert into inspection_assignments (campaign_id, enterprise_id, inspector_id, org_path)
         select $1, e.id, $2, e.org_path from enterprises e where e.org_path like $3`,
        [c.id, inspector?.id ?? 0, subtreePattern(s.path)],
      );
      const seedN = (o.seed ?? 1) * 31 + q;
      await db.query(
        `with a as (
           select a.id, a.enterprise_id, a.org_path,
             abs(hashtext(a.id::text || ':' || $2::text)) % 1000 as h
           from inspection_assignments a where a.campaign_id = $1
         ), ins as (
           insert into inspections (campaign_id, enterprise_id, org_path, inspector_id, inspector_name, results, failed, inspected_at)
           select $1, a.enterprise_id, a.org_path, $3, $4,
             (select jsonb_agg(jsonb_build_object('code', it->>'code', 'text', it->>'text',
                 'passed', not (a.h % 7 = 0 and ord = 1 + a.h % 5), 'finding',
                 case when a.h % 7 = 0 and ord = 1 + a.h % 5 then '现场未见相关材料，需补齐' end) order by ord)
               from jsonb_array_elements($5::jsonb) with ordinality as x(it, ord)),
             case when a.h % 7 = 0 then 1 else 0 end,
             $6::timestamptz + make_interval(days => a.h % $7)
           from a where not ($8 and a.h % 3 = 0)
           returning id, enterprise_id, org_path, failed, results, inspected_at
         ), upd as (
           update inspection_assignments ca set inspection_id = ins.id from ins
           where ca.campaign_id = $1 and ca.enterprise_id = ins.enterprise_id returning ca.id
         )
         insert into rectifications (enterprise_id, inspection_id, org_path, item_code, item_text, finding, deadline, state, closed_at)
         select ins.enterprise_id, ins.id, ins.org_path, f->>'code', f->>'text', f->>'finding',
           (ins.inspected_at + interval '7 days')::date,
           case when $8 and ins.id % 2 = 0 then 'open' else 'closed' end,
           case when $8 and ins.id % 2 = 0 then null else ins.inspected_at + interval '6 days' end
         from ins, jsonb_array_elements(ins.results) f where ins.failed > 0 and not (f->>'passed')::boolean`,
        [
          c.id,
          seedN,
          inspector?.id ?? null,
          inspector?.name ?? null,
          JSON.stringify(FIVE_HAVES),
          start,
          q === 0
            ? Math.max(1, Math.min(60, Math.floor((today.getTime() - start.getTime()) / 86_400_000)))
            : 60,
          q === 0,
        ],
      );
    }
  }
  // A winter work-safety campaign starting now in the demo community's street, nothing done yet.
  const [winter] = await db.query<{ id: number }>(
    "select id from checklist_templates order by id offset 1 limit 1",
  );
  if (winter && streets[0]) {
    const [c] = await db.query<{ id: number }>(
      `insert into inspection_campaigns (org_unit_id, org_path, name, template_id, starts_on, ends_on)
       values ($1, $2, '冬季安全生产检查', $3, $4, $5) returning id`,
      [streets[0].id, streets[0].path, winter.id, dayOf(today), dayOf(addDays(today, 45))],
    );
    await db.query(
      `insert into inspection_assignments (campaign_id, enterprise_id, inspector_id, org_path)
       select $1, e.id, $2, e.org_path from enterprises e where e.org_path like $3 order by e.id limit 12`,
      [c.id, inspector?.id ?? 0, scope],
    );
  }
  const [{ n: nIns }] = await db.query<{ n: number }>("select count(*)::int as n from inspections");
  log(`企业 ${lines.length} 家，检查 ${nIns} 次`);

  // ——— practical projects: this quarter's list and last quarter's archive, per community and street ———
  const units = await db.query<{ id: number; path: string; kind: string }>(
    "select id, path, kind from org_units where kind in ('street', 'community') and path like $1 order by code",
    [scope],
  );
  const perQuarter = o.projectsPerQuarter ?? 8;
  const thisQ = quarterOf(today);
  const lastQ = quarterOf(addDays(today, -92));
  for (const u of units) {
    for (const [qi, q] of [lastQ, thisQ].entries()) {
      for (let i = 0; i < perQuarter; i++) {
        const [title, owner, budget] = PROJECTS[(i + u.id) % PROJECTS.length];
        const current = qi === 1;
        const progress = current ? Math.min(100, Math.floor(r() * 10) * 10) : 100;
        const deadline = dayOf(
          addDays(today, current ? 20 + Math.floor(r() * 60) : -10 - Math.floor(r() * 60)),
        );
        const [p] = await db.query<{ id: number }>(
          `insert into practical_projects (org_unit_id, org_path, quarter, title, description, budget, owner, deadline, milestones,
             state, progress, published_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12) returning id`,
          [
            u.id,
            u.path,
            q,
            title,
            `${title}，惠及周边居民，资金由街道统筹`,
            budget,
            owner,
            deadline,
            JSON.stringify([
              { title: "方案公示", due: dayOf(addDays(new Date(`${deadline}T00:00:00Z`), -40)) },
              { title: "施工完成", due: deadline },
            ]),
            progress >= 100 ? "done" : "published",
            progress,
            addDays(today, current ? -20 : -100),
          ],
        );
        const notes = progress > 0 ? ["方案已公示，征求居民意见", "施工进场", "主体完工，开始收尾"] : [];
        for (const [k, note] of notes.slice(0, 1 + Math.floor(progress / 40)).entries())
          await db.query(
            "insert into project_updates (project_id, org_path, note, progress, created_at) values ($1, $2, $3, $4, $5)",
            [p.id, u.path, note, Math.min(progress, (k + 1) * 30), addDays(today, -15 + k * 4)],
          );
        const raters = progress >= 40 ? 5 + Math.floor(r() * 25) : 0;
        if (raters)
          await db.query(
            `insert into project_ratings (project_id, org_path, phone_hash, satisfaction)
             select $1::int, $2, 'demo:' || $1::int || ':' || g,
               case when g % 10 < 7 then 'satisfied' when g % 10 < 9 then 'basically_satisfied' else 'unsatisfied' end
             from generate_series(1, $3) g`,
            [p.id, u.path, raters],
          );
      }
    }
  }
  await db.query(
    `update practical_projects p set ratings_satisfied = t.s, ratings_basic = t.b, ratings_unsatisfied = t.u
     from (select project_id, count(*) filter (where satisfaction = 'satisfied')::int s,
             count(*) filter (where satisfaction = 'basically_satisfied')::int b,
             count(*) filter (where satisfaction = 'unsatisfied')::int u
           from project_ratings group by project_id) t
     where t.project_id = p.id and p.org_path like $1`,
    [scope],
  );
  for (const u of units.filter((x) => x.kind === "community").slice(0, 6))
    await db.query(
      `insert into project_proposals (org_unit_id, org_path, source, title, detail, created_by_name) values
       ($1, $2, 'resident', '小区增设非机动车充电桩', '居民反映电动车上楼充电隐患大，希望在小区内集中建设充电棚', '社区工作人员'),
       ($1, $2, 'grid_visit', '河边步道加装护栏和照明', '走访中老人反映夜间散步看不清，临水一侧没有护栏', '网格员')`,
      [u.id, u.path],
    );

  // ——— deliberation: the parking problem on a road (seed 002) ———
  const [community] = await db.query<{ id: number; path: string }>(
    "select id, path from org_units where kind = 'community' and path like $1 order by code limit 1",
    [scope],
  );
  if (community) {
    const [d] = await db.query<{ id: number }>(
      `insert into deliberations (org_unit_id, org_path, title, background, source, state, meeting_at, place, parties,
         agenda, minutes, decision, vote_question, vote_options, vote_open)
       values ($1, $2, '幸福路夜间停车难', '幸福路两侧夜间乱停车，消防通道被占，居民多次拨打12345反映。', 'hot_spot', 'decided',
         $3, '社区议事厅', $4::jsonb, '一、通报情况；二、各方发言；三、形成方案',
         '居民代表、物业、交警中队、城管中队协商：划设夜间临时停车位，开放单位停车场错峰停车。',
         '划设夜间临时停车位 40 个，协调机关单位停车场夜间错峰开放，物业负责巡查消防通道。',
         '是否同意夜间错峰停车方案', '{同意,不同意}', false) returning id`,
      [
        community.id,
        community.path,
        addDays(today, -20),
        JSON.stringify([
          { kind: "resident_rep", name: "居民代表", present: true },
          { kind: "resident_rep", name: "居民代表", present: true },
          { kind: "property", name: "物业服务中心", present: true },
          { kind: "department", name: "交警中队", present: true },
          { kind: "department", name: "城管中队", present: true },
          { kind: "deputy", name: "区人大代表", present: true },
        ]),
      ],
    );
    await db.query(
      `insert into deliberation_actions (deliberation_id, org_path, title, owner, due, carried_by, state) values
       ($1, $2, '协调机关单位停车场夜间错峰开放', '社区居委会', $3, 'none', 'done'),
       ($1, $2, '物业每晚巡查消防通道', '物业服务中心', $4, 'none', 'open')`,
      [d.id, community.path, dayOf(addDays(today, -5)), dayOf(addDays(today, 25))],
    );
    const hs = await db.query<{ id: number }>(
      "select id from households where org_path like $1 order by id limit 60",
      [subtreePattern(community.path)],
    );
    for (const [i, h] of hs.entries())
      await db.query(
        "insert into deliberation_votes (deliberation_id, household_id, org_path, option) values ($1, $2, $3, $4)",
        [d.id, h.id, community.path, i % 9 === 0 ? "不同意" : "同意"],
      );
    await db.query(
      `insert into deliberations (org_unit_id, org_path, title, background, source) values
       ($1, $2, '小区公共收益使用', '小区广告位和停车收益如何使用，居民意见不一，需要协商。', 'resident')`,
      [community.id, community.path],
    );
  }

  // ——— key projects with milestones, some behind ———
  const holders = [
    ...(district ? [{ ...district, n: 4 }] : []),
    ...streets.map((s) => ({ ...s, n: o.keyProjectsPerStreet ?? 4 })),
  ];
  let kp = 0;
  for (const hld of holders) {
    const n = hld === holders[0] && district ? 4 : hld.n;
    for (let i = 0; i < n; i++) {
      kp++;
      const start = addDays(today, -200 + Math.floor(r() * 100));
      const end = addDays(start, 300 + Math.floor(r() * 200));
      const set = MILESTONE_SETS[kp % MILESTONE_SETS.length];
      const [k] = await db.query<{ id: number }>(
        `insert into key_projects (org_unit_id, org_path, name, owner, budget, starts_on, ends_on)
         values ($1, $2, $3, $4, $5, $6, $7) returning id`,
        [
          hld.id,
          hld.path,
          `${KEY_PROJECTS[kp % KEY_PROJECTS.length]}（${kp}期）`,
          "区重点办",
          5_000_000 + Math.floor(r() * 9e7),
          dayOf(start),
          dayOf(end),
        ],
      );
      const span = (end.getTime() - start.getTime()) / 86_400_000;
      let acc = 0;
      const late = r() < 0.35;
      for (const [j, [title, weight]] of set.entries()) {
        acc += weight;
        const due = addDays(start, Math.round((span * acc) / 100));
        const done = due < today && !(late && j >= 1 && addDays(due, 0) > addDays(today, -90));
        await db.query(
          `insert into key_project_milestones (project_id, org_path, seq, title, weight, due, done_on)
           values ($1, $2, $3, $4, $5, $6, $7)`,
          [k.id, hld.path, j + 1, title, weight, dayOf(due), done ? dayOf(addDays(due, -2)) : null],
        );
      }
      await db.query(
        `update key_projects set progress = (select coalesce(sum(weight), 0) from key_project_milestones where project_id = $1 and done_on is not null) where id = $1`,
        [k.id],
      );
      await db.query(
        "insert into key_project_reports (project_id, org_path, note, created_by_name, created_at) values ($1, $2, $3, '区重点办', $4)",
        [k.id, hld.path, "本周现场施工正常推进，人员机械到位", addDays(today, -3)],
      );
    }
  }
  return { enterprises: lines.length, inspections: nIns, keyProjects: kp };
}

async function copyTsv(db: Database, table: string, columns: string[], lines: string[]) {
  // COPY is the seed's fast path; values here never hold tabs, quotes or line breaks.
  const csv = lines
    .map((l) =>
      l
        .split("\t")
        .map((v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v))
        .join(","),
    )
    .join("\n");
  await db.copyCsv(table, columns, `${csv}\n`);
}
