import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { Database } from "../../src/db/client.ts";
import { openDatabase } from "../../src/db/open.ts";
import { createTestApp, DB_KINDS, pgliteFolder, type TestApp } from "../helpers/app.ts";
import {
  type Cluster,
  copyDatabaseTo,
  hasPgBinaries,
  loginOver,
  type ServerProcess,
  startServer,
} from "../helpers/cluster.ts";
import { clusterOn, mountSmallDisk, type SmallDisk, smallDiskUnavailable } from "../helpers/smallDisk.ts";
import { TEST_SECRET } from "../helpers/templates.ts";

// A real full disk, not a simulated error code: the database's whole folder (PostgreSQL: a throw-away
// cluster's data directory, WAL included; PGlite: the server's data folder) on a small tmpfs, filled to
// the last byte by a filler file while `gridkeeper serve` runs on it. Both databases then refuse to extend
// a table with SQLSTATE 53100 ("could not extend file …: No space left on device") and stay up: PGlite
// writes through Node's fs and gets ENOSPC back as the same error. The server answers saves 503 with
// Retry-After and a message naming the full disk, still answers reads, reports the trouble on
// /api/health, and leaves nothing half-written; once space is freed the same retry with the same key saves
// the order exactly once, and the process never exited. On PGlite the folder is then opened afresh.

