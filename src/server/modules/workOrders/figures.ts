// What the command center counts about orders under a unit: the situation now (open, overdue, escalated,
// due within the hour, received today), a period's intake and closures by day, category, channel and
// state, per child unit, and hot spots (the same problem from the same building or grid again and again,
// 高频诉求). Counts only: no row leaves with a name, a phone or a description.
import { subtreePattern } from "../../../domain/org/scope.ts";
import { shanghaiDate } from "../../../domain/sla/index.ts";
import { ACTIVE_STATES, OVERDUE_STATES, STATE_LABELS } from "../../../domain/workflow/states.ts";
import type { AppContext } from "../../context.ts";
import { unitLabelSql } from "../orgs/index.ts";
import { CHANNEL_LABELS, type Channel } from "./presenter.ts";

export interface Period {
  from: Date;
  to: Date;
}

const DAY = "(%s at time zone 'Asia/Shanghai')::date";
const day = (column: string) => DAY.replace("%s", column);

/**
 * The situation now under `path`: what a commander sees first. Open orders are counted through the
 * (state, org_path) index, which carries overdue_at and next_due_at (an index-only scan); today's intake and
 * closures come from order_flow_daily down to a community, and from the unit's own orders below it.
 */
export async function orderSituation(ctx: AppContext, path: string, now = new Date()) {
  const todayDate = shanghaiDate(now);
  const today = new Date(`${todayDate}T00:00:00+08:00`);
  const pattern = subtreePattern(path);
  const [[open], [day]] = await Promise.all([
    ctx.database.query<{ open: number; overdue: number; escalated: number; dueSoon: number }>(
      `select count(*)::int as open,
         count(*) filter (where overdue_at is not null and state = any($3::text[]))::int as overdue,
         count(*) filter (where state = 'escalated')::int as escalated,
         count(*) filter (where overdue_at is null
           and next_due_at >= $4 and next_due_at < $4::timestamptz + interval '1 hour')::int as "dueSoon"
       from work_orders where org_path like $1 and state = any($2::text[])`,
      [pattern, ACTIVE_STATES, OVERDUE_STATES, now],
      { name: "command_situation_open" },
    ),
    path.split("/").filter(Boolean).length <= 3
      ? ctx.database.query<{ receivedToday: number; closedToday: number }>(
          `select coalesce(sum(received), 0)::int as "receivedToday", coalesce(sum(closed), 0)::int as "closedToday"
           from order_flow_daily where org_path like $1 and day = $2::date`,
          [pattern, todayDate],
        )
      : ctx.database.query<{ receivedToday: number; closedToday: number }>(
          `select count(*) filter (where created_at >= $2 and state <> 'merged')::int as "receivedToday",
             count(*) filter (where closed_at >= $2)::int as "closedToday"
           from work_orders where org_path like $1 and (created_at >= $2 or closed_at >= $2)`,
          [pattern, today],
        ),
  ]);
  return { ...open, ...day };
}

/**
 * A district's or street's period of whole Shanghai days is read from the daily rollups (order_flow_daily,
 * order_mix_daily, kept by triggers in the writing transaction: a month is thousands of rows, not a hundred
 * thousand orders). Smaller units, and periods that do not start and end at midnight, read the orders.
 */
function rollupDays(path: string, period: Period): [string, string] | null {
  if (path.split("/").filter(Boolean).length > 2) return null;
  const days = [shanghaiDate(period.from), shanghaiDate(period.to)] as [string, string];
  const midnight = (d: string) => new Date(`${d}T00:00:00+08:00`).getTime();
  if (midnight(days[0]) !== period.from.getTime() || midnight(days[1]) !== period.to.getTime()) return null;
  return days;
}

const ROLLUP_RANGE = "org_path like $1 and day >= $2::date and day < $3::date";

