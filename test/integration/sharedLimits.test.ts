import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/server/app.ts";
import { addAccount } from "../../src/server/modules/accounts/index.ts";
import { createTestApp, DB_KINDS, type TestApp } from "../helpers/app.ts";

// Limits that must hold across server processes: two apps on one database (on PostgreSQL each with its
// own pool, as two processes behind a load balancer) count the same failures and the same requests.

describe.each(DB_KINDS)("limits shared by two server processes on %s", (kind) => {
  let t: TestApp;
  let other: { close(): Promise<void> };
  let a: FastifyInstance;
  let b: FastifyInstance;

  beforeAll(async () => {
    t = await createTestApp(kind);
    const second = await t.secondProcess();
    other = second;
    a = t.app;
    b = await buildApp(second.ctx, { logger: false, serveWeb: false });
    await addAccount(t.ctx.database, {
      username: "limit-user",
      displayName: "限流测试",
      role: "grid_worker",
      org: "320613019010-G01",
      password: "Right12345",
    });
  });
  afterAll(async () => {
    await b?.close();
    await other?.close();
    await t?.close();
  });

  const login = (app: FastifyInstance, password: string) =>
    app.inject({ method: "POST", url: "/api/auth/login", payload: { username: "limit-user", password } });

  it("failed logins spread over both processes lock the account on both", async () => {
    // Five free failures (domain/auth/lockout.ts), sent in turn to one process and the other.
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await login(i % 2 ? b : a, "wrong-one")).statusCode);
    expect(answers.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(answers[4]).toBe(429);
    // Now even the right password is refused, by either process.
    for (const app of [a, b]) {
      const r = await login(app, "Right12345");
      expect(r.statusCode).toBe(429);
      expect(Number(r.headers["retry-after"])).toBeGreaterThan(0);
    }
  });

  it("the public pages' ceiling counts the requests of both processes together", async () => {
    t.ctx.config.publicRateLimit = 6;
    try {
      const [{ id }] = await t.ctx.database.query<{ id: number }>(
        "select id from org_units where code = '320613019010'",
      );
      const url = `/api/public/care-teams/${id}/on-duty`;
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await (i % 2 ? b : a).inject({ url })).statusCode);
      expect(statuses.slice(0, 6).every((s) => s === 200)).toBe(true);
      expect(statuses.slice(6)).toEqual([429, 429]);
      // Another address has its own count.
      expect((await b.inject({ url, remoteAddress: "10.1.2.3" })).statusCode).toBe(200);
    } finally {
      t.ctx.config.publicRateLimit = 120;
    }
  });
});
