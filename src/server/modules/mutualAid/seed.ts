import type { Database } from "../../../db/client.ts";
import { addDays } from "../../../domain/mutualAid/medicine.ts";
import { shanghaiDate } from "../../../domain/sla/time.ts";

// Demo data: in every community of the scope a 党群服务中心 and a 驿站 each with a shared medicine box, and a
// 读书角; the boxes stocked with everyday medicines (some batches near expiry, one expired in the demo
// community), an upcoming 义诊 and 便民集市 in the demo community, and a few medicine requests under way.

export interface MutualAidSeed {
  scope: string;
  seed?: number;
  /** The community whose events and requests are shown (苏阳社区). */
  community: string;
  now?: Date;
}

const MEDICINES: { name: string; spec: string; prescription: boolean }[] = [
  { name: "布洛芬缓释胶囊", spec: "0.3g×20粒", prescription: false },
  { name: "对乙酰氨基酚片", spec: "0.5g×12片", prescription: false },
  { name: "连花清瘟胶囊", spec: "0.35g×24粒", prescription: false },
  { name: "复方甘草片", spec: "100片", prescription: false },
  { name: "藿香正气水", spec: "10ml×10支", prescription: false },
  { name: "创可贴", spec: "100片", prescription: false },
  { name: "硝苯地平缓释片", spec: "20mg×30片", prescription: true },
  { name: "阿莫西林胶囊", spec: "0.25g×24粒", prescription: true },
  { name: "碘伏消毒液", spec: "100ml", prescription: false },
  { name: "蒙脱石散", spec: "3g×10袋", prescription: false },
];

