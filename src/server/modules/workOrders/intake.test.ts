import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { IntakeWriter, intakeWriter, type NewOrder } from "./intake.ts";

// Intake groups the creates that arrive together into one statement. Each caller still gets its own
// order, number, events, message and audit entry, and a bad order fails alone.

type H = Awaited<ReturnType<TestApp["login"]>>;

describe.each(DB_KINDS)("grouped intake on %s", (kind) => {
  let t: TestApp;
  let agent: H;
  let gridIds: number[];

  beforeAll(async () => {
    t = await createTestApp(kind);
    agent = await t.login("demo-agent");
    gridIds = (
      await t.ctx.database.query<{ id: number }>(
        "select id from org_units where kind = 'grid' and code like '320613019010-%' order by code",
      )
    ).map((g) => g.id);
  });
  afterAll(() => t?.close());

  it("writes 60 simultaneous calls in fewer statements, each complete and numbered once", async () => {
    const before = { ...intakeWriter(t.ctx.database).stats };
    const res = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        t.app.inject({
          method: "POST",
          url: "/api/orders",
          headers: agent,
          payload: {
            channel: "hotline_12345",
            categoryCode: "sanitation",
            description: `并发来电 ${i}`,
            callerPhone: `1380000${String(i).padStart(4, "0")}`,
            orgUnitId: gridIds[i % gridIds.length],
          },
        }),
      ),
    );
    for (const r of res) expect(r.statusCode, r.body).toBe(201);
    const bodies = res.map((r) => r.json());
    const ids = bodies.map((b) => b.id);
    expect(new Set(ids).size).toBe(60);
    expect(new Set(bodies.map((b) => b.number)).size).toBe(60);
    // Day, id, and a random three-digit tail.
    for (const b of bodies)
      expect(b.number).toMatch(new RegExp(`^\\d{8}${String(b.id).padStart(6, "0")}\\d{3}$`));
    // The response is what was stored.
    const one = bodies[7];
    const stored = (await t.app.inject({ url: `/api/orders/${one.id}`, headers: agent })).json().order;
    expect(stored).toMatchObject({
      number: one.number,
      state: "dispatched",
      description: "并发来电 7",
      version: one.version,
    });
    expect(stored.callerPhone).toBe(one.callerPhone);
    const stats = intakeWriter(t.ctx.database).stats;
    expect(stats.orders - before.orders).toBe(60);
    expect(stats.batches - before.batches).toBeLessThan(60);
    const [counts] = await t.ctx.database.query<{
      events: number;
      notes: number;
      audits: number;
      descs: number;
    }>(
      `select (select count(*)::int from work_order_events where order_id = any($1)) as events,
         (select count(*)::int from notifications where order_id = any($1) and kind = 'dispatch'
            and title like '新工单 %：环境卫生' and title not like '%{number}%') as notes,
         (select count(*)::int from audit_events where entity = 'work_order' and action = 'create'
            and entity_id = any($2) and after->>'number' <> '{number}') as audits,
         (select count(distinct description)::int from work_orders where id = any($1)) as descs`,
      [ids, ids.map(String)],
    );
    expect(counts).toEqual({ events: 120, notes: 60, audits: 60, descs: 60 });
  });

  it("fails a bad order alone when it shares a statement with good ones", async () => {
    const w = new IntakeWriter(t.ctx.database);
    const [grid] = await t.ctx.database.query<{ id: number; path: string }>(
      "select id, path from org_units where id = $1",
      [gridIds[0]],
    );
    const [cat] = await t.ctx.database.query<{ id: number }>(
      "select id from categories where code = 'sanitation'",
    );
    const good = (i: number): NewOrder => ({ ...minimalOrder(cat.id, grid), description: `窗口来访 ${i}` });
    const bad = { ...good(99), created_at: "不是时间" };
    const results = await Promise.allSettled([w.write(good(1)), w.write(bad), w.write(good(2))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(w.stats.retried).toBe(3);
    const written = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.id] : []));
    const rows = await t.ctx.database.query<{ description: string }>(
      "select description from work_orders where id = any($1) order by id",
      [written],
    );
    // (the retries run side by side, so ids need not follow the call order)
    expect(rows.map((r) => r.description).sort()).toEqual(["窗口来访 1", "窗口来访 2"]);
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from work_orders where description = '窗口来访 99'",
    );
    expect(n).toBe(0);
  });

  it("sends what queued during a statement as the next one before answering the committed batch", async () => {
    const log: string[] = [];
    let statements = 0;
    let open = () => {};
    const gate = new Promise<void>((r) => {
      open = r;
    });
    // The real database, with each intake statement's start written to the log; the first statement's
    // answer is held until the second group has queued (PGlite would otherwise finish it at once).
    const db = new Proxy(t.ctx.database, {
      get(target, prop, receiver) {
        if (prop !== "query") return Reflect.get(target, prop, receiver);
        return async (text: string, ...rest: unknown[]) => {
          const n = text.includes("jsonb_to_recordset") ? ++statements : 0;
          if (n) log.push(`statement ${n}`);
          const rows = await (target.query as (...a: unknown[]) => Promise<unknown>)(text, ...rest);
          if (n === 1) await gate;
          return rows;
        };
      },
    });
    const w = new IntakeWriter(db);
    const [grid] = await t.ctx.database.query<{ id: number; path: string }>(
      "select id, path from org_units where id = $1",
      [gridIds[1]],
    );
    const [cat] = await t.ctx.database.query<{ id: number }>(
      "select id from categories where code = 'sanitation'",
    );
    const order = (i: number): NewOrder => ({
      ...minimalOrder(cat.id, grid),
      description: `排队来电 ${i}`,
    });
    const answered = (name: string) => (r: { id: number }) => {
      log.push(name);
      return r;
    };
    const first = [1, 2, 3].map((i) => w.write(order(i)).then(answered(`first ${i}`)));
    await new Promise((r) => setImmediate(r)); // the first statement is on its way
    const second = [4, 5].map((i) => w.write(order(i)).then(answered(`second ${i}`)));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(["statement 1"]); // one statement at a time: the second group waits
    open();
    await Promise.all([...first, ...second]);
    expect(log).toEqual([
      "statement 1",
      "statement 2",
      "first 1",
      "first 2",
      "first 3",
      "second 4",
      "second 5",
    ]);
    expect(w.stats).toEqual({ batches: 2, orders: 5, retried: 0 });
  });

  // Last: it moves the id sequence on.
  it("numbers orders past id 999999 without cutting digits", async () => {
    await t.ctx.database.query("select setval('work_orders_id_seq', 1234566)");
    const r = await t.app.inject({
      method: "POST",
      url: "/api/orders",
      headers: agent,
      payload: {
        channel: "walk_in",
        categoryCode: "sanitation",
        description: "窗口来访",
        orgUnitId: gridIds[0],
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().id).toBe(1234567);
    expect(r.json().number).toMatch(/^\d{8}1234567\d{3}$/);
  });
});

/** An order as the writer takes it, received and not dispatched: no events, no message. */
function minimalOrder(categoryId: number, grid: { id: number; path: string }): NewOrder {
  return {
    day_key: "20261124",
    channel: "walk_in",
    category_id: categoryId,
    sla_policy: "12345",
    state: "received",
    version: 0,
    description: "",
    resident_id: null,
    caller_name: null,
    caller_phone_cipher: null,
    caller_phone_hash: null,
    caller_phone_tail: null,
    address: null,
    building_id: null,
    org_unit_id: grid.id,
    org_path: grid.path,
    routed_level: "grid",
    flow: {},
    next_due_at: null,
    next_warn_at: null,
    dispatched_at: null,
    lat: null,
    long: null,
    open311_token: null,
    created_at: new Date().toISOString(),
    events: [],
    notice: null,
    receipt: null,
    audit: {
      account_id: null,
      username: "test",
      actor_kind: null,
      action: "create",
      entity: "work_order",
      org_path: grid.path,
      after: { number: "{number}" },
      ip: null,
    },
  };
}