async function periodFromRollup(ctx: AppContext, path: string, days: [string, string]) {
  const params = [subtreePattern(path), ...days];
  const mix = (dim: string) =>
    ctx.database.query<{ code: string; n: number }>(
      `select key as code, sum(n)::int as n from order_mix_daily where dim = '${dim}' and ${ROLLUP_RANGE}
       group by 1 having sum(n) <> 0 order by 2 desc, 1`,
      params,
    );
  return Promise.all([
    ctx.database.query<{ day: string; n: number }>(
      `select to_char(day, 'YYYY-MM-DD') as day, sum(received)::int as n from order_flow_daily
       where ${ROLLUP_RANGE} group by day having sum(received) <> 0 order by day`,
      params,
    ),
    ctx.database.query<{ day: string; n: number }>(
      `select to_char(day, 'YYYY-MM-DD') as day, sum(closed)::int as n from order_flow_daily
       where ${ROLLUP_RANGE} group by day having sum(closed) <> 0 order by day`,
      params,
    ),
    // Leaf categories are rolled up; their top level is the taxonomy's today.
    ctx.database.query<{ code: string; name: string; n: number }>(
      `select c.code, c.name, t.n from (
         select coalesce(k.parent_id, k.id) as id, sum(m.n)::int as n
         from order_mix_daily m join categories k on k.id = m.key::int
         where m.dim = 'category' and m.org_path like $1 and m.day >= $2::date and m.day < $3::date
         group by 1 having sum(m.n) <> 0) t join categories c on c.id = t.id order by t.n desc, c.code`,
      params,
    ),
    mix("channel"),
    mix("state"),
  ]);
}

/** A period's intake and closures, by day, top-level category, channel and the state they are in now. */
export async function orderPeriod(ctx: AppContext, path: string, period: Period) {
  const days = rollupDays(path, period);
  const [byDay, closedByDay, byCategory, byChannel, byState] = days
    ? await periodFromRollup(ctx, path, days)
    : await periodFromOrders(ctx, path, period);
  const received = byDay.reduce((s, r) => s + r.n, 0);
  const closed = closedByDay.reduce((s, r) => s + r.n, 0);
  return {
    received,
    closed,
    days: mergeDays(period, byDay, closedByDay),
    byCategory,
    byChannel: byChannel.map((c) => ({ ...c, name: CHANNEL_LABELS[c.code as Channel] ?? c.code })),
    byState: byState.map((s) => ({
      ...s,
      name: STATE_LABELS[s.code as keyof typeof STATE_LABELS] ?? s.code,
    })),
  };
}

function periodFromOrders(ctx: AppContext, path: string, period: Period) {
  const params = [subtreePattern(path), period.from, period.to];
  const inPeriod = "org_path like $1 and created_at >= $2 and created_at < $3 and state <> 'merged'";
  return Promise.all([
    ctx.database.query<{ day: string; n: number }>(
      `select to_char(${day("created_at")}, 'YYYY-MM-DD') as day, count(*)::int as n
       from work_orders where ${inPeriod} group by 1 order by 1`,
      params,
    ),
    ctx.database.query<{ day: string; n: number }>(
      `select to_char(${day("closed_at")}, 'YYYY-MM-DD') as day, count(*)::int as n
       from work_orders where org_path like $1 and closed_at >= $2 and closed_at < $3 group by 1 order by 1`,
      params,
    ),
    ctx.database.query<{ code: string; name: string; n: number }>(
      `select c.code, c.name, t.n from (
         select coalesce(k.parent_id, k.id) as id, count(*)::int as n
         from work_orders o join categories k on k.id = o.category_id
         where o.org_path like $1 and o.created_at >= $2 and o.created_at < $3 and o.state <> 'merged'
         group by 1) t join categories c on c.id = t.id order by t.n desc, c.code`,
      params,
    ),
    ctx.database.query<{ code: string; n: number }>(
      `select channel as code, count(*)::int as n from work_orders where ${inPeriod} group by 1 order by 2 desc, 1`,
      params,
    ),
    ctx.database.query<{ code: string; n: number }>(
      `select state as code, count(*)::int as n from work_orders where ${inPeriod} group by 1 order by 2 desc, 1`,
      params,
    ),
  ]);
}

