// The command center's figures for one unit: the situation now, a period against the one before it, the
// units below with their own figures (each a drill-down), hot spots and the care line. Each figure comes
// from the module that owns it, through its face.
import { shanghaiDate } from "../../../domain/sla/index.ts";
import type { Actor, AppContext } from "../../context.ts";
import { staleWhileRevalidate } from "../../platform/cache.ts";
import { Conflict } from "../../platform/errors.ts";
import { permits } from "../../platform/policy.ts";
import * as campaigns from "../campaigns/index.ts";
import * as care from "../care/index.ts";
import * as mutualAid from "../mutualAid/index.ts";
import { breadcrumb, getOrgUnit, unitAreas, unitLabel } from "../orgs/index.ts";
import { parsePeriod, ratesPolicy, unitRates } from "../rates/index.ts";
import { residentsByChild } from "../residents/index.ts";
import * as volunteers from "../volunteers/index.ts";
import * as workOrders from "../workOrders/index.ts";
import { commandPolicy } from "./policy.ts";

const DAY_MS = 86_400_000;

/**
 * The care line is worked out resident by resident (each plan's due date): ~0.4 s for the demo district's
 * 16,000 plans on the embedded database, tens of seconds for a city district's hundreds of thousands. Visits
 * move slowly, so a dashboard's care figures may be a minute old, and after that the old ones are shown while
 * new ones are worked out: only the first look at a unit waits.
 */
const carePanels = staleWhileRevalidate<number, Awaited<ReturnType<typeof care.carePanel>>>({
  max: 1000,
  ttlMs: 60_000,
  onError: refreshFailed("care line"),
});
/**
 * The previous period is the comparison line: closed days whose counts move only as late callbacks and
 * ratings come in, so a minute old is fine — and for a district it is the second-heaviest statement.
 */
const previousRates = staleWhileRevalidate<string, Awaited<ReturnType<typeof unitRates>>>({
  max: 1000,
  ttlMs: 60_000,
  onError: refreshFailed("previous period's rates"),
});
/**
 * 高频诉求 are a 30-day pattern found by grouping the period's orders by building (they do not roll up by day:
 * nearly every building-day-category is its own row): a dashboard may show them a minute old, so a district's
 * hot spots are worked out once a minute, not once per look.
 */
const hotSpotLists = staleWhileRevalidate<number, Awaited<ReturnType<typeof workOrders.hotSpots>>>({
  max: 1000,
  ttlMs: 60_000,
  onError: refreshFailed("hot spots"),
});

/** A failed background refresh keeps the old figures and is tried again by the next reader; say so once. */
function refreshFailed(what: string) {
  return (err: unknown) =>
    console.warn(`command center: refreshing ${what} failed: ${(err as Error).message}`);
}
/** 高频诉求: this many orders of one kind from one place within HOT_DAYS. */
export const HOT_MIN = 3;
export const HOT_DAYS = 30;

/** The period asked for, or the last 30 Shanghai days up to today; and the same length just before it. */
export function periods(from?: string, to?: string, now = new Date()) {
  const today = shanghaiDate(now);
  const start = shanghaiDate(new Date(new Date(`${today}T00:00:00+08:00`).getTime() - 29 * DAY_MS));
  const period = parsePeriod(from ?? start, to ?? today);
  const length = period.to.getTime() - period.from.getTime();
  return { period, previous: { from: new Date(period.from.getTime() - length), to: period.from } };
}

