import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../helpers/app.ts";

describe.each(DB_KINDS)("API conventions on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  it("reports health and which database serves it", async () => {
    const r = await t.app.inject({ url: "/api/health" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: "ok", db: kind });
    expect(r.json().version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("serves the OpenAPI document at /api/docs", async () => {
    const r = await t.app.inject({ url: "/api/docs/json" });
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/residents",
        "/api/residents/{id}",
        "/api/auth/login",
        "/api/me",
        "/api/health",
      ]),
    );
    expect((await t.app.inject({ url: "/api/docs" })).statusCode).toBeLessThan(400);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const h = await t.login("demo-community");
    for (const headers of [{}, h]) {
      const r = await t.app.inject({ url: "/api/no-such-thing", headers });
      expect(r.statusCode).toBe(404);
      expect(r.json().error.code).toBe("not_found");
    }
  });

  it("rejects malformed JSON and oversized bodies with the error shape", async () => {
    const h = await t.login("demo-grid");
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/residents",
      headers: { ...h, "content-type": "application/json" },
      payload: '{"name": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: "invalid", message: "请求体不是合法的 JSON" });
    const big = await t.app.inject({
      method: "POST",
      url: "/api/residents",
      headers: { ...h, "content-type": "application/json" },
      payload: JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe("payload_too_large");
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from audit_events where action = 'create' and entity = 'resident'",
    );
    expect(n).toBe(0);
  });

  it("writes every login and write to the audit log without personal data", async () => {
    const rows = await t.ctx.database.query<{ action: string }>(
      "select action from audit_events where action = 'login'",
    );
    expect(rows.length).toBeGreaterThan(0);
  });

  it("logs requests without query strings, cookies or personal data", async () => {
    const { PassThrough } = await import("node:stream");
    const { buildApp } = await import("../../src/server/app.ts");
    const sink = new PassThrough();
    let logged = "";
    sink.on("data", (c) => {
      logged += c;
    });
    const logging = await buildApp(
      { ...t.ctx, config: { ...t.ctx.config, logLevel: "info" } },
      { logger: sink, serveWeb: false },
    );
    const [r] = await t.ctx.database.query<{ name: string; phone_cipher: string }>(
      "select name, phone_cipher from residents where phone_cipher is not null limit 1",
    );
    const phone = t.ctx.crypto.decrypt(r.phone_cipher);
    const login = await logging.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "demo-community", password: "Demo@2026" },
    });
    const cookie = String(login.headers["set-cookie"]).split(";")[0];
    await logging.inject({ url: `/api/residents?q=${encodeURIComponent(r.name)}`, headers: { cookie } });
    await logging.inject({ url: `/api/residents?q=${phone}`, headers: { cookie } });
    await logging.close();
    expect(logged).toContain("/api/residents");
    expect(logged).not.toContain(r.name);
    expect(logged).not.toContain(encodeURIComponent(r.name));
    expect(logged).not.toContain(phone);
    expect(logged).not.toContain("Demo@2026");
    expect(logged).not.toContain(cookie.split("=")[1]);
  });
});