/** Only a period's intake and closures (the previous period a dashboard compares with needs no more). */
export async function orderTotals(ctx: AppContext, path: string, period: Period) {
  const days = rollupDays(path, period);
  if (days) {
    const [row] = await ctx.database.query<{ received: number; closed: number }>(
      `select coalesce(sum(received), 0)::int as received, coalesce(sum(closed), 0)::int as closed
       from order_flow_daily where ${ROLLUP_RANGE}`,
      [subtreePattern(path), ...days],
    );
    return row;
  }
  const [row] = await ctx.database.query<{ received: number; closed: number }>(
    `select
       (select count(*)::int from work_orders
         where org_path like $1 and created_at >= $2 and created_at < $3 and state <> 'merged') as received,
       (select count(*)::int from work_orders
         where org_path like $1 and closed_at >= $2 and closed_at < $3) as closed`,
    [subtreePattern(path), period.from, period.to],
  );
  return row;
}

/** Every day of the period once, with zeros where nothing happened (a chart's gaps are days, not holes). */
function mergeDays(
  period: Period,
  received: { day: string; n: number }[],
  closed: { day: string; n: number }[],
) {
  const r = new Map(received.map((d) => [d.day, d.n]));
  const c = new Map(closed.map((d) => [d.day, d.n]));
  const out: { day: string; received: number; closed: number }[] = [];
  for (let t = period.from.getTime(); t < period.to.getTime(); t += 86_400_000) {
    const d = shanghaiDate(new Date(t));
    if (out.at(-1)?.day === d) continue;
    out.push({ day: d, received: r.get(d) ?? 0, closed: c.get(d) ?? 0 });
  }
  return out;
}

/**
 * Open and overdue orders and the period's intake per child of the unit at `path` (depth `depth`, the
 * district being 0), keyed by the child's code as it appears in org paths.
 */
export async function orderChildren(ctx: AppContext, path: string, depth: number, period: Period) {
  const days = rollupDays(path, period);
  if (days) {
    const child = `split_part(org_path, '/', ${depth + 3})`;
    const [now, intake] = await Promise.all([
      ctx.database.query<{ code: string; open: number; overdue: number }>(
        `select ${child} as code, count(*)::int as open,
           count(*) filter (where overdue_at is not null and state = any($3::text[]))::int as overdue
         from work_orders where org_path like $1 and state = any($2::text[]) group by 1`,
        [subtreePattern(path), ACTIVE_STATES, OVERDUE_STATES],
      ),
      ctx.database.query<{ code: string; received: number }>(
        `select ${child} as code, sum(received)::int as received from order_flow_daily where ${ROLLUP_RANGE}
         group by 1 having sum(received) <> 0`,
        [subtreePattern(path), ...days],
      ),
    ]);
    const byCode = new Map<string, { code: string; open: number; overdue: number; received: number }>();
    for (const r of now) byCode.set(r.code, { ...r, received: 0 });
    for (const r of intake) {
      const row = byCode.get(r.code) ?? { code: r.code, open: 0, overdue: 0, received: 0 };
      row.received = r.received;
      byCode.set(r.code, row);
    }
    return [...byCode.values()];
  }
  return ctx.database.query<{ code: string; open: number; overdue: number; received: number }>(
    `select split_part(org_path, '/', ${depth + 3}) as code,
       count(*) filter (where state = any($4::text[]))::int as open,
       count(*) filter (where overdue_at is not null and state = any($5::text[]))::int as overdue,
       count(*) filter (where created_at >= $2 and created_at < $3 and state <> 'merged')::int as received
     from work_orders
     where org_path like $1 and (state = any($4::text[]) or (created_at >= $2 and created_at < $3))
     group by 1`,
    [subtreePattern(path), period.from, period.to, ACTIVE_STATES, OVERDUE_STATES],
  );
}