export async function dashboard(
  ctx: AppContext,
  actor: Actor,
  q: { org?: number; from?: string; to?: string },
  now = new Date(),
) {
  commandPolicy.authorize(actor, "read");
  ratesPolicy.authorize(actor, "read");
  const unit = await getOrgUnit(ctx, actor, q.org ?? actor.orgUnitId);
  const { period, previous } = periods(q.from, q.to, now);
  const depth = unit.path.split("/").filter(Boolean).length - 1;
  const [
    crumbs,
    label,
    situation,
    cur,
    prev,
    curRates,
    prevRates,
    childCounts,
    hot,
    carePanel,
    volunteerLine,
    campaignLine,
    medicineLine,
  ] = await Promise.all([
    breadcrumb(ctx, actor, unit.path),
    unitLabel(ctx.database, unit),
    workOrders.orderSituation(ctx, unit.path, now),
    workOrders.orderPeriod(ctx, unit.path, period),
    workOrders.orderTotals(ctx, unit.path, previous),
    // The unit is already found in the caller's scope: its rates need not look it up twice more.
    unitRates(ctx, unit, period),
    previousRates.get(
      ctx.database,
      `${unit.id}:${previous.from.toISOString()}:${previous.to.toISOString()}`,
      () => unitRates(ctx, unit, previous),
    ),
    workOrders.orderChildren(ctx, unit.path, depth, period),
    hotSpotLists.get(ctx.database, unit.id, () =>
      workOrders.hotSpots(ctx, unit.path, { days: HOT_DAYS, min: HOT_MIN, limit: 10 }, now),
    ),
    permits(actor, "care.read")
      ? carePanels.get(ctx.database, unit.id, () => care.carePanel(ctx, actor, unit.id, now))
      : null,
    permits(actor, "volunteer.read") ? volunteers.volunteerPanel(ctx, unit, now) : null,
    permits(actor, "campaign.read") ? campaigns.campaignPanel(ctx, unit) : null,
    permits(actor, "mutualaid.read") ? mutualAid.overdueMedicineRequests(ctx, unit.path, now) : null,
  ]);
  const byCode = new Map(childCounts.map((c) => [c.code, c]));
  return {
    unit: { id: unit.id, name: unit.name, label, kind: unit.kind },
    breadcrumb: crumbs,
    at: now,
    situation,
    period: { ...period, received: cur.received, closed: cur.closed, rates: curRates.rates },
    previous: { ...previous, received: prev.received, closed: prev.closed, rates: prevRates.rates },
    labels: curRates.labels,
    days: cur.days,
    byCategory: cur.byCategory,
    byChannel: cur.byChannel,
    byState: cur.byState,
    // Orders are routed to grids at the lowest: the micro-grids below a grid would be rows of zeros.
    children: (unit.kind === "grid" || unit.kind === "micro_grid" ? [] : curRates.children).map((c) => ({
      unit: c.unit,
      open: byCode.get(c.unit.code)?.open ?? 0,
      overdue: byCode.get(c.unit.code)?.overdue ?? 0,
      received: byCode.get(c.unit.code)?.received ?? 0,
      rates: c.rates,
    })),
    hotSpots: hot,
    care: carePanel ?? null,
    volunteers: volunteerLine,
    campaigns: campaignLine,
    medicine: medicineLine,
  };
}

export async function listHotSpots(
  ctx: AppContext,
  actor: Actor,
  q: { org?: number; days: number; min: number },
  now = new Date(),
) {
  commandPolicy.authorize(actor, "read");
  const unit = await getOrgUnit(ctx, actor, q.org ?? actor.orgUnitId);
  const items = await workOrders.hotSpots(ctx, unit.path, { days: q.days, min: q.min, limit: 100 }, now);
  return { days: q.days, min: q.min, items };
}

/** The unit whose changes a live dashboard follows (404 outside the caller's subtree). */
export async function liveUnit(ctx: AppContext, actor: Actor, org?: number) {
  commandPolicy.authorize(actor, "read");
  return getOrgUnit(ctx, actor, org ?? actor.orgUnitId);
}

/** Residents per child unit change by the day: the map may read them a few minutes old. */
const residentCounts = staleWhileRevalidate<number, { byChild: Map<string, number> }>({
  max: 1000,
  ttlMs: 5 * 60_000,
  onError: refreshFailed("residents per unit"),
});
const visitCounts = staleWhileRevalidate<number, { byChild: Map<string, number> }>({
  max: 1000,
  ttlMs: 60_000,
  onError: refreshFailed("overdue visits per unit"),
});
/** Points beyond this many would hide each other; the newest are shown. */
export const MAP_POINTS = 500;