const noDisk = smallDiskUnavailable();
const noCluster = hasPgBinaries() ? undefined : "no PostgreSQL server binaries (initdb) on this machine";
const TAG = "磁盘满测试";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DB_KINDS)("the database's disk fills up under a running server on %s", (kind) => {
  const why = noDisk ?? (kind === "postgres" ? noCluster : undefined);
  let disk: SmallDisk | undefined;
  let source: TestApp | undefined;
  let cluster: Cluster | undefined;
  let url = "";
  let folder = "";
  let server: ServerProcess | undefined;

  /** The database itself: on PGlite only while no server holds the folder. */
  async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
    const db = await openDatabase(
      kind === "postgres"
        ? { ...loadConfig({}), databaseUrl: url, secret: TEST_SECRET }
        : { ...loadConfig({}), dataDir: folder, secret: TEST_SECRET },
      { migrate: false },
    );
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }

  /** What must hold whatever happened: every order of this test with its event, no key claimed half-way. */
  const state = (db: Database) =>
    db
      .query<Record<string, number>>(
        `select
           (select count(*)::int from work_orders where description like $1) as orders,
           (select count(distinct description)::int from work_orders where description like $1) as distinct_orders,
           (select count(*)::int from work_orders o where description like $1
              and not exists (select 1 from work_order_events e where e.order_id = o.id)) as without_event,
           (select count(*)::int from idempotency_keys where key like 'diskfull-%') as keys,
           (select count(*)::int from idempotency_keys where key like 'diskfull-%'
              and state = 'pending' and not committed) as half_claimed`,
        [`${TAG} %`],
      )
      .then((r) => r[0]);

  beforeAll(async () => {
    if (why) return;
    disk = mountSmallDisk("gk-diskfull-");
    if (kind === "postgres") {
      source = await createTestApp("postgres");
      cluster = await clusterOn(disk);
      url = copyDatabaseTo((source.ctx.database as any).url, cluster.url(), "gk_diskfull");
    } else {
      folder = path.join(disk.dir, "data");
      await pgliteFolder(path.join(folder, "pglite"), "demo");
    }
  }, 180_000);

  afterAll(async () => {
    // Whatever failed: the server stopped, the cluster stopped, the disk unmounted.
    await server?.kill("SIGKILL").catch(() => {});
    try {
      cluster?.destroy();
    } finally {
      try {
        disk?.unmount();
      } finally {
        await source?.close();
      }
    }
  }, 60_000);

  it.skipIf(why)(
    `saves answer 503 naming the full disk, reads still answer, nothing half-written; freed, the same key saves once${why ? ` — skipped: ${why}` : ""}`,
    async () => {
      const t0 = Date.now();
      const laps: string[] = [];
      const lap = (what: string) => laps.push(`${what} ${Date.now() - t0} ms`);
      const [{ id: residentId }] = await withDb((db) =>
        db.query<{ id: number }>(
          "select id from residents where org_path like '%/320613019010-G01/%' order by id limit 1",
        ),
      );
      server =
        kind === "postgres"
          ? await startServer({ GRIDKEEPER_SECRET: TEST_SECRET, DATABASE_URL: url }, { readyMs: 120_000 })
          : await startServer({ GRIDKEEPER_SECRET: TEST_SECRET }, { dataDir: folder, readyMs: 120_000 });
      const srv = server;
      lap("server up");
      const s = await loginOver(srv.base, "demo-agent");
      const file = (key: string) =>
        fetch(`${srv.base}/api/orders`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            cookie: s.cookie,
            "x-csrf-token": s.csrf,
            "idempotency-key": key,
          },
          body: JSON.stringify({
            channel: "hotline_12345",
            categoryCode: "sanitation",
            description: `${TAG} ${key}`,
            residentId,
          }),
        });
      const saved: string[] = [];
      const first = await file("diskfull-0");
      expect(first.status, await first.clone().text()).toBe(201);
      saved.push("diskfull-0");

      if (kind === "postgres") {
        // A fresh WAL segment (16 MB, already written out) and a checkpoint: the few statements below stay
        // in it, so what fills is the tables, as when a volume fills between two segments. A segment that
        // cannot be created makes PostgreSQL PANIC and restart, which faults.test.ts covers as a restart.
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query("select pg_switch_wal()");
        await admin.query("checkpoint");
        await admin.end();
      }
      const fillerBytes = disk!.fill();
      lap("disk full");
      expect(disk!.available()).toBe(0);

      // Saves until one needs a new page: the first few may still fit the free room of existing pages. Some
      // of those commit but cannot store their answer (the key's row grows): the server waits for the disk
      // 10 s, then answers 201 all the same, the key marked committed. Six at a time, so the waits overlap.
      const slow: string[] = [];
      const timed = async (key: string) => {
        const started = Date.now();
        return { key, res: await file(key), ms: Date.now() - started };
      };
      const fitted = (b: { key: string; ms: number }) => {
        saved.push(b.key);
        if (b.ms >= 10_000) slow.push(b.key);
      };
      let next = 1;
      const untilRefused = async () => {
        let refused: { key: string; res: Response } | undefined;
        for (const end = next + 300; next < end && !refused; next += 6) {
          const batch = await Promise.all(Array.from({ length: 6 }, (_, j) => timed(`diskfull-${next + j}`)));
          for (const b of batch) {
            if (b.res.status === 201) fitted(b);
            else if (b.res.status === 503) refused ??= b;
            else throw new Error(`save ${b.key}: ${b.res.status} ${await b.res.text()}`);
          }
        }
        expect(refused, "the full disk never refused a save").toBeDefined();
        return refused!;
      };
      const refused = await untilRefused();
      lap("refused");
      const { res } = refused;
      let { key } = refused;
      expect(res.headers.get("retry-after")).toBe("5");
      const body = await res.json();
      expect(body.error.code).toBe("database_unavailable");
      expect(body.error.message).toContain("磁盘空间已满");
      // The database's own words, in the server's log: a real full disk, not some other failure.
      expect(srv.log()).toMatch(/No space left on device/);
      console.info(
        `disk full on ${kind}: filler ${Math.round(fillerBytes / 1024)} kB, ${saved.length - 1} saves fitted (${slow.length} waited for the disk to store their answer)`,
      );

      // Tried again while still full: refused again, the same way. A refused save can leave behind pages it
      // added before the disk said no (empty, and kept: PostgreSQL does not give them back), and its retry may
      // fit in them (seen once in CI): then it is saved like any save that fits, and the next refusal is tried.
      let again = await timed(key);
      for (let tries = 0; again.res.status === 201 && tries < 5; tries++) {
        fitted(again);
        key = (await untilRefused()).key;
        again = await timed(key);
      }
      expect(again.res.status).toBe(503);
      expect((await again.res.json()).error.message).toContain("磁盘空间已满");
      // Reads still answer; health says what is wrong; the process is alive.
      const list = await fetch(`${srv.base}/api/orders?pageSize=5`, { headers: { cookie: s.cookie } });
      expect(list.status).toBe(200);
      const health = await fetch(`${srv.base}/api/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: "degraded", db: kind, problem: "disk_full" });
      expect((await fetch(`${srv.base}/api/health/live`)).status).toBe(200);
      if (kind === "postgres")
        // Seen from outside while full: the refused order absent, its key free, every saved order whole.
        expect(await withDb(state)).toEqual({
          orders: saved.length,
          distinct_orders: saved.length,
          without_event: 0,
          keys: saved.length,
          half_claimed: 0,
        });

      disk!.free();
      lap("freed");
      const ok = await (async () => {
        const end = Date.now() + 30_000;
        for (;;) {
          const r = await file(key);
          if (r.status === 201 || Date.now() > end) return r;
          await sleep(500);
        }
      })();
      expect(ok.status, await ok.clone().text()).toBe(201);
      const { id } = await ok.json();
      const replay = await file(key);
      expect(replay.status).toBe(201);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect((await replay.json()).id).toBe(id);
      expect((await fetch(`${srv.base}/api/health`)).status).toBe(200);
      // The saves that fitted, retried: their answer again, or — stored answer lost to the full disk — "done,
      // look it up" (409), never a second order.
      // Only a save that waited out the 10 s for its answer can have lost it.
      const lost: string[] = [];
      for (const k of saved) {
        const r = await file(k);
        if (r.status === 409) {
          expect((await r.json()).error.code).toBe("idempotency_outcome_unknown");
          lost.push(k);
        } else {
          expect(r.status, k).toBe(201);
          expect(r.headers.get("idempotent-replayed")).toBe("true");
        }
      }
      expect(slow).toEqual(expect.arrayContaining(lost));
      expect(srv.child.exitCode).toBeNull();
      expect(srv.child.signalCode).toBeNull();

      lap("saved once");
      // PGlite: the server stopped and the folder opened afresh, as a restart would.
      if (kind === "pglite") await srv.kill("SIGTERM");
      const after = await withDb(async (db) => ({
        ...(await state(db)),
        refused: (
          await db.query<{ n: number }>("select count(*)::int as n from work_orders where description = $1", [
            `${TAG} ${key}`,
          ])
        )[0].n,
      }));
      expect(after).toEqual({
        orders: saved.length + 1,
        distinct_orders: saved.length + 1,
        without_event: 0,
        keys: saved.length + 1,
        half_claimed: 0,
        refused: 1,
      });
      lap("checked");
      console.info(`disk full on ${kind}: ${laps.join(", ")}; ${lost.length} answers lost, retried as 409`);
    },
    120_000,
  );
});
