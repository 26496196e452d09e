import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { type Database, openPostgres } from "../../src/db/client.ts";
import { withReplica } from "../../src/db/replica.ts";
import { DEMO_PASSWORD } from "../../src/seed/demo.ts";
import { buildApp } from "../../src/server/app.ts";
import type { AppContext } from "../../src/server/context.ts";
import { FieldCrypto } from "../../src/server/platform/crypto.ts";
import { READ_YOUR_WRITES_COOKIE } from "../../src/server/platform/replica.ts";
import { VERSION } from "../../src/version.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { type Cluster, copyDatabaseTo, createCluster, hasPgBinaries } from "../helpers/cluster.ts";
import { TEST_SECRET } from "../helpers/templates.ts";

// A primary and a streaming replica made with pg_basebackup, two clusters of our own: dashboards read from
// the replica; a user's queue, and everything right after their write, from the primary; a replica that
// lags or is down is passed over.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(process.env.TEST_DATABASE_URL && hasPgBinaries())("read replica", () => {
  let source: TestApp;
  let primary: Cluster;
  let standby: Cluster;
  let database: Database;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let primaryUrl: string;

  beforeAll(async () => {
    const t0 = Date.now();
    const step = (m: string) =>
      process.env.GK_REPLICA_LOG && console.info(`[replica] ${m} ${Date.now() - t0} ms`);
    source = await createTestApp("postgres");
    step("source");
    primary = await createCluster();
    primaryUrl = copyDatabaseTo((source.ctx.database as any).url, primary.url(), "gk_replica");
    await source.close();
    step("primary");
    standby = await createCluster([], primary);
    step("standby");
    const replicaUrl = standby.url("gk_replica");
    database = withReplica(await openPostgres(primaryUrl, 4), replicaUrl, { maxLagMs: 800, checkMs: 100 });
    const ctx: AppContext = {
      config: { ...loadConfig({}), logLevel: "silent" },
      database,
      crypto: new FieldCrypto(TEST_SECRET),
      version: VERSION,
    };
    app = await buildApp(ctx, { logger: false, serveWeb: false });
    step("app");
    for (let i = 0; i < 100 && !database.replicaStatus!().healthy; i++) await sleep(100);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.close();
    standby?.destroy();
    primary?.destroy();
  });

  const login = async (username: string) => {
    const r = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username, password: DEMO_PASSWORD },
    });
    expect(r.statusCode).toBe(200);
    return { cookie: String(r.headers["set-cookie"]).split(";")[0], "x-csrf-token": r.json().csrfToken };
  };
  const served = () => database.replicaStatus!().queries;

  it("sends the dashboard to the replica and the worker's own queue to the primary", async () => {
    expect(database.replicaStatus!()).toMatchObject({ up: true, healthy: true });
    const commander = await login("demo-community");
    const grid = await login("demo-grid");
    // The logins just wrote sessions: while the replica replays them it counts as behind (its lag is the age of
    // the last transaction it replayed), and reads go to the primary. Wait until it has caught up.
    for (let i = 0; i < 50 && !database.replicaStatus!().healthy; i++) await sleep(100);
    const before = served();
    const d = await app.inject({ url: "/api/command/dashboard", headers: { cookie: commander.cookie } });
    expect(d.statusCode, d.body).toBe(200);
    expect(served()).toBeGreaterThan(before);
    const mid = served();
    const q = await app.inject({ url: "/api/orders/queue", headers: { cookie: grid.cookie } });
    expect(q.statusCode).toBe(200);
    expect(served()).toBe(mid);
  });

  it("keeps a caller on the primary right after their own write", async () => {
    const agent = await login("demo-agent");
    const [{ id: residentId }] = await database.query<{ id: number }>(
      "select id from residents where org_path like '%/320613019010-G01/%' order by id limit 1",
    );
    const w = await app.inject({
      method: "POST",
      url: "/api/orders",
      headers: agent,
      payload: { channel: "hotline_12345", categoryCode: "sanitation", description: "读己所写", residentId },
    });
    expect(w.statusCode).toBe(201);
    const sticky = [w.headers["set-cookie"]]
      .flat()
      .find((c) => String(c).startsWith(READ_YOUR_WRITES_COOKIE));
    expect(sticky).toBeDefined();
    const before = served();
    const commander = await login("demo-commander");
    const d = await app.inject({
      url: "/api/command/dashboard",
      headers: { cookie: `${commander.cookie}; ${String(sticky).split(";")[0]}` },
    });
    expect(d.statusCode).toBe(200);
    expect(served()).toBe(before);
  });

  it("passes over a replica that lags beyond the threshold, and one that is down", async () => {
    const commander = await login("demo-commander");
    const pg = await import("pg");
    const r = new pg.default.Client({ connectionString: standby.url("gk_replica") });
    await r.connect();
    await r.query("select pg_wal_replay_pause()");
    try {
      // Writes keep arriving at the primary; the paused replica falls behind.
      for (let i = 0; i < 20 && database.replicaStatus!().healthy; i++) {
        await database.query("insert into failure_counts (key, failures, expires_at) values ($1, 1, now())", [
          `lag-probe-${i}`,
        ]);
        await sleep(150);
      }
      expect(database.replicaStatus!().healthy).toBe(false);
      expect(database.replicaStatus!().lagMs).toBeGreaterThan(800);
      const before = served();
      const d = await app.inject({ url: "/api/command/dashboard", headers: { cookie: commander.cookie } });
      expect(d.statusCode).toBe(200);
      expect(served()).toBe(before);
    } finally {
      await r.query("select pg_wal_replay_resume()");
      await r.end();
    }
    for (let i = 0; i < 50 && !database.replicaStatus!().healthy; i++) await sleep(100);
    expect(database.replicaStatus!().healthy).toBe(true);

    standby.stop("immediate");
    const d = await app.inject({ url: "/api/command/dashboard", headers: { cookie: commander.cookie } });
    expect(d.statusCode).toBe(200);
    for (let i = 0; i < 30 && database.replicaStatus!().up; i++) await sleep(100);
    expect(database.replicaStatus!().up).toBe(false);
    const again = await app.inject({ url: "/api/command/dashboard", headers: { cookie: commander.cookie } });
    expect(again.statusCode).toBe(200);
  });
});
