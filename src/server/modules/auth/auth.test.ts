import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";

describe.each(DB_KINDS)("auth on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  it("logs in with an httpOnly SameSite session cookie and answers /api/me", async () => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "demo-community", password: "Demo@2026" },
    });
    expect(r.statusCode).toBe(200);
    const cookie = String(r.headers["set-cookie"]);
    expect(cookie).toMatch(/gk_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const me = await t.app.inject({ url: "/api/me", headers: { cookie: cookie.split(";")[0] } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      username: "demo-community",
      role: "community_admin",
      org: { name: "苏阳社区", kind: "community" },
    });
    expect(me.json()).not.toHaveProperty("passwordHash");
  });

  it("answers 401 without a session and after logout", async () => {
    expect((await t.app.inject({ url: "/api/me" })).statusCode).toBe(401);
    const h = await t.login("demo-grid");
    expect((await t.app.inject({ method: "POST", url: "/api/auth/logout", headers: h })).statusCode).toBe(
      204,
    );
    const after = await t.app.inject({ url: "/api/me", headers: { cookie: h.cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe("unauthenticated");
  });

  it("rejects a wrong password with 401 and the same message as an unknown user", async () => {
    const a = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "demo-agent", password: "wrong-1" },
    });
    const b = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "nobody", password: "wrong-1" },
    });
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json().error.message).toBe(b.json().error.message);
  });

  it("locks an account after repeated failures (429 with Retry-After), even for the right password", async () => {
    let last = 0;
    for (let i = 0; i < 5; i++) {
      last = (
        await t.app.inject({
          method: "POST",
          url: "/api/auth/login",
          payload: { username: "demo-doctor", password: `bad-${i}` },
        })
      ).statusCode;
    }
    expect(last).toBe(429);
    const r = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "demo-doctor", password: "Demo@2026" },
    });
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers["retry-after"])).toBeGreaterThan(0);
    const [ev] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from audit_events where action = 'login_locked'",
    );
    expect(ev.n).toBe(1);
  });

  const attempt = (username: string, password: string, remoteAddress = "127.0.0.1") =>
    t.app.inject({ method: "POST", url: "/api/auth/login", payload: { username, password }, remoteAddress });

  it("answers an unknown name exactly as a real one, locked or not", async () => {
    const real: { status: number; body: string; retry: unknown }[] = [];
    const unknown: typeof real = [];
    for (let i = 0; i < 6; i++) {
      for (const [name, out] of [
        ["demo-volunteer", real],
        ["no-such-user", unknown],
      ] as const) {
        const r = await attempt(name, `bad-${i}`, "10.1.0.1");
        out.push({ status: r.statusCode, body: r.body, retry: r.headers["retry-after"] });
      }
    }
    expect(real.map((r) => r.status)).toEqual([401, 401, 401, 401, 429, 429]);
    expect(unknown).toEqual(real);
  });

  it("locks the guesser's address, not the owner: the owner still logs in from elsewhere", async () => {
    for (let i = 0; i < 5; i++) await attempt("demo-street", `bad-${i}`, "10.2.0.1");
    expect((await attempt("demo-street", "Demo@2026", "10.2.0.1")).statusCode).toBe(429);
    expect((await attempt("demo-street", "Demo@2026", "10.2.0.2")).statusCode).toBe(200);
  });

  it("locks an address that sprays many names, whatever name it tries next", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await attempt(`spray-${i}`, "bad", "10.3.0.1")).statusCode);
    expect(statuses.slice(0, 19).every((s) => s === 401)).toBe(true);
    expect(statuses[19]).toBe(429);
    expect((await attempt("demo-commander", "Demo@2026", "10.3.0.1")).statusCode).toBe(429);
    expect((await attempt("demo-commander", "Demo@2026", "10.3.0.2")).statusCode).toBe(200);
  });

  it("locks an account guessed at from many addresses, for every address", async () => {
    const statuses: number[] = [];
    // Four tries from each address stay under the per-address limits.
    for (let i = 0; i < 50; i++)
      statuses.push((await attempt("demo-grid", `bad-${i}`, `10.4.${Math.floor(i / 4)}.1`)).statusCode);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    expect(statuses[49]).toBe(429);
    expect((await attempt("demo-grid", "Demo@2026", "10.4.99.1")).statusCode).toBe(429);
  });

  it("treats SQL text in a login as a plain wrong login", async () => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "' OR '1'='1", password: "' OR '1'='1" },
    });
    expect(r.statusCode).toBe(401);
  });

  it("refuses cookie-authenticated writes without the CSRF token", async () => {
    const h = await t.login("demo-community");
    const r = await t.app.inject({ method: "POST", url: "/api/auth/logout", headers: { cookie: h.cookie } });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe("csrf");
  });

  it("validates the login body and names the field", async () => {
    const r = await t.app.inject({ method: "POST", url: "/api/auth/login", payload: { username: "x" } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details.fields[0].field).toBe("password");
  });
});
