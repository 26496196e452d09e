import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, orderActions, type TestApp } from "../../../../test/helpers/app.ts";
import { shanghaiDate } from "../../../domain/sla/index.ts";
import { ACTIVE_STATES, OVERDUE_STATES } from "../../../domain/workflow/states.ts";
import { seedOrders } from "../../../seed/orders.ts";
import { orderChildren, orderPeriod, orderTotals, type Period } from "./figures.ts";

// A district's and a street's figures are read from order_flow_daily and order_mix_daily, which triggers keep
// as orders are written. These tests hold them against the same figures counted here, in plain code, from
// the orders themselves — after a seeded history, after live changes (a merge, a reassignment to another
// street, a category moved, a close, a delete), and against a rebuild from scratch.

type H = Awaited<ReturnType<TestApp["login"]>>;
const DAY_MS = 86_400_000;
const midnight = (d: string) => new Date(`${d}T00:00:00+08:00`);

interface Row {
  org_path: string;
  created_at: Date;
  closed_at: Date | null;
  state: string;
  top: string;
  channel: string;
  overdue_at: Date | null;
}

describe.each(DB_KINDS)("order figures rollup on %s", (kind) => {
  let t: TestApp;
  let agent: H;
  let commander: H;
  const { post, act } = orderActions(
    () => t,
    () => commander,
  );

  /** The figures of `path` for `period`, counted from the orders. */
  async function expected(path: string, period: Period) {
    const rows = await t.ctx.database.query<Row>(
      `select o.org_path, o.created_at, o.closed_at, o.state, o.channel, o.overdue_at,
         coalesce(p.code, k.code) as top
       from work_orders o join categories k on k.id = o.category_id left join categories p on p.id = k.parent_id
       where o.org_path like $1`,
      [`${path}%`],
    );
    const inP = (d: Date | null) => d !== null && d >= period.from && d < period.to;
    const count = (pick: (r: Row) => string | null, keep: (r: Row) => boolean) => {
      const m = new Map<string, number>();
      for (const r of rows) {
        const k = keep(r) ? pick(r) : null;
        if (k !== null) m.set(k, (m.get(k) ?? 0) + 1);
      }
      return Object.fromEntries([...m].sort());
    };
    const received = (r: Row) => inP(r.created_at) && r.state !== "merged";
    const depth = path.split("/").filter(Boolean).length - 1;
    const child = (r: Row) => r.org_path.split("/")[depth + 2] ?? "";
    return {
      byDay: count((r) => shanghaiDate(r.created_at), received),
      closedByDay: count(
        (r) => shanghaiDate(r.closed_at as Date),
        (r) => inP(r.closed_at),
      ),
      byCategory: count((r) => r.top, received),
      byChannel: count((r) => r.channel, received),
      byState: count((r) => r.state, received),
      childReceived: count(child, received),
      childOpen: count(child, (r) => (ACTIVE_STATES as readonly string[]).includes(r.state)),
      childOverdue: count(
        child,
        (r) => r.overdue_at !== null && (OVERDUE_STATES as readonly string[]).includes(r.state),
      ),
    };
  }

  /** The same figures as the services give them. */
  async function actual(path: string, period: Period) {
    const depth = path.split("/").filter(Boolean).length - 1;
    const [p, totals, children] = await Promise.all([
      orderPeriod(t.ctx, path, period),
      orderTotals(t.ctx, path, period),
      orderChildren(t.ctx, path, depth, period),
    ]);
    expect(totals).toEqual({ received: p.received, closed: p.closed });
    const nonZero = (xs: { key: string; n: number }[]) =>
      Object.fromEntries(
        xs
          .filter((x) => x.n !== 0)
          .map((x) => [x.key, x.n])
          .sort(),
      );
    return {
      byDay: nonZero(p.days.map((d) => ({ key: d.day, n: d.received }))),
      closedByDay: nonZero(p.days.map((d) => ({ key: d.day, n: d.closed }))),
      byCategory: nonZero(p.byCategory.map((c) => ({ key: c.code, n: c.n }))),
      byChannel: nonZero(p.byChannel.map((c) => ({ key: c.code, n: c.n }))),
      byState: nonZero(p.byState.map((c) => ({ key: c.code, n: c.n }))),
      childReceived: nonZero(children.map((c) => ({ key: c.code, n: c.received }))),
      childOpen: nonZero(children.map((c) => ({ key: c.code, n: c.open }))),
      childOverdue: nonZero(children.map((c) => ({ key: c.code, n: c.overdue }))),
    };
  }

  const periods = (): Period[] => {
    const today = shanghaiDate(new Date());
    const tomorrow = new Date(midnight(today).getTime() + DAY_MS);
    return [
      { from: new Date(tomorrow.getTime() - 30 * DAY_MS), to: tomorrow },
      { from: new Date(tomorrow.getTime() - 75 * DAY_MS), to: new Date(tomorrow.getTime() - 30 * DAY_MS) },
    ];
  };

  const rollupRows = async () => ({
    flow: await t.ctx.database.query(
      `select day::text, org_path, received, closed from order_flow_daily
       where (received, closed) <> (0, 0) order by day, org_path`,
    ),
    mix: await t.ctx.database.query(
      "select day::text, org_path, dim, key, n from order_mix_daily where n <> 0 order by day, org_path, dim, key",
    ),
  });

  beforeAll(async () => {
    t = await createTestApp(kind);
    [agent, commander] = await Promise.all(["demo-agent", "demo-commander"].map((u) => t.login(u)));
    // 90 days of orders walked through the real workflow in two streets' communities.
    await seedOrders(t.ctx.database, t.ctx.crypto, "320613019010", { count: 400, days: 90, seed: 11 });
    await seedOrders(t.ctx.database, t.ctx.crypto, "320613001001", { count: 200, days: 90, seed: 12 });
  });
  afterAll(() => t?.close());

  it("gives the district's and a street's figures as the orders count them", async () => {
    for (const path of ["/320613/", "/320613/320613019/"]) {
      for (const period of periods()) {
        const want = await expected(path, period);
        expect(Object.values(want.byDay).reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
        expect(await actual(path, period)).toEqual(want);
      }
    }
  });

  it("follows a merge, a reassignment to another street, a category moved, a close and a delete", async () => {
    const units = await t.ctx.database.query<{ code: string; id: number }>(
      "select code, id from org_units where code in ('320613019010-G01', '320613001001-G01')",
    );
    const grid = (code: string) => units.find((u) => u.code === code)?.id;
    const file = async (description: string) => {
      const r = await post("/api/orders", agent, {
        channel: "hotline_12345",
        categoryCode: "sanitation",
        description,
        orgUnitId: grid("320613019010-G01"),
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as number;
    };
    const a = await file("楼道堆物，影响通行");
    const b = await file("楼道堆物，第二次来电");
    const c = await file("垃圾桶满溢");
    await act(b, "merge", agent, { intoOrderId: String(a) });
    await act(c, "reassign", commander, { orgUnitId: grid("320613001001-G01"), reason: "属于另一街道" });
    await act(a, "cancel", agent, { reason: "重复来电已处理" });
    // An order's category changed, then that category moved to another parent: the figures follow today's
    // taxonomy.
    await t.ctx.database.query(
      "update work_orders set category_id = (select id from categories where code = 'municipal_lighting') where id = $1",
      [a],
    );
    const moved = await t.ctx.database.query(
      `update categories set parent_id = (select id from categories where code = 'sanitation')
       where code = 'municipal_lighting' returning id`,
    );
    expect(moved.length).toBe(1);
    await t.ctx.database.query("delete from work_order_events where order_id = $1", [c]);
    await t.ctx.database.query("delete from work_orders where id = $1", [c]);
    for (const path of ["/320613/", "/320613/320613019/", "/320613/320613001/"]) {
      for (const period of periods())
        expect(await actual(path, period)).toEqual(await expected(path, period));
    }
  });

  // Last: it rewrites the tables.
  it("equals a rebuild from scratch (what `gridkeeper rates rebuild` does)", async () => {
    const kept = await rollupRows();
    expect(kept.flow.length).toBeGreaterThan(50);
    expect(kept.mix.length).toBeGreaterThan(100);
    await t.ctx.database.query("select order_figures_rebuild()");
    expect(await rollupRows()).toEqual(kept);
  });
});
