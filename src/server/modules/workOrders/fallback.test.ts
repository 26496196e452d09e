import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { createOrder } from "./index.ts";
import { sweepSla } from "./sweep.ts";

// A 52022 emergency (a burst pipe) is on the clock the moment it reaches the grid, and an order its grid
// does not claim in time falls to the community, then to the street (属地兜底), one level per window.

describe.each(DB_KINDS)("clocks at dispatch and 属地兜底 on %s", (kind) => {
  let t: TestApp;
  let grid: Headers;
  let community: Headers;
  let agentActor: Parameters<typeof createOrder>[1];
  const q = <T>(text: string, params: unknown[] = []) => t.ctx.database.query<T>(text, params);

  beforeAll(async () => {
    t = await createTestApp(kind);
    [grid, community] = await Promise.all([t.login("demo-grid"), t.login("demo-community")]);
    agentActor = await t.actor("demo-agent");
  });
  afterAll(() => t?.close());

  const minutes = (base: Date, m: number) => new Date(base.getTime() + m * 60_000);

  it("starts the 52022 clock at dispatch and sorts the order by it, before anyone accepts", async () => {
    const [g1] = await q<{ id: number }>("select id from org_units where code = '320613019010-G01'");
    const created = await t.app.inject({
      method: "POST",
      url: "/api/orders",
      headers: await t.login("demo-agent"),
      payload: {
        channel: "hotline_12345",
        categoryCode: "utilities",
        description: "水管爆裂，楼道进水",
        orgUnitId: g1.id,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const o = created.json();
    expect(o.state).toBe("dispatched");
    expect(o.nextDueAt).not.toBeNull();
    const due = new Date(o.nextDueAt).getTime() - new Date(o.createdAt).getTime();
    expect(due).toBe(5 * 60_000);
    expect(o.clocks.map((c: { clock: string }) => c.clock)).toEqual(["arrive"]);
    // First in the grid worker's queue: the soonest deadline there.
    const queue = (await t.app.inject({ url: "/api/orders/queue", headers: grid })).json().items;
    expect(queue[0].id).toBe(o.id);
  });

  it("falls from an unclaiming grid to its community, then to the street, one window at a time", async () => {
    const t0 = new Date(Date.now() - 60 * 60_000);
    const { id } = await createOrder(
      t.ctx,
      agentActor,
      {
        channel: "hotline_12345",
        categoryCode: "utilities",
        description: "消防栓漏水",
        buildingId: await building(),
      },
      t0,
    );
    const where = async () =>
      (
        await q<{ routed_level: string; state: string }>(
          "select routed_level, state from work_orders where id = $1",
          [id],
        )
      )[0];
    // Four minutes in, the grid still has time.
    await sweepSla(t.ctx, minutes(t0, 4));
    expect((await where()).routed_level).toBe("grid");
    // Six minutes in, the grid has not accepted: the community takes it.
    expect((await sweepSla(t.ctx, minutes(t0, 6))).fallen).toBeGreaterThanOrEqual(1);
    expect(await where()).toEqual({ routed_level: "community", state: "dispatched" });
    const [ev] = await q<{ action: string; note: string; actor_name: string }>(
      "select action, note, actor_name from work_order_events where order_id = $1 and action = 'reassign'",
      [id],
    );
    expect(ev).toEqual({
      action: "reassign",
      note: "超时未签收，属地兜底转至社区",
      actor_name: "系统（时限巡检）",
    });
    // The community sees it; the grid no longer does.
    const board = (await t.app.inject({ url: "/api/orders/queue", headers: community })).json().items;
    expect(board.map((o: { id: number }) => o.id)).toContain(id);
    expect((await t.app.inject({ url: `/api/orders/${id}`, headers: grid })).statusCode).toBe(404);
    const [note] = await q<{ title: string; org_path: string }>(
      "select title, org_path from notifications where order_id = $1 and kind = 'dispatch' order by id desc limit 1",
      [id],
    );
    expect(note.org_path).toBe("/320613/320613019/320613019010/");
    // The community gets its own window: two minutes later it is still there …
    await sweepSla(t.ctx, minutes(t0, 8));
    expect((await where()).routed_level).toBe("community");
    // … and when that runs out too, the street takes it, and it stays there.
    await sweepSla(t.ctx, minutes(t0, 12));
    expect((await where()).routed_level).toBe("street");
    await sweepSla(t.ctx, minutes(t0, 30));
    expect((await where()).routed_level).toBe("street");
  });

  it("leaves an order alone once someone accepts it", async () => {
    const t0 = new Date(Date.now() - 60 * 60_000);
    const { id, row } = await createOrder(
      t.ctx,
      agentActor,
      {
        channel: "hotline_12345",
        categoryCode: "utilities",
        description: "楼道水管滴漏",
        buildingId: await building(),
      },
      t0,
    );
    const r = await t.app.inject({
      method: "POST",
      url: `/api/orders/${id}/actions/accept`,
      headers: grid,
      payload: { version: row.version },
    });
    expect(r.statusCode, r.body).toBe(200);
    await sweepSla(t.ctx, minutes(t0, 30));
    const [o] = await q<{ routed_level: string }>("select routed_level from work_orders where id = $1", [id]);
    expect(o.routed_level).toBe("grid");
  });

  async function building() {
    const [b] = await q<{ id: number }>(
      "select id from buildings where org_path like '%/320613019010-G01/%' order by id limit 1",
    );
    return b.id;
  }
});
