import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { buildApp } from "../../app.ts";
import { pruneFailures } from "../../platform/failureCounts.ts";
import { PUBLIC_LIMITS } from "./public.ts";

// The public status page answers to an order number and the phone's last four digits. Guessing the digits
// is limited per client address and per order number, the client address is the socket's peer unless the
// request comes through a configured proxy, and numbers cannot be walked in sequence.

describe.each(DB_KINDS)("the public order page's limits on %s", (kind) => {
  let t: TestApp;
  let agent: Awaited<ReturnType<TestApp["login"]>>;
  let grid: number;
  let phones = 0;

  /** A new order called in from a new phone; returns its number and the phone's tail. */
  async function newOrder() {
    const tail = String(1000 + ++phones);
    const r = await t.app.inject({
      method: "POST",
      url: "/api/orders",
      headers: agent,
      payload: {
        channel: "hotline_12345",
        categoryCode: "sanitation",
        description: "楼道垃圾未清运",
        callerPhone: `1380000${tail}`,
        orgUnitId: grid,
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    return { number: r.json().number as string, id: r.json().id as number, tail };
  }
  const look = (number: string, phone4: string, remoteAddress: string, headers = {}) =>
    t.app.inject({ url: `/api/public/orders/${number}?phone4=${phone4}`, remoteAddress, headers });

  beforeAll(async () => {
    t = await createTestApp(kind);
    agent = await t.login("demo-agent");
    [{ id: grid }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where kind = 'grid' and code like '320613019010-%' order by code limit 1",
    );
  });
  afterAll(() => t?.close());

  it("gives new orders a random tail after the day and id, so the next number is not the last plus one", async () => {
    const a = await newOrder();
    const b = await newOrder();
    expect(b.id).toBe(a.id + 1);
    expect(a.number).toMatch(new RegExp(`^\\d{8}${String(a.id).padStart(6, "0")}\\d{3}$`));
    expect(b.number).toMatch(new RegExp(`^\\d{8}${String(b.id).padStart(6, "0")}\\d{3}$`));
    const tails = new Set<string>();
    for (let i = 0; i < 8; i++) tails.add((await newOrder()).number.slice(-3));
    expect(tails.size).toBeGreaterThan(1);
  });

  it("still finds an order by a number made before the tail existed", async () => {
    const o = await newOrder();
    const old = o.number.slice(0, -3);
    await t.ctx.database.query("update work_orders set number = $1 where id = $2", [old, o.id]);
    expect((await look(old, o.tail, "10.10.0.1")).statusCode).toBe(200);
  });

  it("locks an order number after ten wrong tails, whatever addresses they come from", async () => {
    const o = await newOrder();
    const statuses: number[] = [];
    for (let i = 0; i < PUBLIC_LIMITS.number.max; i++)
      statuses.push((await look(o.number, "0000", `10.11.${i}.1`)).statusCode);
    expect(statuses.every((s) => s === 404)).toBe(true);
    // Even the right digits from a fresh address wait now.
    const locked = await look(o.number, o.tail, "10.11.99.1");
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(3600);
    // Another order is not affected.
    const other = await newOrder();
    expect((await look(other.number, other.tail, "10.11.99.1")).statusCode).toBe(200);
  });

  it("locks an address after five wrong tries, whatever numbers it tries", async () => {
    const o = await newOrder();
    for (let i = 0; i < PUBLIC_LIMITS.address.max; i++)
      expect((await look(`2026010100000${i}123`, "0000", "10.12.0.1")).statusCode).toBe(404);
    expect((await look(o.number, o.tail, "10.12.0.1")).statusCode).toBe(429);
    expect((await look(o.number, o.tail, "10.12.0.2")).statusCode).toBe(200);
  });

  it("ignores X-Forwarded-For by default: rotating it does not dodge the address limit", async () => {
    const o = await newOrder();
    for (let i = 0; i < PUBLIC_LIMITS.address.max; i++)
      await look(`2026010200000${i}123`, "0000", "10.13.0.1", { "x-forwarded-for": `203.0.113.${i}` });
    const r = await look(o.number, o.tail, "10.13.0.1", { "x-forwarded-for": "203.0.113.200" });
    expect(r.statusCode).toBe(429);
  });

  it("believes X-Forwarded-For from the proxies in TRUST_PROXY, and from nobody else", async () => {
    const proxied = await buildApp(
      { ...t.ctx, config: { ...t.ctx.config, trustProxy: ["10.14.0.1"] } },
      { logger: false, serveWeb: false },
    );
    try {
      const o = await newOrder();
      const via = (remoteAddress: string, client: string, phone4: string, number = o.number) =>
        proxied.inject({
          url: `/api/public/orders/${number}?phone4=${phone4}`,
          remoteAddress,
          headers: { "x-forwarded-for": client },
        });
      for (let i = 0; i < PUBLIC_LIMITS.address.max; i++)
        expect((await via("10.14.0.1", "198.51.100.7", "0000", `2026010300000${i}123`)).statusCode).toBe(404);
      // The client behind the proxy is locked, another client behind the same proxy is not.
      expect((await via("10.14.0.1", "198.51.100.7", o.tail)).statusCode).toBe(429);
      expect((await via("10.14.0.1", "198.51.100.8", o.tail)).statusCode).toBe(200);
      // A caller that is not the proxy cannot name its address.
      for (let i = 0; i < PUBLIC_LIMITS.address.max; i++)
        await via("10.14.0.2", `198.51.100.${20 + i}`, "0000", `2026010400000${i}123`);
      expect((await via("10.14.0.2", "198.51.100.99", o.tail)).statusCode).toBe(429);
    } finally {
      await proxied.close();
    }
  });

  it("keeps the counts in the database, hashed, and prunes them once over", async () => {
    const rows = await t.ctx.database.query<{ key: string }>("select key from failure_counts");
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.key).not.toMatch(/10\.1\d\.|\d{14}/);
    expect(await pruneFailures(t.ctx.database, new Date(Date.now() + 2 * 24 * 3600_000))).toBe(rows.length);
  });
});