/** A small deterministic generator (mulberry32), so the same seed gives the same demo. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function seedMutualAid(database: Database, opts: MutualAidSeed) {
  const now = opts.now ?? new Date();
  const day = shanghaiDate(now);
  const rand = rng(opts.seed ?? 1);
  // Its own stream, so placing the points leaves the rest of the demo as it was.
  const spot = rng((opts.seed ?? 1) + 7919);
  const communities = await database.query<{
    id: number;
    name: string;
    path: string;
    code: string;
    dutyPhone: string | null;
    boundary: { type: string; coordinates: unknown } | null;
  }>(
    `select id, name, path, code, duty_phone as "dutyPhone", boundary from org_units
     where kind = 'community' and path like (select path from org_units where code = $1) || '%' order by code`,
    [opts.scope],
  );
  let boxes = 0;
  let batches = 0;
  for (const c of communities) {
    // Inside the community's area (its boundary's box, away from the edges), for the map layer.
    const corners = c.boundary ? (JSON.stringify(c.boundary.coordinates).match(/-?\d+(\.\d+)?/g) ?? []) : [];
    const xs = corners.filter((_, i) => i % 2 === 0).map(Number);
    const ys = corners.filter((_, i) => i % 2 === 1).map(Number);
    const place = () =>
      xs.length
        ? {
            long: Math.min(...xs) + (0.2 + 0.6 * spot()) * (Math.max(...xs) - Math.min(...xs)),
            lat: Math.min(...ys) + (0.2 + 0.6 * spot()) * (Math.max(...ys) - Math.min(...ys)),
          }
        : { long: null, lat: null };
    const points = [
      {
        kind: "party_center",
        name: `${c.name}党群服务中心`,
        hours: "周一至周日 8:30–17:30",
        services: ["政策咨询", "共享药箱", "法律援助", "报到接待"],
        box: true,
      },
      {
        kind: "rest_station",
        name: `${c.name}爱心驿站`,
        hours: "全天开放",
        services: ["热水", "充电", "微波炉", "医药箱", "雨伞"],
        box: true,
      },
      {
        kind: "reading_corner",
        name: `${c.name}流动党员读书角`,
        hours: "周二至周日 9:00–20:00",
        services: ["图书借阅", "学习室"],
        box: false,
      },
    ];
    for (const [i, p] of points.entries()) {
      const at = place();
      const [sp] = await database.query<{ id: number }>(
        `insert into service_points (kind, name, org_unit_id, org_path, address, hours, services, phone, lat, long)
         values ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10) returning id`,
        [
          p.kind,
          p.name,
          c.id,
          c.path,
          `${c.name}${["活动中心一楼", "沿街门面", "服务中心二楼"][i]}`,
          p.hours,
          p.services,
          c.dutyPhone,
          at.lat,
          at.long,
        ],
      );
      if (!p.box) continue;
      const [b] = await database.query<{ id: number }>(
        `insert into medicine_boxes (service_point_id, name, org_unit_id, org_path) values ($1, $2, $3, $4) returning id`,
        [sp.id, `${p.name}共享药箱`, c.id, c.path],
      );
      boxes++;
      for (const [k, m] of MEDICINES.entries()) {
        // Mostly in date for months; some within 30 days; the demo community's first box keeps one expired batch.
        const expired = c.code === opts.community && i === 0 && k === 3;
        if (!expired && k > 1 && rand() < 0.25) continue;
        const r = rand();
        const days = expired ? -5 : r < 0.15 ? 5 + Math.floor(rand() * 25) : 60 + Math.floor(rand() * 600);
        await database.query(
          `insert into medicine_stock (box_id, org_path, medicine_name, spec, batch, expires_on, quantity, prescription)
           values ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            b.id,
            c.path,
            m.name,
            m.spec,
            `B${(20240000 + Math.floor(rand() * 9999)).toString()}`,
            addDays(day, days),
            2 + Math.floor(rand() * 18),
            m.prescription,
          ],
        );
        await database.query(
          `insert into medicine_movements (stock_id, box_id, org_path, kind, quantity, note, actor_name)
           select id, box_id, org_path, 'donation', quantity, '居民捐赠', '社区工作人员' from medicine_stock where id = currval('medicine_stock_id_seq')`,
        );
        batches++;
      }
    }
  }
  const [demo] = communities.filter((c) => c.code === opts.community);
  let events = 0;
  if (demo) {
    const at = (days: number, hour: number) => {
      const d = new Date(`${addDays(day, days)}T${String(hour).padStart(2, "0")}:00:00+08:00`);
      return d;
    };
    const list = [
      {
        kind: "clinic",
        title: "“一月一义诊”健康服务",
        place: `${demo.name}党群服务中心一楼`,
        days: 3,
        hour: 8,
        capacity: 30,
        tags: [] as string[],
      },
      {
        kind: "fair",
        title: "“兴福一家”便民服务集市",
        place: `${demo.name}文化广场`,
        days: 7,
        hour: 8,
        capacity: 100,
        tags: [],
      },
      {
        kind: "talk",
        title: "冬季慢病防护健康讲座",
        place: `${demo.name}读书角`,
        days: 5,
        hour: 14,
        capacity: 20,
        tags: ["chronic_disease", "aged_80_plus"],
      },
    ];
    for (const e of list) {
      const [ev] = await database.query<{ id: number }>(
        `insert into community_events (kind, title, description, place, org_unit_id, org_path, starts_at, ends_at, capacity, audience_tags, created_by_name)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], '社区管理员') returning id`,
        [
          e.kind,
          e.title,
          "请携带医保卡，现场有医生答疑",
          e.place,
          demo.id,
          demo.path,
          at(e.days, e.hour),
          at(e.days, e.hour + 3),
          e.capacity,
          e.tags,
        ],
      );
      // A few residents already signed up by their grid workers.
      const signed = await database.query<{ id: number }>(
        `insert into event_signups (event_id, resident_id, org_path, state, signed_up_by_name)
         select $1, r.id, r.org_path, 'confirmed', '网格员' from residents r
         where r.org_path like $2 || '%' and (cardinality($3::text[]) = 0 or r.tags && $3::text[]) order by r.id limit $4 returning id`,
        [ev.id, demo.path, e.tags, Math.floor(e.capacity / 3)],
      );
      await database.query("update community_events set taken = $2 where id = $1", [ev.id, signed.length]);
      events++;
    }
  }
  return { points: communities.length * 3, boxes, batches, events };
}
