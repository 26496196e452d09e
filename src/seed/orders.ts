import type { Database } from "../db/client.ts";
import { csvField } from "../db/client.ts";
import { givenName, surname } from "../domain/people/names.ts";
import { createRng, type Rng, weightedTable } from "../domain/people/random.ts";
import { computeDeadlines, findPolicy, shanghaiDate } from "../domain/sla/index.ts";
import {
  type Actor,
  applyTransition,
  type CallbackResult,
  newWorkOrder,
  type OrderAction,
  type Satisfaction,
  type TransitionPayload,
  type WorkOrder,
} from "../domain/workflow/index.ts";
import { NUMBER_TAIL_RANGE, numberTail, orderNumber } from "../domain/workflow/orderNumber.ts";
import { slaColumns, toFlow } from "../server/modules/workOrders/index.ts";
import type { FieldCrypto } from "../server/platform/crypto.ts";

// Demo and benchmark activity: work orders over the past months, each walked through the real
// workflow (applyTransition) with plausible delays, so every state, clock and rate is one the product
// itself would have produced. Written with COPY in batches.

const DESCRIPTIONS: Record<string, string[]> = {
  sanitation: ["小区垃圾桶满溢未及时清运", "楼道堆放杂物有异味", "绿化带内有建筑垃圾"],
  municipal: ["路灯不亮，晚上出行不安全", "人行道地砖松动", "窨井盖破损"],
  property: ["楼道灯坏了", "电梯故障停运", "单元门禁损坏", "屋顶漏水"],
  utilities: ["家里停水，请尽快查看", "燃气表异常", "下水道堵塞反水"],
  neighbour_dispute: ["楼上漏水到我家，协商不成", "邻居占用公共楼道"],
  medical: ["老人发烧咨询用药", "独居老人行动不便需上门测血压", "慢病患者配药困难"],
  elderly_care: ["独居老人需要助餐服务", "申请适老化改造"],
  public_safety: ["小区门口有可疑人员逗留", "楼道电动车充电有隐患"],
  illegal_building: ["顶楼私自搭建阳光房", "一楼住户圈占绿地"],
  parking_traffic: ["小区门口车辆乱停堵塞消防通道", "非机动车乱停放"],
  noise: ["夜间施工噪声扰民", "广场舞音响声音过大"],
  enterprise: ["企业咨询稳岗补贴申请", "企业反映周边道路施工影响经营"],
  fire_safety: ["消防栓无水", "楼道堆放易燃物"],
  other: ["咨询社区服务事项", "反映公共设施建议"],
};

const CATEGORY_SHARE = weightedTable<string>([
  ["property", 22],
  ["sanitation", 14],
  ["municipal", 10],
  ["utilities", 8],
  ["neighbour_dispute", 7],
  ["noise", 8],
  ["parking_traffic", 8],
  ["elderly_care", 5],
  ["medical", 5],
  ["public_safety", 4],
  ["illegal_building", 3],
  ["enterprise", 2],
  ["fire_safety", 2],
  ["other", 2],
]);
const CHANNEL_SHARE = weightedTable<string>([
  ["hotline_12345", 55],
  ["grid_patrol", 18],
  ["resident_app", 12],
  ["walk_in", 8],
  ["care_hotline", 5],
  ["open311", 2],
]);

/** The demo walks every step as one actor who holds every role a step needs. */
const SYSTEM: Actor = {
  id: "system",
  roles: ["system", "agent", "commander", "community_admin", "grid_worker", "grid_head"],
};

const ORDER_COLUMNS = [
  "id",
  "number",
  "channel",
  "category_id",
  "sla_policy",
  "state",
  "version",
  "description",
  "caller_name",
  "caller_phone_cipher",
  "caller_phone_hash",
  "caller_phone_tail",
  "address",
  "building_id",
  "org_unit_id",
  "org_path",
  "routed_level",
  "flow",
  "next_due_at",
  "next_warn_at",
  "overdue_at",
  "warned_at",
  "dispatched_at",
  "accepted_at",
  "resolved_at",
  "closed_at",
  "accepted_on_time",
  "resolved_on_time",
  "callback_solved",
  "satisfaction",
  "rated_at",
  "created_at",
  "updated_at",
];
const EVENT_COLUMNS = ["order_id", "action", "from_state", "to_state", "actor_name", "at", "note", "detail"];

interface Building {
  id: number;
  address: string;
  gridId: number;
  gridPath: string;
}

/** Minutes until a clock's deadline, so delays can be drawn as a share of the allowed time. */
function allowedMinutes(order: WorkOrder, policy: string, clock: string, now: Date): number | null {
  const c = computeDeadlines({
    policy: findPolicy(policy)!,
    milestones: order.milestones,
    track: order.track,
    now,
  }).find((x) => x.clock === clock);
  return c ? (c.deadline.getTime() - c.startedAt.getTime()) / 60_000 : null;
}

/** Mostly on time, sometimes late: a share of the allowed time. */
const share = (rng: Rng, lateChance: number) =>
  rng.chance(lateChance) ? 1.05 + rng.next() * 0.8 : 0.05 + rng.next() * 0.85;

