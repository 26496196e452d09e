import crypto from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { maskPhone } from "../../../domain/mask/mask.ts";
import { QUEUE_STATES } from "../../../domain/workflow/states.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { addAccount } from "../accounts/index.ts";
import { deliverPending, type Transport } from "../notifications/index.ts";
import { OrderSchema, presentOrder } from "./presenter.ts";
import { loadOrder, QUEUE_LIMIT, workerQueue } from "./service.ts";
import { sweepSla } from "./sweep.ts";

type H = Awaited<ReturnType<TestApp["login"]>>;

describe.each(DB_KINDS)("work orders on %s", (kind) => {
  let t: TestApp;
  let agent: H;
  let grid: H;
  let grid2: H;
  let community: H;
  let resident: { id: number; phone: string; building_id: number };
  let g2: number;

  beforeAll(async () => {
    t = await createTestApp(kind);
    const q = t.ctx.database.query.bind(t.ctx.database);
    await addAccount(t.ctx.database, {
      username: "worker-g02",
      displayName: "第2网格网格员",
      role: "grid_worker",
      org: "320613019010-G02",
      password: "Worker123",
    });
    [agent, grid, grid2, community] = await Promise.all([
      t.login("demo-agent"),
      t.login("demo-grid"),
      t.login("worker-g02", "Worker123"),
      t.login("demo-community"),
    ]);
    const [r] = await q<{ id: number; phone_cipher: string; building_id: number }>(
      "select id, phone_cipher, building_id from residents where org_path like '%/320613019010-G01/%' and phone_cipher is not null order by id limit 1",
    );
    resident = { id: r.id, phone: t.ctx.crypto.decrypt(r.phone_cipher), building_id: r.building_id };
    [{ id: g2 }] = await q<{ id: number }>("select id from org_units where code = '320613019010-G02'");
  });
  afterAll(() => t?.close());

  const post = (url: string, headers: H | Record<string, never>, payload: unknown) =>
    t.app.inject({ method: "POST", url, headers, payload: payload as any });
  const act = async (id: number, action: string, headers: H, body: Record<string, unknown> = {}) => {
    const cur = (await t.app.inject({ url: `/api/orders/${id}`, headers })).json().order;
    return post(`/api/orders/${id}/actions/${action}`, headers, { version: cur.version, ...body });
  };

  it("admins edit the taxonomy; others may not; bad policies are named", async () => {
    const commander = await t.login("demo-commander");
    const created = await post("/api/categories", commander, {
      code: "stray_animals",
      name: "流浪动物",
      slaPolicy: "12345",
      ownerRole: "grid_worker",
      department: "城管局",
    });
    expect(created.statusCode, created.body).toBe(201);
    const found = (await t.app.inject({ url: "/api/categories?q=lldw", headers: agent })).json();
    expect(found.items.map((c: any) => c.code)).toEqual(["stray_animals"]);
    const bad = await t.app.inject({
      method: "PATCH",
      url: `/api/categories/${created.json().id}`,
      headers: commander,
      payload: { slaPolicy: "99999" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].field).toBe("slaPolicy");
    const off = await t.app.inject({
      method: "PATCH",
      url: `/api/categories/${created.json().id}`,
      headers: commander,
      payload: { active: false, slaPolicy: "52022" },
    });
    expect(off.json()).toMatchObject({ active: false, slaPolicy: "52022" });
    expect((await t.app.inject({ url: "/api/categories?q=lldw", headers: agent })).json().items).toEqual([]);
    expect(
      (
        await post("/api/categories", community, {
          code: "x_y",
          name: "某",
          slaPolicy: "12345",
          ownerRole: "grid_worker",
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await post("/api/categories", commander, {
          code: "stray_animals",
          name: "重复",
          slaPolicy: "12345",
          ownerRole: "grid_worker",
        })
      ).statusCode,
    ).toBe(409);
  });

  it("counts the whole queue, not only the most urgent orders it lists", async () => {
    for (const description of ["垃圾桶满了", "楼下垃圾没人收", "垃圾堆在门口"]) {
      const r = await post("/api/orders", agent, {
        channel: "hotline_12345",
        categoryCode: "sanitation",
        description,
        callerName: "居民",
        callerPhone: resident.phone,
        residentId: resident.id,
      });
      expect(r.statusCode).toBe(201);
    }
    const actor = await t.actor("demo-community");
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from work_orders where starts_with(org_path, $1) and state = any($2::text[])",
      [actor.orgPath, QUEUE_STATES],
    );
    expect(n).toBeGreaterThanOrEqual(3);
    // Listed up to the limit, counted in full.
    const capped = await workerQueue(t.ctx, actor, 2);
    expect(capped.rows).toHaveLength(2);
    expect(capped.total).toBe(n);
    const page = (await t.app.inject({ url: "/api/orders/queue", headers: community })).json();
    expect(page.total).toBe(n);
    expect(page.items).toHaveLength(Math.min(n, QUEUE_LIMIT));
    // An empty queue is 0, not a missing row.
    const none = await workerQueue(t.ctx, { ...actor, orgPath: `${actor.orgPath}/nowhere` }, 2);
    expect(none).toEqual({ rows: [], total: 0 });
  });

  it("finds categories by pinyin initials, a category's subcategories after it", async () => {
    const r = (await t.app.inject({ url: "/api/categories?q=hjws", headers: agent })).json();
    expect(r.items.map((c: any) => c.name)).toEqual(["环境卫生", "垃圾清运", "污水外溢", "病媒防治"]);
  });

  it("answers an order with every field the presenter makes, as the OpenAPI schema lists them", async () => {
    const created = await post("/api/orders", agent, {
      channel: "hotline_12345",
      categoryCode: "sanitation",
      description: "单元门口垃圾没人清",
      callerPhone: resident.phone,
      residentId: resident.id,
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    const detail = (await t.app.inject({ url: `/api/orders/${body.id}`, headers: agent })).json().order;
    // Straight from the presenter, no serializer in between: nothing it makes may be dropped on the way.
    const row = await loadOrder(t.ctx, systemPrincipal("test", "测试"), body.id);
    const direct = JSON.parse(JSON.stringify(presentOrder(row, t.ctx.crypto, null)));
    const listed = Object.keys(OrderSchema.properties).sort();
    expect(Object.keys(direct).sort()).toEqual(listed);
    expect(Object.keys(body).sort()).toEqual(listed);
    expect(detail).toEqual({ ...direct, allowedActions: detail.allowedActions });
    expect(body.clocks.length).toBeGreaterThan(0);
    expect(body.clocks[0].deadline).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(body.callerPhoneMasked).toBe(detail.callerPhoneMasked);
  });

  it("walks a hotline call from intake to a closed, rated order, including a reopen", async () => {
    const created = await post("/api/orders", agent, {
      channel: "hotline_12345",
      categoryCode: "property",
      description: "楼道灯坏了，晚上看不见",
      callerName: "居民",
      callerPhone: resident.phone,
      residentId: resident.id,
    });
    expect(created.statusCode).toBe(201);
    const order = created.json();
    expect(order).toMatchObject({
      state: "dispatched",
      orgName: "苏阳社区·第1网格",
      routedLevel: "grid",
      slaPolicy: "52022",
    });
    expect(order.number).toMatch(/^\d{17}$/);
    expect(order.callerPhoneMasked).toBe(`${resident.phone.slice(0, 3)}****${resident.phone.slice(-4)}`);

    // It is in the grid worker's queue, not in grid 2's.
    const queue = (await t.app.inject({ url: "/api/orders/queue", headers: grid })).json();
    expect(queue.items.map((o: any) => o.id)).toContain(order.id);
    expect(
      (await t.app.inject({ url: "/api/orders/queue", headers: grid2 })).json().items.map((o: any) => o.id),
    ).not.toContain(order.id);
    // Another grid's order is not found, exactly as a missing one: ids cannot be probed.
    expect((await t.app.inject({ url: `/api/orders/${order.id}`, headers: grid2 })).statusCode).toBe(404);
    expect(
      (await post(`/api/orders/${order.id}/actions/accept`, grid2, { version: order.version })).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ url: `/api/orders/${order.id}/duplicates`, headers: grid2 })).statusCode,
    ).toBe(404);

    // Resolve before accept is illegal and says what is allowed.
    const early = await act(order.id, "resolve", grid);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.details.allowedActions).toContain("accept");

    // Two people accept at once: exactly one wins.
    const v = (await t.app.inject({ url: `/api/orders/${order.id}`, headers: grid })).json().order.version;
    const both = await Promise.all([
      post(`/api/orders/${order.id}/actions/accept`, grid, { version: v }),
      post(`/api/orders/${order.id}/actions/accept`, community, { version: v }),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    // Whoever won holds the order now and works it on (only the assignee or the grid head may).
    const winner = both[0].statusCode === 200 ? grid : community;

    expect((await act(order.id, "arrive", winner)).statusCode).toBe(200);
    expect((await act(order.id, "resolve", winner, { note: "已更换灯泡" })).statusCode).toBe(200);
    expect((await act(order.id, "verify", community)).statusCode).toBe(200);

    // The resident checks progress without an account; wrong digits are a 404.
    const wrong = await t.app.inject({ url: `/api/public/orders/${order.number}?phone4=0000` });
    expect(wrong.statusCode).toBe(resident.phone.endsWith("0000") ? 200 : 404);
    const status = await t.app.inject({
      url: `/api/public/orders/${order.number}?phone4=${resident.phone.slice(-4)}`,
    });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ state: "callback", canRate: true });

    // Unsatisfied → reopened, worked again, then satisfied → closed.
    const rate1 = await post(
      `/api/public/orders/${order.number}/rating`,
      {},
      { phone4: resident.phone.slice(-4), solved: false, satisfaction: "unsatisfied", comment: "灯又坏了" },
    );
    expect(rate1.statusCode).toBe(200);
    expect(rate1.json().state).toBe("reopened");
    // The comment is stored with the rating and reaches the staff.
    const afterRating = (await t.app.inject({ url: `/api/orders/${order.id}`, headers: community })).json()
      .order;
    expect(afterRating).toMatchObject({
      ratingComment: "灯又坏了",
      satisfaction: "unsatisfied",
      callbackSolved: false,
    });
    expect((await act(order.id, "dispatch", community)).statusCode).toBe(200);
    for (const a of ["accept", "arrive", "resolve"])
      expect((await act(order.id, a, grid)).statusCode).toBe(200);
    expect((await act(order.id, "verify", community)).statusCode).toBe(200);
    const rate2 = await post(
      `/api/public/orders/${order.number}/rating`,
      {},
      { phone4: resident.phone.slice(-4), solved: true, satisfaction: "satisfied" },
    );
    expect(rate2.json().state).toBe("closed");
    const again = await post(
      `/api/public/orders/${order.number}/rating`,
      {},
      { phone4: resident.phone.slice(-4), solved: true, satisfaction: "satisfied" },
    );
    expect(again.statusCode).toBe(409);

    const detail = (await t.app.inject({ url: `/api/orders/${order.id}`, headers: community })).json();
    expect(detail.order).toMatchObject({ state: "closed", satisfaction: "satisfied", callbackSolved: true });
    expect(detail.order.counts.reopens).toBe(1);
    expect(
      detail.events
        .filter((e: any) => e.action === "reopen" || e.action === "close")
        .map((e: any) => e.actorName),
    ).toEqual(["居民（评价页）", "居民（评价页）"]);
    // The allowed actions leave out what the order's own state rules out.
    expect(detail.order.allowedActions.map((a: any) => a.action)).not.toContain("resume");
    expect(detail.events.map((e: any) => e.action)).toEqual([
      "receive",
      "dispatch",
      "accept",
      "arrive",
      "resolve",
      "verify",
      "reopen",
      "dispatch",
      "accept",
      "arrive",
      "resolve",
      "verify",
      "close",
    ]);
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from notifications where order_id = $1",
      [order.id],
    );
    expect(n).toBeGreaterThanOrEqual(4); // dispatch ×2, callback ×2, reopen
  });

  it("a unit picked by hand wins over the resident's address, and the resident stays linked", async () => {
    const r = await post("/api/orders", agent, {
      channel: "walk_in",
      categoryCode: "neighbour_dispute",
      description: "邻里纠纷，需第2网格协调",
      residentId: resident.id,
      orgUnitId: g2,
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({
      orgUnitId: g2,
      residentId: resident.id,
      buildingId: resident.building_id,
    });
  });

  it("rejects bad intake: unknown category, no location, a place outside the caller's scope", async () => {
    const base = { channel: "hotline_12345", description: "路灯不亮" };
    const cat = await post("/api/orders", agent, { ...base, categoryCode: "nope", orgUnitId: g2 });
    expect(cat.statusCode).toBe(400);
    expect(cat.json().error.details.fields[0].field).toBe("categoryCode");
    const loc = await post("/api/orders", agent, { ...base, categoryCode: "municipal" });
    expect(loc.statusCode).toBe(400);
    expect(loc.json().error.details.fields[0].field).toBe("location");
    const [{ id: other }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613001001-G01'",
    );
    // A unit outside the caller's subtree is answered as one that does not exist.
    const outside = await post("/api/orders", community, {
      ...base,
      categoryCode: "municipal",
      orgUnitId: other,
    });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.details.fields[0]).toEqual({
      field: "orgUnitId",
      message: "所属网格: 不存在",
    });
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from work_orders where description = '路灯不亮'",
    );
    expect(n).toBe(0);
  });

  it("returns with a reason, merges duplicates, cancels with a reason", async () => {
    const mk = async () =>
      (
        await post("/api/orders", agent, {
          channel: "walk_in",
          categoryCode: "noise",
          description: "楼上装修噪声",
          buildingId: resident.building_id,
        })
      ).json();
    const a = await mk();
    const b = await mk();
    const dups = (await t.app.inject({ url: `/api/orders/${b.id}/duplicates`, headers: community })).json();
    expect(dups.items.map((o: any) => o.id)).toContain(a.id);
    expect((await act(a.id, "return", grid)).statusCode).toBe(400); // reason required
    expect((await act(a.id, "return", grid, { reason: "不属于本网格" })).statusCode).toBe(200);
    expect((await act(b.id, "merge", community, { intoOrderId: String(a.id) })).statusCode).toBe(200);
    const merged = (await t.app.inject({ url: `/api/orders/${b.id}`, headers: community })).json().order;
    expect(merged).toMatchObject({ state: "merged", mergedIntoId: a.id });
    expect((await act(a.id, "cancel", agent, { reason: "重复来电" })).statusCode).toBe(200);
  });

  it("the SLA sweep marks overdue orders once, even with two sweeps at once, and the outbox retries failures", async () => {
    const o = (
      await post("/api/orders", agent, {
        channel: "hotline_12345",
        categoryCode: "sanitation",
        description: "垃圾未清运",
        orgUnitId: g2,
      })
    ).json();
    const later = new Date(Date.now() + 30 * 86_400_000);
    // Two server processes sweeping at once (on PostgreSQL: two separate connection pools).
    const second = await t.secondProcess();
    // Tiny batches: each sweeper must keep going until its batch comes back short.
    const [a, b] = await Promise.all([sweepSla(t.ctx, later, 1), sweepSla(second.ctx, later, 1)]);
    await second.close();
    const [{ left }] = await t.ctx.database.query<{ left: number }>(
      "select count(*)::int as left from work_orders where next_due_at <= $1 and overdue_at is null",
      [later],
    );
    expect(left).toBe(0);
    expect(a.overdue + b.overdue).toBeGreaterThanOrEqual(1);
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from work_order_events where order_id = $1 and action = 'overdue'",
      [o.id],
    );
    expect(n).toBe(1);
    const board = (await t.app.inject({ url: "/api/orders?state=active", headers: community })).json();
    expect(board.items[0].overdue).toBe(true);

    let calls = 0;
    const flaky: Transport = {
      name: "flaky",
      async send() {
        calls++;
        if (calls === 1) throw new Error("网关超时");
      },
    };
    const first = await deliverPending(t.ctx, flaky, new Date(), 1);
    expect(first).toEqual({ sent: 0, failed: 1 });
    const [failed] = await t.ctx.database.query<any>(
      "select state, attempts, last_error from notifications where transport = 'flaky'",
    );
    expect(failed).toMatchObject({ state: "pending", attempts: 1, last_error: "网关超时" });
    const rest = await deliverPending(t.ctx, flaky, new Date(Date.now() + 3600_000), 1000);
    expect(rest.failed).toBe(0);
    const [{ pending }] = await t.ctx.database.query<{ pending: number }>(
      "select count(*)::int as pending from notifications where state = 'pending'",
    );
    expect(pending).toBe(0);
    const list = (await t.app.inject({ url: "/api/notifications", headers: community })).json();
    expect(list.items.length).toBeGreaterThan(0);
  });

  it("stores photos by checksum, refuses non-images (415) and oversized files (413)", async () => {
    const o = (
      await post("/api/orders", agent, {
        channel: "grid_patrol",
        categoryCode: "sanitation",
        description: "绿化带垃圾",
        orgUnitId: g2,
      })
    ).json();
    // A real picture: a photo is kept only when it decodes (attachments.test.ts has the impostors).
    const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: "#3a7" } })
      .png()
      .toBuffer();
    const up = await t.app.inject({
      method: "POST",
      url: `/api/orders/${o.id}/attachments?filename=现场.png`,
      headers: { ...community, "content-type": "image/png" },
      payload: png,
    });
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toMatchObject({ mime: "image/png" });
    expect(up.json().sha256).toMatch(/^[0-9a-f]{64}$/);
    const back = await t.app.inject({ url: `/api/attachments/${up.json().id}`, headers: community });
    expect(back.statusCode).toBe(200);
    // What comes back is what was stored: the picture as re-encoded, of the size and checksum reported.
    expect(back.rawPayload.length).toBe(up.json().size);
    expect(crypto.createHash("sha256").update(back.rawPayload).digest("hex")).toBe(up.json().sha256);
    expect(await sharp(back.rawPayload).metadata()).toMatchObject({ format: "png", width: 8, height: 6 });
    expect((await t.app.inject({ url: `/api/attachments/${up.json().id}`, headers: grid })).statusCode).toBe(
      404,
    );
    const pdf = await t.app.inject({
      method: "POST",
      url: `/api/orders/${o.id}/attachments`,
      headers: { ...community, "content-type": "image/png" },
      payload: Buffer.from("%PDF-1.7 not an image"),
    });
    expect(pdf.statusCode).toBe(415);
    const text = await t.app.inject({
      method: "POST",
      url: `/api/orders/${o.id}/attachments`,
      headers: { ...community, "content-type": "text/plain" },
      payload: "hello",
    });
    expect(text.statusCode).toBe(415);
    const big = await t.app.inject({
      method: "POST",
      url: `/api/orders/${o.id}/attachments`,
      headers: { ...community, "content-type": "image/jpeg" },
      payload: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(10 * 1024 * 1024 + 10)]),
    });
    expect(big.statusCode).toBe(413);
    const list = (await t.app.inject({ url: `/api/orders/${o.id}/attachments`, headers: community })).json();
    expect(list.items.length).toBe(1);
  });
});

