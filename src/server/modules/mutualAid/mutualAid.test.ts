import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { DEMO_RESIDENT_PHONE } from "../../../seed/demo.ts";
import { overdueMedicineRequests, runEventReminders } from "./index.ts";

const PNG_1x1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe.each(DB_KINDS)("mutual aid on %s", (kind) => {
  let t: TestApp;
  let community: Headers;
  let grid: Headers;
  let doctor: Headers;
  let volunteer: Headers;
  let agent: Headers;
  let communityId: number;
  let elderId: number;
  const get = (url: string, h: Headers) => t.app.inject({ url, headers: h });
  const post = (url: string, h: Headers, payload: object = {}) =>
    t.app.inject({ method: "POST", url, headers: h, payload });
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await createTestApp(kind);
    [community, grid, doctor, volunteer, agent] = await Promise.all([
      t.login("demo-community"),
      t.login("demo-grid"),
      t.login("demo-doctor"),
      t.login("demo-volunteer"),
      t.login("demo-agent"),
    ]);
    [{ id: communityId }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010'",
    );
    // The oldest resident of the demo grid: the demo's resident with the demo phone.
    [{ id: elderId }] = await t.ctx.database.query<{ id: number }>(
      "select id from residents where phone_hash = $1",
      [t.ctx.crypto.hash(DEMO_RESIDENT_PHONE)],
    );
  });
  afterAll(() => t?.close());

  async function freshBox() {
    const points = (await get("/api/mutual-aid/points?kind=party_center", community)).json().items;
    const r = await post("/api/mutual-aid/boxes", community, {
      servicePointId: points[0].id,
      name: "测试药箱",
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().id as number;
  }
  async function donate(boxId: number, over: Record<string, unknown> = {}) {
    const r = await post(`/api/mutual-aid/boxes/${boxId}/donations`, community, {
      medicineName: "测试退热片",
      spec: "0.5g×10片",
      batch: `T${Math.random().toString(36).slice(2, 8)}`,
      expiresOn: day(200),
      quantity: 10,
      prescription: false,
      ...over,
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().id as number;
  }

  it("lists the demo's boxes with expiring and expired batches; the warning list holds both", async () => {
    const boxes = (await get("/api/mutual-aid/boxes", grid)).json().items;
    expect(boxes.length).toBeGreaterThanOrEqual(2);
    expect(boxes.some((b: any) => b.expired > 0)).toBe(true);
    const exp = (await get("/api/mutual-aid/stock/expiring", community)).json().items;
    expect(exp.some((s: any) => s.expiry === "expired")).toBe(true);
    expect(exp.every((s: any) => s.expiresOn <= day(31))).toBe(true);
  });

  it("dispenses within stock, refuses more than there is (409) and an expired batch (409), nothing changed", async () => {
    const box = await freshBox();
    const stock = await donate(box, { quantity: 5 });
    const over = await post(`/api/mutual-aid/stock/${stock}/dispense`, grid, { quantity: 6 });
    expect(over.statusCode).toBe(409);
    const ok = await post(`/api/mutual-aid/stock/${stock}/dispense`, grid, { quantity: 2 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().quantity).toBe(3);
    // A batch past its date: the demo's expired one.
    const [expired] = await t.ctx.database.query<{ id: number; quantity: number }>(
      "select id, quantity from medicine_stock where expires_on < current_date and quantity > 0 and not prescription limit 1",
    );
    const r = await post(`/api/mutual-aid/stock/${expired.id}/dispense`, grid, { quantity: 1 });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toContain("过期");
    const [after] = await t.ctx.database.query<{ quantity: number }>(
      "select quantity from medicine_stock where id = $1",
      [expired.id],
    );
    expect(after.quantity).toBe(expired.quantity);
    // An expired donation is refused.
    const bad = await post(`/api/mutual-aid/boxes/${box}/donations`, community, {
      medicineName: "过期药",
      spec: "1盒",
      batch: "X1",
      expiresOn: day(-1),
      quantity: 1,
      prescription: false,
    });
    expect(bad.statusCode).toBe(400);
  });

  it("never goes below zero under concurrent dispensing", async () => {
    const box = await freshBox();
    const stock = await donate(box, { quantity: 7 });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        post(`/api/mutual-aid/stock/${stock}/dispense`, grid, { quantity: 1 }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(7);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(3);
    const [s] = await t.ctx.database.query<{ quantity: number }>(
      "select quantity from medicine_stock where id = $1",
      [stock],
    );
    expect(s.quantity).toBe(0);
    const [m] = await t.ctx.database.query<{ n: number }>(
      "select coalesce(sum(quantity), 0)::int as n from medicine_movements where stock_id = $1 and kind = 'dispense'",
      [stock],
    );
    expect(m.n).toBe(7);
  });

  it("prescription medicine leaves the box only by a doctor", async () => {
    const box = await freshBox();
    const stock = await donate(box, { medicineName: "测试处方药", prescription: true });
    expect((await post(`/api/mutual-aid/stock/${stock}/dispense`, grid, { quantity: 1 })).statusCode).toBe(
      403,
    );
    const byDoctor = await post(`/api/mutual-aid/stock/${stock}/dispense`, doctor, { quantity: 1 });
    expect(byDoctor.statusCode, byDoctor.body).toBe(200);
  });

  it("disposes of expired stock and logs it", async () => {
    const [b] = await t.ctx.database.query<{ boxId: number }>(
      `select box_id as "boxId" from medicine_stock where expires_on < current_date and quantity > 0 limit 1`,
    );
    const r = await post(`/api/mutual-aid/boxes/${b.boxId}/dispose-expired`, community);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().batches).toBeGreaterThan(0);
    const detail = (await get(`/api/mutual-aid/boxes/${b.boxId}`, community)).json();
    expect(detail.stock.every((s: any) => s.expiry !== "expired")).toBe(true);
    expect(detail.movements.some((m: any) => m.kind === "disposal")).toBe(true);
  });

  it("an 80-year-old's fever medicine: found, matched, claimed once, delivered inside the hour, confirmed", async () => {
    const found = (await get(`/api/mutual-aid/medicines?q=${encodeURIComponent("布洛芬")}`, agent)).json()
      .items;
    expect(found.length).toBeGreaterThan(0);
    const r = await post("/api/mutual-aid/requests", agent, {
      residentId: elderId,
      medicineName: "布洛芬缓释胶囊",
      quantity: 1,
      note: "发热 38.5℃，独居",
    });
    expect(r.statusCode, r.body).toBe(201);
    const req = r.json();
    expect(req.state).toBe("matched");
    expect(req.source).toBe("hotline");
    expect(new Date(req.dueAt).getTime() - new Date(req.createdAt).getTime()).toBe(3600_000);
    const before = await overdueMedicineRequests(t.ctx, "/");
    expect(before.open).toBeGreaterThan(0);
    const [stockBefore] = await t.ctx.database.query<{ quantity: number }>(
      "select quantity from medicine_stock where id = (select stock_id from medicine_requests where id = $1)",
      [req.id],
    );
    // Two claim at once: one wins.
    const claims = await Promise.all([
      post(`/api/mutual-aid/requests/${req.id}/claim`, volunteer),
      post(`/api/mutual-aid/requests/${req.id}/claim`, grid),
    ]);
    expect(claims.map((c) => c.statusCode).sort()).toEqual([200, 409]);
    const winner = claims[0].statusCode === 200 ? volunteer : grid;
    const loser = winner === volunteer ? grid : volunteer;
    expect((await post(`/api/mutual-aid/requests/${req.id}/deliver`, loser)).statusCode).toBe(403);
    const d = await post(`/api/mutual-aid/requests/${req.id}/deliver`, winner);
    expect(d.statusCode, d.body).toBe(200);
    const [stockAfter] = await t.ctx.database.query<{ quantity: number }>(
      "select quantity from medicine_stock where id = (select stock_id from medicine_requests where id = $1)",
      [req.id],
    );
    expect(stockAfter.quantity).toBe(stockBefore.quantity - 1);
    const c = await post(`/api/mutual-aid/requests/${req.id}/confirm`, agent);
    expect(c.statusCode, c.body).toBe(200);
    const done = (await get(`/api/mutual-aid/requests/${req.id}`, community)).json();
    expect(done.state).toBe("confirmed");
    expect(done.onTime).toBe(true);
    expect(done.sla).toBe("ok");
  });

  it("a prescription request waits for a doctor before anyone may claim it", async () => {
    const box = await freshBox();
    await donate(box, { medicineName: "测试降压片", prescription: true, quantity: 3 });
    const r = await post("/api/mutual-aid/requests", grid, {
      residentId: elderId,
      medicineName: "测试降压片",
      quantity: 1,
    });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().id;
    expect(r.json().prescription).toBe(true);
    expect((await post(`/api/mutual-aid/requests/${id}/claim`, volunteer)).statusCode).toBe(403);
    expect((await post(`/api/mutual-aid/requests/${id}/approve`, grid)).statusCode).toBe(403);
    expect((await post(`/api/mutual-aid/requests/${id}/approve`, doctor)).statusCode).toBe(200);
    expect((await post(`/api/mutual-aid/requests/${id}/claim`, volunteer)).statusCode).toBe(200);
  });

  it("an event fills up; concurrent sign-ups never overfill; a cancellation moves the waitlist up in order", async () => {
    const e = await post("/api/mutual-aid/events", community, {
      kind: "clinic",
      title: "测试义诊",
      place: "党群服务中心",
      orgUnitId: communityId,
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 90_000_000).toISOString(),
      capacity: 3,
      audienceTags: [],
    });
    expect(e.statusCode, e.body).toBe(201);
    const id = e.json().id;
    const people = await t.ctx.database.query<{ id: number }>(
      "select r.id from residents r join org_units g on g.code = '320613019010-G01' where r.org_path like g.path || '%' order by r.id limit 6",
    );
    const res = await Promise.all(
      people.map((p) => post(`/api/mutual-aid/events/${id}/signups`, grid, { residentId: p.id })),
    );
    expect(res.every((r) => r.statusCode === 201)).toBe(true);
    const states = res.map((r) => r.json().state);
    expect(states.filter((s) => s === "confirmed")).toHaveLength(3);
    expect(states.filter((s) => s === "waitlisted")).toHaveLength(3);
    expect(
      (await post(`/api/mutual-aid/events/${id}/signups`, grid, { residentId: people[0].id })).statusCode,
    ).toBe(409);
    const detail = (await get(`/api/mutual-aid/events/${id}`, community)).json();
    const firstWaiting = detail.signups
      .filter((s: any) => s.state === "waitlisted")
      .sort((a: any, b: any) => a.id - b.id)[0];
    const confirmed = detail.signups.filter((s: any) => s.state === "confirmed");
    // Two confirmed people cancel at once: the first two of the waitlist move up, the event stays full.
    const c = await Promise.all(
      confirmed
        .slice(0, 2)
        .map((s: any) =>
          post(`/api/mutual-aid/events/${id}/cancellations`, grid, { residentId: s.residentId }),
        ),
    );
    expect(c.map((r) => r.statusCode)).toEqual([200, 200]);
    const after = (await get(`/api/mutual-aid/events/${id}`, community)).json();
    expect(after.event.taken).toBe(3);
    expect(after.figures.confirmed).toBe(3);
    expect(after.figures.waitlisted).toBe(1);
    expect(after.signups.find((s: any) => s.id === firstWaiting.id).state).toBe("confirmed");
  });

  it("reminds confirmed sign-ups the day before and 2 hours before, once each across processes, skipping opted-out phones", async () => {
    const startsAt = new Date(Date.now() + 30 * 3_600_000);
    const e = await post("/api/mutual-aid/events", community, {
      kind: "talk",
      title: "提醒测试讲座",
      place: "社区活动室",
      orgUnitId: communityId,
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 2 * 3_600_000).toISOString(),
      capacity: 3,
      audienceTags: [],
    });
    expect(e.statusCode, e.body).toBe(201);
    const id = e.json().id as number;
    const people = await t.ctx.database.query<{ id: number; phoneHash: string }>(
      `select r.id, r.phone_hash as "phoneHash" from residents r join org_units g on g.code = '320613019010-G01'
       where r.org_path like g.path || '%' and r.phone_hash is not null
         and r.phone_hash not in (select phone_hash from residents where phone_hash is not null group by phone_hash having count(*) > 1)
       order by r.id limit 5`,
    );
    for (const p of people)
      expect(
        (await post(`/api/mutual-aid/events/${id}/signups`, grid, { residentId: p.id })).statusCode,
      ).toBe(201);
    // Three confirmed (one of them opted out of notices), two waitlisted: the waitlist is not reminded.
    await t.ctx.database.query("insert into phone_opt_outs (phone_hash) values ($1) on conflict do nothing", [
      people[0].phoneHash,
    ]);
    const sms = async () =>
      (
        await t.ctx.database.query<{ n: number }>(
          "select count(*)::int as n from notifications where kind = 'event.reminder' and title = '活动提醒：提醒测试讲座'",
        )
      )[0].n;
    // Too early for either.
    await runEventReminders(t.ctx, new Date());
    expect(await sms()).toBe(0);
    // 23 hours before: the day-before reminder, sent once though two sweeps run at the same moment.
    const dayBefore = new Date(startsAt.getTime() - 23 * 3_600_000);
    await Promise.all([runEventReminders(t.ctx, dayBefore), runEventReminders(t.ctx, dayBefore)]);
    await runEventReminders(t.ctx, dayBefore);
    expect(await sms()).toBe(2);
    const [body] = await t.ctx.database.query<{ body: string }>(
      "select body from notifications where kind = 'event.reminder' and title = '活动提醒：提醒测试讲座' limit 1",
    );
    expect(body.body).toMatch(
      /^.(女士|先生)您好，您报名的「提醒测试讲座」将于明天 \d\d:\d\d在社区活动室开始/,
    );
    // 90 minutes before: the 2-hour one; again only once.
    const twoHours = new Date(startsAt.getTime() - 90 * 60_000);
    await Promise.all([runEventReminders(t.ctx, twoHours), runEventReminders(t.ctx, twoHours)]);
    expect(await sms()).toBe(4);
    const detail = (await get(`/api/mutual-aid/events/${id}`, community)).json();
    expect(detail.reminders.map((r: any) => [r.kind, r.sent, r.optedOut])).toEqual([
      ["day_before", 2, 1],
      ["two_hours", 2, 1],
    ]);
    await t.ctx.database.query("delete from phone_opt_outs where phone_hash = $1", [people[0].phoneHash]);
  });

  it("queues a mass notice to a door-to-door campaign's households (one per phone); an unseen campaign is 404", async () => {
    const [c] = await t.ctx.database.query<{ id: number }>(
      `select c.id from campaigns c where exists (select 1 from campaign_households h where h.campaign_id = c.id
         and h.org_path like (select path from org_units where id = $1) || '%') order by c.id limit 1`,
      [communityId],
    );
    expect(c, "the demo has a campaign in the demo community").toBeTruthy();
    const [want] = await t.ctx.database.query<{ n: number }>(
      `select count(distinct r.phone_hash)::int as n from residents r join campaign_households h on h.household_id = r.household_id
       where h.campaign_id = $1 and r.phone_hash is not null and r.org_path like (select path from org_units where id = $2) || '%'`,
      [c.id, communityId],
    );
    const r = await post("/api/mutual-aid/notices", community, {
      title: "敲门行动回访提醒",
      template: "{称呼}您好，{社区}敲门行动的网格员近期将上门回访，请留意。",
      orgUnitId: communityId,
      audience: { kind: "campaign", campaignId: c.id },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().recipients).toBe(want.n);
    expect(want.n).toBeGreaterThan(0);
    const missing = await post("/api/mutual-aid/notices", community, {
      title: "不存在",
      template: "测试",
      orgUnitId: communityId,
      audience: { kind: "campaign", campaignId: 999_999 },
    });
    expect(missing.statusCode).toBe(404);
  });

  it("the public directory lists places and no person", async () => {
    const r = await t.app.inject({ url: `/api/public/service-points?unit=${communityId}` });
    expect(r.statusCode).toBe(200);
    const items = r.json().items;
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(items[0]).sort()).toEqual(
      [
        "address",
        "boxes",
        "hours",
        "id",
        "kind",
        "kindLabel",
        "lat",
        "long",
        "name",
        "phone",
        "services",
        "unitName",
      ].sort(),
    );
  });

  describe("the resident app", () => {
    const ip = (n: number) => ({ remoteAddress: `10.9.0.${n}` });
    async function codeFor(phone: string) {
      const [n] = await t.ctx.database.query<{ body: string }>(
        "select body from notifications where kind = 'resident.code' order by id desc limit 1",
      );
      expect(n, `no code for ${phone}`).toBeTruthy();
      return /(\d{6})/.exec(n.body)![1];
    }
    let session: Headers | undefined;
    async function signIn(phone = DEMO_RESIDENT_PHONE) {
      if (session) return session;
      const a = await t.app.inject({ method: "POST", url: "/api/app/code", payload: { phone }, ...ip(1) });
      expect(a.statusCode, a.body).toBe(200);
      const b = await t.app.inject({
        method: "POST",
        url: "/api/app/sign-in",
        payload: { phone, code: await codeFor(phone) },
        ...ip(1),
      });
      expect(b.statusCode, b.body).toBe(200);
      session = {
        cookie: String(b.headers["set-cookie"]).split(";")[0],
        "x-csrf-token": b.json().csrfToken as string,
      };
      return session;
    }

    it("locks a phone after 5 wrong guesses, with Retry-After; an unknown phone gets the same words", async () => {
      const phone = "13700001111";
      const a = await t.app.inject({ method: "POST", url: "/api/app/code", payload: { phone }, ...ip(2) });
      expect(a.statusCode).toBe(200);
      let last: Awaited<ReturnType<typeof t.app.inject>> | undefined;
      for (let i = 0; i < 5; i++)
        last = await t.app.inject({
          method: "POST",
          url: "/api/app/sign-in",
          payload: { phone, code: "000000" },
          ...ip(2),
        });
      expect(last!.statusCode).toBe(429);
      expect(Number(last!.headers["retry-after"])).toBeGreaterThan(0);
      const again = await t.app.inject({
        method: "POST",
        url: "/api/app/code",
        payload: { phone },
        ...ip(2),
      });
      expect(again.statusCode).toBe(429);
      // A second code within a minute is refused too.
      const p2 = "13700002222";
      expect(
        (await t.app.inject({ method: "POST", url: "/api/app/code", payload: { phone: p2 }, ...ip(3) }))
          .statusCode,
      ).toBe(200);
      expect(
        (await t.app.inject({ method: "POST", url: "/api/app/code", payload: { phone: p2 }, ...ip(3) }))
          .statusCode,
      ).toBe(429);
    });

    it("keeps resident and staff sessions apart", async () => {
      const res = await signIn();
      expect((await get("/api/app/mine", res)).statusCode).toBe(200);
      expect((await get("/api/app/mine", grid)).statusCode).toBe(401);
      expect((await get("/api/mutual-aid/boxes", res)).statusCode).toBe(401);
      expect((await get("/api/me", res)).statusCode).toBe(401);
      expect(
        (
          await t.app.inject({
            method: "POST",
            url: "/api/app/reports",
            headers: { cookie: res.cookie },
            payload: {},
          })
        ).statusCode,
      ).toBe(403);
    });

    it("reports a problem with a photo (checked by content), follows it, rates it; sees only their own", async () => {
      const res = await signIn();
      const me = (await get("/api/app/me", res)).json();
      expect(me.categories.length).toBeGreaterThan(0);
      const r = await post("/api/app/reports", res, {
        categoryCode: me.categories[0].code,
        description: "楼道灯坏了，晚上很黑",
        buildingId: me.homeBuildingId,
      });
      expect(r.statusCode, r.body).toBe(201);
      const order = r.json();
      const fake = await t.app.inject({
        method: "POST",
        url: `/api/app/reports/${order.id}/photos`,
        headers: { ...res, "content-type": "image/png" },
        payload: Buffer.from("<?php echo 1; ?>"),
      });
      expect(fake.statusCode).toBe(415);
      const photo = await t.app.inject({
        method: "POST",
        url: `/api/app/reports/${order.id}/photos`,
        headers: { ...res, "content-type": "image/png" },
        payload: PNG_1x1,
      });
      expect(photo.statusCode, photo.body).toBe(201);
      const mine = (await get("/api/app/mine", res)).json();
      expect(mine.orders.map((o: any) => o.number)).toContain(order.number);
      expect(mine.orders[0].photos).toHaveLength(1);
      expect((await get(`/api/app/photos/${mine.orders[0].photos[0].id}`, res)).statusCode).toBe(200);
      // Someone else's order (a staff-filed one) is 404 to rate, add photos or see.
      const staffOrder = await post("/api/orders", grid, {
        channel: "walk_in",
        categoryCode: me.categories[0].code,
        description: "居民来访反映楼道灯坏了",
        residentId: elderId,
      });
      expect(staffOrder.statusCode, staffOrder.body).toBe(201);
      const other = staffOrder.json().order ?? staffOrder.json();
      expect(
        (await post(`/api/app/reports/${other.id}/rating`, res, { solved: true, satisfaction: "satisfied" }))
          .statusCode,
      ).toBe(404);
      const [att] = await t.ctx.database.query<{ id: number }>(
        "select id from attachments where order_id <> $1 limit 1",
        [order.id],
      );
      if (att) expect((await get(`/api/app/photos/${att.id}`, res)).statusCode).toBe(404);
      // Not yet at callback: rating is a conflict.
      expect(
        (await post(`/api/app/reports/${order.id}/rating`, res, { solved: true, satisfaction: "satisfied" }))
          .statusCode,
      ).toBe(409);
    });

    it("makes a micro-wish that goes through the volunteers' flow (review, masked wall, claim, photo) and follows it", async () => {
      const res = await signIn();
      const [me] = await t.ctx.database.query<{ name: string }>("select name from residents where id = $1", [
        elderId,
      ]);
      const w = await post("/api/app/wishes", res, {
        title: "想要一副老花镜",
        detail: `我是${me.name}，住 3幢 1单元 502室，电话 13962900080，看报纸看不清`,
      });
      expect(w.statusCode, w.body).toBe(201);
      const id = w.json().id as number;
      let mine = (await get("/api/app/mine", res)).json();
      expect(mine.wishes[0]).toMatchObject({ id, state: "pending", stateLabel: "待社区审核" });
      // Not on the wall until the community publishes it; then only the masked text.
      expect(
        (await get("/api/volunteers/wishes", volunteer))
          .json()
          .items.some((x: { id: number }) => x.id === id),
      ).toBe(false);
      expect(
        (await post(`/api/volunteers/wishes/${id}/review`, community, { decision: "publish" })).statusCode,
      ).toBe(200);
      const wall = (await get("/api/volunteers/wishes", volunteer))
        .json()
        .items.find((x: { id: number }) => x.id === id);
      expect(wall.text).toContain("看报纸看不清");
      for (const secret of [me.name, "13962900080", "502"]) expect(wall.text).not.toContain(secret);
      expect((await post(`/api/volunteers/wishes/${id}/claim`, volunteer)).statusCode).toBe(200);
      mine = (await get("/api/app/mine", res)).json();
      expect(mine.wishes[0]).toMatchObject({ id, state: "claimed", claimedBy: "周志愿者" });
      const done = await t.app.inject({
        method: "POST",
        url: `/api/volunteers/wishes/${id}/fulfil?note=${encodeURIComponent("老花镜已送到家")}`,
        headers: { ...volunteer, "content-type": "image/png" },
        payload: PNG_1x1,
      });
      expect(done.statusCode, done.body).toBe(200);
      mine = (await get("/api/app/mine", res)).json();
      expect(mine.wishes[0]).toMatchObject({
        id,
        state: "fulfilled",
        hasPhoto: true,
        fulfilNote: "老花镜已送到家",
      });
      expect((await get(`/api/app/wishes/${id}/photo`, res)).statusCode).toBe(200);
      // The resident hears of it by SMS through the outbox.
      const [sms] = await t.ctx.database.query<{ body: string; phone: string }>(
        `select body, recipient_phone_cipher as phone from notifications where kind = 'volunteer.wish_fulfilled_resident' order by id desc limit 1`,
      );
      expect(sms.body).toContain("老花镜");
      expect(t.ctx.crypto.decrypt(sms.phone)).toBe(DEMO_RESIDENT_PHONE);
      expect((await post(`/api/volunteers/wishes/${id}/confirm`, grid)).statusCode).toBe(200);
      expect((await get("/api/app/mine", res)).json().wishes[0].state).toBe("confirmed");
      // A wish the grid worker posted is not the resident's: its photo is 404 to them, it is not in "mine".
      const staff = await post("/api/volunteers/wishes", grid, {
        orgUnitId: (
          await t.ctx.database.query<{ id: number }>(
            "select org_unit_id as id from residents where id = $1",
            [elderId],
          )
        )[0].id,
        residentId: elderId,
        title: "想要一台收音机",
        detail: "眼睛不好，想听广播",
      });
      expect(staff.statusCode, staff.body).toBe(201);
      expect((await get(`/api/app/wishes/${staff.json().id}/photo`, res)).statusCode).toBe(404);
      expect((await get("/api/app/mine", res)).json().wishes.map((x: any) => x.id)).not.toContain(
        staff.json().id,
      );
      // Bad input: too short a title is 400; past three wishes under way it is 409, nothing written.
      expect((await post("/api/app/wishes", res, { title: "x", detail: "太短" })).statusCode).toBe(400);
      for (let i = 0; i < 3; i++)
        expect(
          (await post("/api/app/wishes", res, { title: `心愿${i}`, detail: "想要一本字典" })).statusCode,
        ).toBe(201);
      const before = (await get("/api/app/mine", res)).json().wishes.length;
      expect(
        (await post("/api/app/wishes", res, { title: "第四个心愿", detail: "想要一本字典" })).statusCode,
      ).toBe(409);
      expect((await get("/api/app/mine", res)).json().wishes.length).toBe(before);
      expect(
        (
          await t.app.inject({
            method: "POST",
            url: "/api/app/wishes",
            payload: { title: "匿名", detail: "未登录" },
          })
        ).statusCode,
      ).toBe(401);
    });

    it("asks for medicine and signs up for an event from the app", async () => {
      const res = await signIn();
      const found = (await get(`/api/app/medicines?q=${encodeURIComponent("对乙酰氨基酚")}`, res)).json()
        .items;
      expect(found.length).toBeGreaterThan(0);
      const m = await post("/api/app/medicine-requests", res, {
        medicineName: "对乙酰氨基酚片",
        quantity: 1,
      });
      expect(m.statusCode, m.body).toBe(201);
      expect(m.json().state).toBe("matched");
      const evs = (await get("/api/app/events", res)).json().items;
      expect(evs.length).toBeGreaterThan(0);
      const open = evs.find((e: any) => !e.myState);
      const s = await post(`/api/app/events/${open.id}/signup`, res);
      expect(s.statusCode, s.body).toBe(201);
      const mine = (await get("/api/app/mine", res)).json();
      expect(mine.medicine.map((x: any) => x.id)).toContain(m.json().id);
      expect(mine.events.map((x: any) => x.id)).toContain(open.id);
      // Confirming before delivery is a conflict; another resident's request is 404.
      expect((await post(`/api/app/medicine-requests/${m.json().id}/confirm`, res)).statusCode).toBe(409);
      const [staffFiled] = await t.ctx.database.query<{ id: number }>(
        "select id from medicine_requests where resident_account_id is null limit 1",
      );
      expect((await post(`/api/app/medicine-requests/${staffFiled.id}/confirm`, res)).statusCode).toBe(404);
      // Opting out of mass notices (and back in).
      expect((await post("/api/app/opt-out", res, { optOut: true })).json().optedOut).toBe(true);
      expect((await get("/api/app/me", res)).json().optedOut).toBe(true);
      await post("/api/app/opt-out", res, { optOut: false });
      expect((await get("/api/app/me", res)).json().optedOut).toBe(false);
    });
  });

  it("sends a mass notice to an event's sign-ups through the SMS gateway: one per phone, opt-outs skipped and counted", async () => {
    const got: { phone: string; text: string }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        got.push(JSON.parse(body));
        res.writeHead(200).end("{}");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const port = (receiver.address() as { port: number }).port;
    t.ctx.config.smsGateway = { url: `http://127.0.0.1:${port}/send` };
    try {
      const e = await post("/api/mutual-aid/events", community, {
        kind: "fair",
        title: "便民服务集市",
        place: "文化广场",
        orgUnitId: communityId,
        startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 3 * 86_400_000 + 7_200_000).toISOString(),
        capacity: 50,
        audienceTags: [],
      });
      const eventId = e.json().id;
      const people = await t.ctx.database.query<{ id: number; phoneHash: string; phoneCipher: string }>(
        `select r.id, r.phone_hash as "phoneHash", r.phone_cipher as "phoneCipher" from residents r join org_units g on g.code = '320613019010-G01'
         where r.org_path like g.path || '%' and r.phone_hash is not null order by r.id limit 5`,
      );
      for (const p of people)
        await post(`/api/mutual-aid/events/${eventId}/signups`, grid, { residentId: p.id });
      // Two sign-ups share a phone (one merged, counted as a duplicate); one phone opted out.
      await t.ctx.database.query("update residents set phone_hash = $2, phone_cipher = $3 where id = $1", [
        people[1].id,
        people[0].phoneHash,
        people[0].phoneCipher,
      ]);
      await t.ctx.database.query("insert into phone_opt_outs (phone_hash) values ($1)", [
        people[4].phoneHash,
      ]);
      const bad = await post("/api/mutual-aid/notices", community, {
        title: "集市通知",
        template: "{姓名}您好",
        orgUnitId: communityId,
        audience: { kind: "event", eventId },
      });
      expect(bad.statusCode).toBe(400);
      const r = await post("/api/mutual-aid/notices", community, {
        title: "集市通知",
        template: "{称呼}您好，{社区}「{活动}」将于{时间}在{地点}举行，欢迎参加。回复TD退订",
        orgUnitId: communityId,
        audience: { kind: "event", eventId },
      });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ recipients: 4, duplicates: 1, optedOut: 1 });
      const id = r.json().id;
      await expect
        .poll(async () => (await get(`/api/mutual-aid/notices/${id}`, community)).json().notice.state, {
          timeout: 10_000,
        })
        .toBe("done");
      const d = (await get(`/api/mutual-aid/notices/${id}`, community)).json();
      expect(d.notice).toMatchObject({ sent: 3, failed: 0, pending: 0, optedOut: 1 });
      expect(d.recipients.filter((x: any) => x.state === "opted_out")).toHaveLength(1);
      expect(d.recipients.every((x: any) => /^1\d{2}\*{4}\d{4}$/.test(x.phone))).toBe(true);
      expect(got).toHaveLength(3);
      const optedPhone = t.ctx.crypto.decrypt(people[4].phoneCipher);
      expect(got.map((g) => g.phone)).not.toContain(optedPhone);
      expect(got[0].text).toMatch(
        /^【网格管家】.(先生|女士)您好，苏阳社区「便民服务集市」将于.+在文化广场举行/,
      );
      // A grid worker may not send mass notices.
      expect((await get("/api/mutual-aid/notices", grid)).statusCode).toBe(403);
    } finally {
      t.ctx.config.smsGateway = undefined;
      receiver.close();
    }
  });
});
