import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, orderActions, type TestApp } from "../../../../test/helpers/app.ts";
import { emptyCounts, type RateCounts } from "../../../domain/rates/index.ts";
import { seedOrders } from "../../../seed/orders.ts";
import type { Actor } from "../../context.ts";
import { createOrder } from "../workOrders/index.ts";

// The rates read rate_counts_daily, which triggers keep as orders and events are written. These tests
// hold it against the definitions of DESIGN §3 computed here, in plain code, from the orders and events
// themselves, and against a rebuild from scratch.

type H = Awaited<ReturnType<TestApp["login"]>>;
const shanghaiDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

describe.each(DB_KINDS)("rate counts rollup on %s", (kind) => {
  let t: TestApp;
  let community: H;
  let agent: H;
  let grid: H;
  let su: { id: number; path: string };

  /** The rate counts of DESIGN §3 for the orders under `path`, straight from the base tables. */
  async function expected(path: string, fromDay: string, toDay: string): Promise<RateCounts> {
    const inPeriod = (d: Date | null) => d !== null && shanghaiDay(d) >= fromDay && shanghaiDay(d) < toDay;
    const orders = await t.ctx.database.query<any>(
      `select dispatched_at, accepted_on_time, resolved_at, resolved_on_time, flow from work_orders where org_path like $1`,
      [`${path}%`],
    );
    const c = emptyCounts();
    for (const o of orders) {
      const n = o.flow.counts ?? {};
      if (inPeriod(o.dispatched_at)) {
        c.dispatched++;
        if (o.accepted_on_time) c.acceptedOnTime++;
      }
      if (inPeriod(o.resolved_at)) {
        c.resolved++;
        if ((n.extensionsApproved ?? 0) > 0) c.resolvedExtended++;
        else if (o.resolved_on_time) c.resolvedOnTime++;
        if (!n.returns && !n.reassigns && !n.reopens) c.resolvedFirstTime++;
      }
    }
    const events = await t.ctx.database.query<any>(
      `select e.at, e.action, e.detail from work_order_events e join work_orders o on o.id = e.order_id
       where o.org_path like $1`,
      [`${path}%`],
    );
    for (const e of events) {
      if (!inPeriod(e.at)) continue;
      if (e.action === "close" || e.action === "reopen") {
        const cb = e.detail?.callback ?? {};
        c.callbacks++;
        if (cb.solved) c.callbacksSolved++;
        if (cb.satisfaction) {
          c.ratedCallbacks++;
          if (cb.satisfaction !== "unsatisfied") c.ratedSatisfied++;
        }
      }
      if (e.action === "verify" || e.action === "rework") c.verified++;
      if (e.action === "rework") c.reworked++;
    }
    return c;
  }

  const rollupRows = () =>
    t.ctx.database.query<any>(
      `select day::text, org_path, dispatched, accepted_on_time, resolved, resolved_extended, resolved_on_time,
         resolved_first_time, callbacks, callbacks_solved, rated_callbacks, rated_satisfied, verified, reworked
       from rate_counts_daily
       where (dispatched, accepted_on_time, resolved, resolved_extended, resolved_on_time, resolved_first_time,
         callbacks, callbacks_solved, rated_callbacks, rated_satisfied, verified, reworked) <> (0,0,0,0,0,0,0,0,0,0,0,0)
       order by day, org_path`,
    );

  const { post, act } = orderActions(
    () => t,
    () => community,
  );

  beforeAll(async () => {
    t = await createTestApp(kind);
    [community, agent, grid] = await Promise.all(
      ["demo-community", "demo-agent", "demo-grid"].map((u) => t.login(u)),
    );
    [su] = await t.ctx.database.query<{ id: number; path: string }>(
      "select id, path from org_units where code = '320613019010'",
    );
    // 90 days of orders walked through the real workflow: returns, reworks, reopens, late and on time.
    await seedOrders(t.ctx.database, t.ctx.crypto, "320613019010", { count: 600, days: 90, seed: 7 });
  });
  afterAll(() => t?.close());

  it("matches the definitions computed from the orders and events, for the unit and each grid", async () => {
    const today = shanghaiDay(new Date());
    // A month start at least ten days back (on the 1st, "this month so far" holds one day of orders).
    const monthStart = `${shanghaiDay(new Date(Date.now() - 10 * 86_400_000)).slice(0, 7)}-01`;
    const periods: [string, string][] = [
      [monthStart, today],
      [shanghaiDay(new Date(Date.now() - 45 * 86_400_000)), today],
    ];
    for (const [from, to] of periods) {
      const body = (
        await t.app.inject({ url: `/api/rates?org=${su.id}&from=${from}&to=${to}`, headers: community })
      ).json();
      const toExclusive = shanghaiDay(new Date(new Date(`${to}T00:00:00+08:00`).getTime() + 86_400_000));
      const want = await expected(su.path, from, toExclusive);
      expect(want.dispatched).toBeGreaterThan(50); // the seed reached this period
      expect(want.reworked + want.callbacks).toBeGreaterThan(0);
      expect(body.counts).toEqual(want);
      for (const child of body.children.slice(0, 3)) {
        const [u] = await t.ctx.database.query<{ path: string }>("select path from org_units where id = $1", [
          child.unit.id,
        ]);
        expect(child.counts).toEqual(await expected(u.path, from, toExclusive));
      }
    }
  });

  it("follows live transitions, a reassignment to another grid and a late-night dispatch's day", async () => {
    const [g1, g2] = await t.ctx.database.query<{ id: number; path: string }>(
      "select id, path from org_units where code in ('320613019010-G01', '320613019010-G02') order by code",
    );
    const created = await post("/api/orders", agent, {
      channel: "hotline_12345",
      categoryCode: "sanitation",
      description: "楼道堆物",
      orgUnitId: g2.id,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as number;
    await act(id, "reassign", community, { orgUnitId: g1.id, reason: "属于一网格" });
    await act(id, "accept", grid);
    await act(id, "arrive", grid);
    await act(id, "resolve", grid);
    await act(id, "verify", community);
    await act(id, "reopen", community, { callback: { solved: false, satisfaction: "unsatisfied" } });
    const today = shanghaiDay(new Date());
    const month = `${today.slice(0, 7)}-01`;
    for (const g of [g1, g2]) {
      const body = (
        await t.app.inject({ url: `/api/rates?org=${g.id}&from=${month}&to=${today}`, headers: community })
      ).json();
      const tomorrow = shanghaiDay(new Date(Date.now() + 86_400_000));
      expect(body.counts).toEqual(await expected(g.path, month, tomorrow));
    }
    // Dispatched at 23:30 Shanghai on 31 October counts in October, not November.
    const late = new Date("2026-10-31T23:30:00+08:00");
    const [before] = await t.ctx.database.query<{ d: number }>(
      "select coalesce(sum(dispatched), 0)::int as d from rate_counts_daily where day = '2026-10-31' and org_path = $1",
      [g1.path],
    );
    const [a] = await t.ctx.database.query<Actor>(
      `select 'account' as kind, a.id, a.username, a.display_name as "displayName", a.role, u.id as "orgUnitId", u.path as "orgPath",
         u.name as "orgName", u.kind as "orgKind" from accounts a join org_units u on u.id = a.org_unit_id
       where a.username = 'demo-agent'`,
    );
    await createOrder(
      t.ctx,
      a,
      { channel: "hotline_12345", categoryCode: "sanitation", description: "夜间来电", orgUnitId: g1.id },
      late,
    );
    const [after] = await t.ctx.database.query<{ d: number }>(
      "select coalesce(sum(dispatched), 0)::int as d from rate_counts_daily where day = '2026-10-31' and org_path = $1",
      [g1.path],
    );
    expect(after.d).toBe(before.d + 1);
  });

  // Last: it rewrites the table.
  it("equals a rebuild from scratch (what `gridkeeper rates rebuild` does)", async () => {
    const kept = await rollupRows();
    expect(kept.length).toBeGreaterThan(100);
    await t.ctx.database.query("select rate_counts_rebuild()");
    expect(await rollupRows()).toEqual(kept);
  });
});