/**
 * The map of a unit: the children's areas (the dashboard's `children` carry their order figures and rates;
 * the page joins them by unit id), residents and overdue visits per child, and the open orders as points once
 * the map is down to a community or a grid.
 */
export async function commandMap(ctx: AppContext, actor: Actor, q: { org?: number }, now = new Date()) {
  commandPolicy.authorize(actor, "read");
  const unit = await getOrgUnit(ctx, actor, q.org ?? actor.orgUnitId);
  const careToo = permits(actor, "care.read");
  const [areas, residents, visits, points] = await Promise.all([
    unitAreas(ctx, unit),
    residentCounts.get(ctx.database, unit.id, async () => ({ byChild: await residentsByChild(ctx, unit) })),
    careToo
      ? visitCounts.get(ctx.database, unit.id, async () => ({
          byChild: await care.overdueVisitsByChild(ctx, unit, now),
        }))
      : null,
    unit.kind === "community" || unit.kind === "grid" || unit.kind === "micro_grid"
      ? workOrders.openOrderPoints(ctx, unit.path, MAP_POINTS)
      : [],
  ]);
  return {
    unit: { id: unit.id, name: unit.name, kind: unit.kind },
    self: areas.self,
    areas: areas.children.map((c) => ({
      unit: { id: c.id, code: c.code, name: c.name, kind: c.kind as typeof unit.kind },
      geometry: c.boundary,
      residents: residents?.byChild.get(c.code) ?? 0,
      visitsOverdue: visits ? (visits.byChild.get(c.code) ?? 0) : null,
    })),
    points,
    // The operator's tile layer (MAP_TILE_URL), if any: the same for every unit.
    tiles: ctx.config.mapTiles
      ? {
          url: ctx.config.mapTiles.url,
          attribution: ctx.config.mapTiles.attribution,
          maxZoom: ctx.config.mapTiles.maxZoom,
        }
      : null,
  };
}

/**
 * 未诉先办: a hot spot becomes a governance item — an order on channel `proactive` to the place's grid,
 * saying what repeats there — so the cause is dealt with once rather than complaint by complaint. The spot
 * must still be hot, and one item per place and category is open at a time (409 names the open one).
 */
export async function openGovernanceItem(
  ctx: AppContext,
  actor: Actor,
  body: { orgUnitId: number; buildingId: number | null; categoryCode: string; days: number },
  now = new Date(),
) {
  commandPolicy.authorize(actor, "read");
  const unit = await getOrgUnit(ctx, actor, body.orgUnitId);
  // A building may sit in a micro-grid while its orders are routed to the grid above: count at the grid.
  const where = unit.kind === "micro_grid" ? unit.path.replace(/[^/]+\/$/, "") : unit.path;
  const spot = (
    await workOrders.hotSpots(ctx, where, { days: body.days, min: HOT_MIN, limit: 1000 }, now)
  ).find(
    (s) =>
      s.categoryCode === body.categoryCode &&
      (body.buildingId === null
        ? s.kind === "grid" && s.orgUnitId === unit.id
        : s.buildingId === body.buildingId),
  );
  if (!spot) throw Conflict(`近 ${body.days} 天内此处同类诉求已不足 ${HOT_MIN} 件，不再是高频诉求`);
  const open = await workOrders.openProactiveOrder(ctx, {
    buildingId: spot.buildingId,
    orgUnitId: spot.orgUnitId,
    categoryCode: spot.categoryCode,
  });
  if (open)
    throw Conflict(`此处已有在办的治理工单 ${open.number}`, { orderId: open.id, number: open.number });
  const created = await workOrders.createOrder(
    ctx,
    actor,
    {
      channel: "proactive",
      categoryCode: spot.categoryCode,
      description: `高频诉求（未诉先办）：${spot.place} 近 ${body.days} 天同类诉求（${spot.categoryName}）${spot.count} 件，请排查根源、综合治理，并回访相关居民`,
      ...(spot.buildingId !== null ? { buildingId: spot.buildingId } : { orgUnitId: spot.orgUnitId }),
    },
    now,
  );
  return { id: created.id, number: created.number };
}
