import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onSlowQuery, type SlowQuery, setSlowQueryMs } from "../../src/db/writeContext.ts";
import { addAccount } from "../../src/server/modules/accounts/index.ts";
import { timed } from "../../src/server/platform/metrics.ts";
import { createTestApp, DB_KINDS, type TestApp } from "../helpers/app.ts";

// Liveness, readiness, /api/health when the database is away, /metrics scraped, and the slow-query log.

describe.each(DB_KINDS)("health and metrics on %s", (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind);
    await addAccount(t.ctx.database, {
      username: "metrics-admin",
      displayName: "系统管理员",
      role: "sysadmin",
      org: "320613",
      password: "Admin1234",
    });
  });
  afterAll(() => t?.close());

  it("live answers without the database; ready checks the database and the migrations", async () => {
    const live = await t.app.inject({ url: "/api/health/live" });
    expect(live.statusCode).toBe(200);
    const ready = await t.app.inject({ url: "/api/health/ready" });
    expect(ready.statusCode, ready.body).toBe(200);
    const r = ready.json();
    expect(r.db).toBe("up");
    expect(r.migrations.applied).toBe(r.migrations.expected);
    expect(r.migrations.expected).toBeGreaterThan(20);
  });

  it("/api/health and readiness answer 503 while the database does not; liveness stays 200", async () => {
    const query = t.ctx.database.query;
    t.ctx.database.query = async () => {
      throw new Error("connection refused");
    };
    try {
      const h = await t.app.inject({ url: "/api/health" });
      expect(h.statusCode).toBe(503);
      expect(h.json().status).toBe("unavailable");
      expect((await t.app.inject({ url: "/api/health/ready" })).statusCode).toBe(503);
      expect((await t.app.inject({ url: "/api/health/live" })).statusCode).toBe(200);
    } finally {
      t.ctx.database.query = query;
    }
    expect((await t.app.inject({ url: "/api/health" })).statusCode).toBe(200);
  });

  it("a request the database cannot serve (down, disk full, read-only) answers 503 with Retry-After, not 500", async () => {
    const agent = await t.login("demo-agent");
    const query = t.ctx.database.query;
    for (const failure of [
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("could not extend file: No space left on device"), { code: "53100" }),
      Object.assign(new Error("cannot execute INSERT in a read-only transaction"), { code: "25006" }),
      Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
    ]) {
      t.ctx.database.query = async () => {
        throw failure;
      };
      try {
        const r = await t.app.inject({ url: "/api/orders?pageSize=5", headers: agent });
        expect(r.statusCode, failure.message).toBe(503);
        expect(r.json().error.code).toBe("database_unavailable");
        expect(r.headers["retry-after"]).toBe("5");
      } finally {
        t.ctx.database.query = query;
      }
    }
    // A plain bug stays a 500.
    t.ctx.database.query = async () => {
      throw Object.assign(new Error("column x does not exist"), { code: "42703" });
    };
    try {
      expect((await t.app.inject({ url: "/api/orders?pageSize=5", headers: agent })).statusCode).toBe(500);
    } finally {
      t.ctx.database.query = query;
    }
  });

  it("/metrics needs the token or a sysadmin; a scrape has latency by route pattern, pool, outbox, jobs", async () => {
    expect((await t.app.inject({ url: "/metrics" })).statusCode).toBe(401);
    const grid = await t.login("demo-grid");
    expect((await t.app.inject({ url: "/metrics", headers: { cookie: grid.cookie } })).statusCode).toBe(401);
    t.ctx.config.metricsToken = "scrape-token-123";
    expect(
      (await t.app.inject({ url: "/metrics", headers: { authorization: "Bearer wrong" } })).statusCode,
    ).toBe(401);
    // Some traffic to measure, and a background job's turn.
    const [{ id }] = await t.ctx.database.query<{ id: number }>(
      "select id from residents where org_path like '%/320613019010-G01/%' order by id limit 1",
    );
    expect((await t.app.inject({ url: `/api/residents/${id}`, headers: grid })).statusCode).toBe(200);
    await t.app.inject({ url: "/api/nowhere", headers: grid });
    await timed("sla sweep", async () => {});
    const r = await t.app.inject({ url: "/metrics", headers: { authorization: "Bearer scrape-token-123" } });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toContain("text/plain");
    const text = r.body;
    expect(text).toMatch(
      /gridkeeper_http_request_duration_seconds_bucket\{[^}]*method="GET",route="\/api\/residents\/:id",status="200"/,
    );
    // Unknown URLs share one series, never one per URL.
    expect(text).toContain('route="unmatched"');
    expect(text).not.toContain("/api/nowhere");
    expect(text).toMatch(/gridkeeper_db_pool_connections\{state="total"\} \d+/);
    expect(text).toMatch(/gridkeeper_outbox_backlog \d+/);
    expect(text).toContain("# HELP gridkeeper_import_progress_ratio");
    expect(text).toMatch(
      /gridkeeper_background_job_duration_seconds_count\{job="sla sweep",outcome="ok"\} \d+/,
    );
    expect(text).toContain("gridkeeper_db_up 1");
    expect(text).toContain("gridkeeper_process_resident_memory_bytes");
    // A sysadmin may look by hand.
    const admin = await t.login("metrics-admin", "Admin1234");
    t.ctx.config.metricsToken = undefined;
    expect((await t.app.inject({ url: "/metrics", headers: { cookie: admin.cookie } })).statusCode).toBe(200);
  });

  it("a slow statement is logged with the route that issued it", async () => {
    const seen: SlowQuery[] = [];
    const stop = onSlowQuery((q) => seen.push(q));
    const before = setSlowQueryMs(0);
    try {
      const agent = await t.login("demo-agent");
      await t.app.inject({ url: "/api/orders?pageSize=5", headers: agent });
    } finally {
      setSlowQueryMs(before);
      stop();
    }
    const fromList = seen.filter((q) => q.route === "/api/orders");
    expect(fromList.length).toBeGreaterThan(0);
    expect(fromList[0].statement).toMatch(/select/i);
    t.ctx.config.metricsToken = "tok";
    const text = (await t.app.inject({ url: "/metrics", headers: { authorization: "Bearer tok" } })).body;
    expect(text).toMatch(/gridkeeper_slow_queries_total\{route="\/api\/orders"\} \d+/);
  });
});
