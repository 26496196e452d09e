import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";

// The hotline desk's lookups on the demo community: the caller by phone tail, name, initials or address,
// ranked and counted; the building picker; orders already open at the place; categories by what callers
// say; and the receipt a caller gets with the order number.

type H = Awaited<ReturnType<TestApp["login"]>>;

describe.each(DB_KINDS)("hotline desk lookups on %s", (kind) => {
  let t: TestApp;
  let agent: H;
  const get = (url: string, headers: H = agent) => t.app.inject({ url, headers });

  beforeAll(async () => {
    t = await createTestApp(kind);
    agent = await t.login("demo-agent");
  });
  afterAll(() => t?.close());

  it("finds a caller by phone tail, ranking the longer tail's single match and never mixing ID tails", async () => {
    const [r] = await t.ctx.database.query<{ id: number; phone: string; idTail: string }>(
      `select id, phone_cipher as phone, id_tail as "idTail" from residents
       where phone_cipher is not null order by id limit 1`,
    );
    const phone = t.ctx.crypto.decrypt(r.phone);
    const four = (await get(`/api/intake/callers?q=${phone.slice(-4)}`)).json();
    expect(four.kind).toBe("phone_tail");
    expect(four.items.map((i: any) => i.id)).toContain(r.id);
    for (const i of four.items) {
      expect(i.match).toBe("phone_tail");
      expect(i.phoneMasked.replace(/\D/g, "").slice(-4)).toBe(phone.slice(-4));
    }
    const seven = (await get(`/api/intake/callers?q=${phone.slice(-7)}`)).json();
    expect(seven.items.map((i: any) => i.id)).toEqual([r.id]);
    expect(seven.items[0].phoneMasked).not.toContain(phone.slice(3, 7));
    // Someone whose ID number ends in these digits but whose phone does not is not offered.
    const [other] = await t.ctx.database.query<{ idTail: string }>(
      "select id_tail as \"idTail\" from residents where id_tail ~ '^[0-9]{4}$' and (phone_tail is null or phone_tail <> id_tail) limit 1",
    );
    const byIdTail = (await get(`/api/intake/callers?q=${other.idTail}`)).json();
    for (const i of byIdTail.items) expect(i.match).toBe("phone_tail");
    const rows = await t.ctx.database.query<{ id: number }>(
      "select id from residents where id_tail = $1 and (phone_tail is null or phone_tail <> $1)",
      [other.idTail],
    );
    for (const row of rows) expect(byIdTail.items.map((i: any) => i.id)).not.toContain(row.id);
  });

  it("finds a caller by name and by pinyin initials, exact first, and says how many more", async () => {
    const [p] = await t.ctx.database.query<{ id: number; name: string; initials: string }>(
      `select id, name, name_initials as initials from residents
       where length(name) = 3 order by id limit 1`,
    );
    const byName = (await get(`/api/intake/callers?q=${encodeURIComponent(p.name)}`)).json();
    expect(byName.items[0]).toMatchObject({ name: p.name, match: "name_exact" });
    expect(byName.items.map((i: any) => i.id)).toContain(p.id);
    const surname = p.name.slice(0, 1);
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from residents where name like $1",
      [`${surname}%`],
    );
    const bySurname = (await get(`/api/intake/callers?q=${encodeURIComponent(surname)}`)).json();
    expect(n).toBeGreaterThan(10);
    expect(bySurname.items).toHaveLength(10);
    expect(bySurname.items.length + bySurname.more).toBe(Math.min(n, 500));
    const byInitials = (await get(`/api/intake/callers?q=${p.initials.toUpperCase()}`)).json();
    expect(byInitials.kind).toBe("initials");
    expect(byInitials.items.map((i: any) => i.id)).toContain(p.id);
    expect(byInitials.items[0].match).toBe("initials_exact");
  });

  it("finds callers by address words and answers too little with nothing", async () => {
    const res = (await get(`/api/intake/callers?q=${encodeURIComponent("苏阳 12幢")}`)).json();
    expect(res.items.length).toBeGreaterThan(0);
    for (const i of res.items) {
      expect(i.address).toContain("12幢");
      expect(["address", "name_prefix", "name_exact"]).toContain(i.match);
    }
    expect((await get("/api/intake/callers?q=12")).json()).toEqual({
      items: [],
      more: 0,
      moreCapped: false,
      kind: null,
    });
    const long = await get(`/api/intake/callers?q=${"张".repeat(51)}`);
    expect(long.statusCode).toBe(400);
  });

  it("keeps lookups inside the account's subtree and behind its permissions", async () => {
    const doctor = await t.login("demo-doctor");
    expect((await get("/api/intake/callers?q=5678", doctor)).statusCode).toBe(403);
    expect((await t.app.inject({ url: "/api/intake/callers?q=5678" })).statusCode).toBe(401);
  });

  it("picks a building by community and building name", async () => {
    const res = (await get(`/api/intake/buildings?q=${encodeURIComponent("苏阳 12")}`)).json();
    expect(res.items.length).toBeGreaterThan(0);
    expect(res.items[0]).toMatchObject({ name: "12幢", community: "苏阳社区" });
    for (const b of res.items) expect(b.address).toContain("12");
    expect((await get(`/api/intake/buildings?q=${encodeURIComponent("火星 1")}`)).json().items).toEqual([]);
  });

  it("shows orders already open at the building while typing, the same category first", async () => {
    const [b] = await t.ctx.database.query<{ id: number }>(
      "select b.id from buildings b where b.name = '7幢' order by id limit 1",
    );
    const file = async (categoryCode: string, description: string) => {
      const r = await t.app.inject({
        method: "POST",
        url: "/api/orders",
        headers: agent,
        payload: { channel: "hotline_12345", categoryCode, description, buildingId: b.id },
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as number;
    };
    const water = await file("utilities_water", "7幢整栋停水");
    const noise = await file("noise", "楼下广场舞");
    const dup = (await get(`/api/intake/duplicates?buildingId=${b.id}&categoryCode=utilities`)).json();
    expect(dup.items.map((o: any) => o.id).slice(0, 2)).toEqual([water, noise]);
    const other = (await get(`/api/intake/duplicates?buildingId=${b.id}&categoryCode=noise`)).json();
    expect(other.items[0].id).toBe(noise);
    expect((await get("/api/intake/duplicates")).json().items).toEqual([]);
  });

  it("searches categories by Chinese names, synonyms and pinyin, two levels", async () => {
    const codes = async (q: string) =>
      (await get(`/api/categories?q=${encodeURIComponent(q)}`)).json().items.map((c: any) => c.code);
    expect((await codes("楼道灯"))[0]).toBe("municipal_lighting");
    const water = await codes("水");
    expect(water[0]).toBe("utilities");
    expect(water).toContain("utilities_water");
    expect(water).not.toContain("sanitation");
    expect(await codes("ldzm")).toEqual(["municipal_lighting"]);
    expect(await codes("gongshui")).toEqual(["utilities_water"]);
    expect(await codes("火箭发射")).toEqual([]);
    const all = (await get("/api/categories")).json().items;
    const lighting = all.find((c: any) => c.code === "municipal_lighting");
    expect(lighting).toMatchObject({
      parentCode: "municipal",
      parentName: "市政设施",
      pinyin: "ludengzhaoming",
    });
    expect(lighting.synonyms).toContain("楼道灯");
    // Parents in order, each followed by its subcategories.
    const municipal = all.findIndex((c: any) => c.code === "municipal");
    expect(all[municipal + 1].parentCode).toBe("municipal");
  });

  it("sends the caller a receipt with the number and the status link, and nothing about the matter", async () => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/orders",
      headers: agent,
      payload: {
        channel: "care_hotline",
        categoryCode: "medical",
        description: "老人血压高，想问降压药怎么吃",
        callerPhone: "0513-85123456",
        callerName: "王阿姨",
        orgUnitId: (
          await t.ctx.database.query<{ id: number }>(
            "select id from org_units where kind = 'grid' order by id limit 1",
          )
        )[0].id,
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    const order = r.json();
    const [m] = await t.ctx.database.query<{ title: string; body: string; phone: string }>(
      "select title, body, recipient_phone_cipher as phone from notifications where order_id = $1 and kind = 'receipt'",
      [order.id],
    );
    expect(m.body).toContain(order.number);
    expect(m.body).toContain(`${t.ctx.config.publicUrl}/status?number=${order.number}`);
    for (const word of ["血压", "降压药", "用药", "就医", "王阿姨", "85123456"]) {
      expect(m.body).not.toContain(word);
      expect(m.title).not.toContain(word);
    }
    expect(m.phone).not.toContain("85123456");
    expect(t.ctx.crypto.decrypt(m.phone)).toBe("0513-85123456");
    // No phone, no receipt.
    const quiet = await t.app.inject({
      method: "POST",
      url: "/api/orders",
      headers: agent,
      payload: {
        channel: "walk_in",
        categoryCode: "noise",
        description: "夜间施工",
        orgUnitId: order.orgUnitId,
      },
    });
    const none = await t.ctx.database.query(
      "select 1 from notifications where order_id = $1 and kind = 'receipt'",
      [quiet.json().id],
    );
    expect(none).toEqual([]);
    // The outbox list shows the message without the phone.
    const cmd = await t.login("demo-commander");
    const list = (await get("/api/notifications?limit=50", cmd)).json();
    const shown = list.items.find((n: any) => n.orderId === order.id && n.kind === "receipt");
    expect(JSON.stringify(shown)).not.toContain("85123456");
  });
});