export interface HotSpot {
  /** "building" when the orders name one; otherwise the grid they were routed to. */
  kind: "building" | "grid";
  place: string;
  orgUnitId: number;
  buildingId: number | null;
  categoryCode: string;
  categoryName: string;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

/**
 * 高频诉求: at least `min` orders of one top-level category from one building (or, without a building, one
 * grid) within the last `days` days. Merged duplicates count once (they were merged into one order).
 */
export async function hotSpots(
  ctx: AppContext,
  path: string,
  opts: { days: number; min: number; limit: number },
  now = new Date(),
): Promise<HotSpot[]> {
  const since = new Date(now.getTime() - opts.days * 86_400_000);
  return ctx.database.query<HotSpot>(
    `with recent as (
       select o.building_id, o.org_unit_id, coalesce(k.parent_id, k.id) as category, o.created_at
       from work_orders o join categories k on k.id = o.category_id
       where o.org_path like $1 and o.created_at >= $2 and o.state <> 'merged'
     ), spots as (
       select building_id, case when building_id is null then org_unit_id end as unit_id, category,
         count(*)::int as n, min(created_at) as first_at, max(created_at) as last_at
       from recent group by 1, 2, 3 having count(*) >= $3
       order by 4 desc, 6 desc limit $4
     )
     select case when s.building_id is null then 'grid' else 'building' end as kind,
       case when s.building_id is null then ${unitLabelSql("u")}
         else ${unitLabelSql("bu")} || '·' || b.name end as place,
       coalesce(u.id, b.org_unit_id) as "orgUnitId", s.building_id as "buildingId",
       c.code as "categoryCode", c.name as "categoryName", s.n as count,
       s.first_at as "firstAt", s.last_at as "lastAt"
     from spots s join categories c on c.id = s.category
       left join org_units u on u.id = s.unit_id
       left join buildings b on b.id = s.building_id
       left join org_units bu on bu.id = b.org_unit_id
     order by s.n desc, s.last_at desc`,
    [subtreePattern(path), since, opts.min, opts.limit],
  );
}

export interface OrderPoint {
  id: number;
  number: string;
  state: string;
  overdue: boolean;
  long: number;
  lat: number;
}

/**
 * Open orders under a unit as points on the command map (the order's own position, else its building's),
 * newest first. Number and state only: the map may hang on a wall.
 */
export async function openOrderPoints(ctx: AppContext, path: string, limit: number): Promise<OrderPoint[]> {
  return ctx.database.query<OrderPoint>(
    `select o.id, o.number, o.state, o.overdue_at is not null as overdue,
       coalesce(o.long, b.long) as long, coalesce(o.lat, b.lat) as lat
     from work_orders o left join buildings b on b.id = o.building_id
     where o.org_path like $1 and o.state = any($2::text[]) and coalesce(o.lat, b.lat) is not null
     order by o.created_at desc limit $3`,
    [subtreePattern(path), ACTIVE_STATES, limit],
  );
}

/**
 * An open order raised from a hot spot (channel `proactive`) for the same place and top-level category, if
 * there is one: a hot spot gets one governance item at a time.
 */
export async function openProactiveOrder(
  ctx: AppContext,
  place: { buildingId: number | null; orgUnitId: number; categoryCode: string },
): Promise<{ id: number; number: string } | null> {
  const [row] = await ctx.database.query<{ id: number; number: string }>(
    `select o.id, o.number from work_orders o join categories k on k.id = o.category_id
       left join categories p on p.id = k.parent_id
     where o.channel = 'proactive' and o.state = any($1::text[]) and coalesce(p.code, k.code) = $2
       and (case when $3::int is null then o.building_id is null and o.org_unit_id = $4 else o.building_id = $3 end)
     order by o.id limit 1`,
    [ACTIVE_STATES, place.categoryCode, place.buildingId, place.orgUnitId],
  );
  return row ?? null;
}