export async function seedOrders(
  database: Database,
  crypto: FieldCrypto,
  scopeCode: string,
  opts: { count: number; days: number; seed?: number; now?: Date; onProgress?: (n: number) => void },
): Promise<{ orders: number; events: number }> {
  const now = opts.now ?? new Date();
  const [scope] = await database.query<{ path: string }>("select path from org_units where code = $1", [
    scopeCode,
  ]);
  if (!scope) throw new Error(`组织代码 ${scopeCode} 不存在`);
  const buildings = await database.query<Building>(
    `select b.id, b.address, g.id as "gridId", g.path as "gridPath" from buildings b
     join org_units m on m.id = b.org_unit_id join org_units g on g.id = m.parent_id where b.org_path like $1 order by b.id`,
    [`${scope.path}%`],
  );
  if (buildings.length === 0) return { orders: 0, events: 0 };
  const cats = new Map(
    (
      await database.query<{ id: number; code: string; slaPolicy: string }>(
        `select id, code, sla_policy as "slaPolicy" from categories`,
      )
    ).map((c) => [c.code, c]),
  );
  const [{ max }] = await database.query<{ max: number }>(
    "select coalesce(max(id), 0)::int as max from work_orders",
  );
  const rng = createRng(opts.seed ?? 1, 7_000_001);
  // Numbers' random tails from a stream of their own, so the orders themselves stay as they were per seed.
  const tails = createRng(opts.seed ?? 1, 7_000_002);
  // Named people, as a district would see them in a timeline: the hotline desk's agents, and each grid's
  // own worker (the same name on every order of that grid), drawn from a stream of their own.
  const people = createRng(opts.seed ?? 1, 7_000_003);
  const personName = () => {
    const male = people.chance(0.4);
    return `${surname(people)}${givenName(people, people.int(1975, 1998), male)}`;
  };
  const AGENTS = Array.from({ length: 8 }, () => `12345坐席 ${personName()}`);
  const workers = new Map<number, string>();
  const workerOf = (gridId: number) => {
    let w = workers.get(gridId);
    if (!w) {
      w = `网格员 ${personName()}`;
      workers.set(gridId, w);
    }
    return w;
  };
  /** Who does a step: the desk routes, checks and calls back; the grid's worker does the work. */
  const DESK: ReadonlySet<string> = new Set(["receive", "dispatch", "verify", "rework", "close", "reopen"]);
  let nextId = max;
  let orderRows: string[] = [];
  let eventRows: string[] = [];
  let events = 0;
  const flush = async () => {
    if (orderRows.length) await database.copyCsv("work_orders", ORDER_COLUMNS, orderRows.join("\n"));
    if (eventRows.length) await database.copyCsv("work_order_events", EVENT_COLUMNS, eventRows.join("\n"));
    orderRows = [];
    eventRows = [];
  };

  for (let i = 0; i < opts.count; i++) {
    const id = ++nextId;
    const b = buildings[Math.floor(rng.next() * buildings.length)];
    const code = rng.weighted(CATEGORY_SHARE);
    const cat = cats.get(code)!;
    const channel = code === "medical" ? "care_hotline" : rng.weighted(CHANNEL_SHARE);
    // Requests come in during the day (07:00–22:00 Shanghai).
    const day = Math.floor(rng.next() * opts.days);
    const shanghai = new Date(now.getTime() + 8 * 3600_000 - day * 86_400_000);
    shanghai.setUTCHours(rng.int(7, 21), rng.int(0, 59), rng.int(0, 59), 0);
    const created = new Date(shanghai.getTime() - 8 * 3600_000);
    if (created > now) created.setTime(now.getTime() - rng.int(5, 600) * 60_000);
    let order = newWorkOrder(String(id), created);
    const evs: [OrderAction | "receive", string | null, string, Date, string | null, unknown][] = [
      ["receive", null, "received", created, null, null],
    ];
    const agent = rng.pick(AGENTS);
    let t = created;
    let callback: CallbackResult | null = null;
    let rated: Date | null = null;
    const step = (action: OrderAction, requested: Date, payload: TransitionPayload = {}) => {
      // Nobody works a routine order at 3 a.m.: a step that would fall in the night waits for the morning
      // (52022 emergencies go on through the night).
      const at = cat.slaPolicy === "52022" ? requested : inWorkingHours(requested, rng);
      if (at > now) return false;
      const r = applyTransition(order, action, SYSTEM, at, payload);
      if (!r.ok) return false;
      evs.push([action, r.event.from, r.event.to, at, r.event.note, r.event.detail ?? null]);
      order = r.order;
      t = at;
      return true;
    };
    const after = (clock: string, late: number, fallbackMin: number) => {
      const allowed = allowedMinutes(order, cat.slaPolicy, clock, t) ?? fallbackMin;
      return new Date(t.getTime() + Math.max(1, allowed * share(rng, late)) * 60_000);
    };
    let cycles = 0;
    while (cycles++ < 2) {
      if (!step("dispatch", new Date(t.getTime() + rng.int(1, 25) * 60_000), { assignee: String(b.gridId) }))
        break;
      if (rng.chance(0.03)) {
        step("return", new Date(t.getTime() + rng.int(10, 90) * 60_000), { reason: "非本网格事项" });
        step("dispatch", new Date(t.getTime() + rng.int(5, 60) * 60_000), { assignee: String(b.gridId) });
      }
      if (!step("accept", after(cat.slaPolicy === "12345" ? "accept" : "arrive", 0.06, 30))) break;
      const complex = cat.slaPolicy === "52022" && rng.chance(0.15);
      if (complex) {
        if (!step("plan", after("plan", 0.05, 600))) break;
        if (!step("reply", after("reply", 0.05, 600))) break;
      } else if (!step("arrive", after("arrive", 0.05, 20))) break;
      if (!step("resolve", after("resolve", 0.07, 600))) break;
      if (rng.chance(0.04)) {
        // Rework sends it back to accepted: go again, then resolve.
        if (
          !step("rework", new Date(t.getTime() + rng.int(30, 300) * 60_000), { reason: "现场核查未整改到位" })
        )
          break;
        if (!step("arrive", new Date(t.getTime() + rng.int(10, 240) * 60_000))) break;
        if (!step("resolve", new Date(t.getTime() + rng.int(60, 1440) * 60_000))) break;
      }
      if (!step("verify", new Date(t.getTime() + rng.int(30, 600) * 60_000))) break;
      // A reopened order's second round ends well.
      const solved = cycles > 1 || rng.chance(0.95);
      const satisfaction = rng.chance(0.08) ? null : cycles > 1 ? "satisfied" : rng.weighted(SATISFACTION);
      callback = { solved, satisfaction };
      const at = new Date(t.getTime() + rng.int(60, 2880) * 60_000);
      if (solved && satisfaction !== "unsatisfied") {
        if (step("close", at, { callback })) rated = at;
        break;
      }
      if (!step("reopen", at, { callback })) break;
      rated = at;
    }
    const sla = slaColumns(order, cat.slaPolicy, now);
    const m = order.milestones;
    const closedAt = order.status === "closed" ? t : null;
    const overdueAt = sla.nextDueAt && sla.nextDueAt < now ? sla.nextDueAt : null;
    const phone =
      channel === "grid_patrol"
        ? null
        : `1${rng.pick(["38", "39", "51", "58", "87", "89"])}${String(rng.int(0, 99_999_999)).padStart(8, "0")}`;
    const dayKey = shanghaiDate(created).replaceAll("-", "");
    orderRows.push(
      [
        id,
        orderNumber(dayKey, id, numberTail(tails.int(0, NUMBER_TAIL_RANGE - 1))),
        channel,
        cat.id,
        cat.slaPolicy,
        order.status,
        order.version,
        rng.pick(DESCRIPTIONS[code]),
        phone ? `${surname(people)}${people.chance(0.55) ? "女士" : "先生"}` : null,
        phone && crypto.encrypt(phone),
        phone && crypto.hash(phone),
        phone?.slice(-4),
        b.address,
        b.id,
        b.gridId,
        b.gridPath,
        "grid",
        JSON.stringify(toFlow(order)),
        iso(sla.nextDueAt),
        iso(sla.nextWarnAt),
        iso(overdueAt),
        iso(overdueAt),
        iso(m.dispatched),
        iso(m.accepted),
        iso(m.resolved),
        iso(closedAt),
        sla.acceptedOnTime,
        sla.resolvedOnTime,
        callback?.solved ?? null,
        callback?.satisfaction ?? null,
        iso(rated),
        created.toISOString(),
        t.toISOString(),
      ]
        .map(csvField)
        .join(","),
    );
    for (const [action, from, to, at, note, detail] of evs) {
      eventRows.push(
        [
          id,
          action,
          from,
          to,
          DESK.has(action) || channel === "open311" ? agent : workerOf(b.gridId),
          at.toISOString(),
          note,
          detail ? JSON.stringify(detail) : null,
        ]
          .map(csvField)
          .join(","),
      );
      events++;
    }
    if (orderRows.length >= 20_000) {
      await flush();
      opts.onProgress?.(i + 1);
    }
  }
  await flush();
  await database.query("select setval('work_orders_id_seq', greatest((select max(id) from work_orders), 1))");
  return { orders: opts.count, events };
}

const SATISFACTION = weightedTable<Satisfaction>([
  ["satisfied", 88],
  ["basically_satisfied", 8],
  ["unsatisfied", 4],
]);
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The time itself between 08:00 and 20:00 Shanghai, or the next 08:00–09:30 when it falls outside. */
function inWorkingHours(at: Date, rng: Rng): Date {
  const sh = new Date(at.getTime() + 8 * 3600_000);
  const hour = sh.getUTCHours();
  if (hour >= 8 && hour < 20) return at;
  if (hour >= 20) sh.setUTCDate(sh.getUTCDate() + 1);
  sh.setUTCHours(8, rng.int(0, 90), rng.int(0, 59), 0);
  return new Date(sh.getTime() - 8 * 3600_000);
}