describe.each(DB_KINDS)("the caller at the desk on %s", (kind) => {
  let t: TestApp;
  let agent: H;
  beforeAll(async () => {
    t = await createTestApp(kind);
    agent = await t.login("demo-agent");
  });
  afterAll(() => t?.close());

  const file = (payload: Record<string, unknown>) =>
    t.app.inject({
      method: "POST",
      url: "/api/orders",
      headers: agent,
      payload: { channel: "hotline_12345", categoryCode: "municipal", description: "路灯不亮", ...payload },
    });

  it("takes the found resident's registered phone as the caller's, so they can follow and rate the order", async () => {
    const [r] = await t.ctx.database.query<{ id: number; name: string; phone_cipher: string }>(
      "select id, name, phone_cipher from residents where phone_cipher is not null order by id limit 1",
    );
    const phone = t.ctx.crypto.decrypt(r.phone_cipher);
    const o = await file({ residentId: r.id, callerIsResident: true });
    expect(o.statusCode, o.body).toBe(201);
    expect(o.json()).toMatchObject({ callerName: r.name, callerPhoneMasked: maskPhone(phone) });
    const status = await t.app.inject({
      url: `/api/public/orders/${o.json().number}?phone4=${phone.slice(-4)}`,
    });
    expect(status.statusCode).toBe(200);
    // Without the flag the resident is what the order is about, not who called.
    const about = await file({ residentId: r.id });
    expect(about.json().callerPhoneMasked).toBeNull();
    // Saying the caller is a resident without naming one is a field error.
    const none = await file({ callerIsResident: true, orgUnitId: 1 });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.details.fields[0].field).toBe("residentId");
  });

  it("accepts landlines and +86 numbers, normalised, and finds the order by their last four digits", async () => {
    const [g1] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010-G01'",
    );
    const landline = await file({ orgUnitId: g1.id, callerPhone: "(0513) 8512 3456", callerName: "王先生" });
    expect(landline.statusCode, landline.body).toBe(201);
    expect(landline.json().callerPhoneMasked).toBe("0513-****3456");
    const found = await t.app.inject({ url: `/api/public/orders/${landline.json().number}?phone4=3456` });
    expect(found.statusCode).toBe(200);
    const plus = await file({ orgUnitId: g1.id, callerPhone: "+86 138 1234 5678" });
    expect(plus.json().callerPhoneMasked).toBe("138****5678");
    const bad = await file({ orgUnitId: g1.id, callerPhone: "12345" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].message).toContain("固定电话");
  });
});
