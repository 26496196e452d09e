import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import {
  type Cluster,
  copyDatabaseTo,
  createCluster,
  type HttpSession,
  hasPgBinaries,
  loginOver,
  type ServerProcess,
  startServer,
} from "../helpers/cluster.ts";
import { TEST_SECRET } from "../helpers/templates.ts";

// Faults survived, with real server processes (`gridkeeper serve`) under intake load, each client retrying
// with its Idempotency-Key as the web app does:
// - kill -9 of one of two processes: every acknowledged order exists exactly once, and a retry of any key
//   gets the original answer;
// - PostgreSQL (a cluster of our own, never the shared one) stopped and started under load: /api/health
//   answers 503 while it is down, the processes reconnect by themselves, nothing acknowledged is lost.
// PostgreSQL only (PGlite is one process: kill -9 takes the database with it). Slow: run when
// TEST_DATABASE_URL is set.

const SERVER_ENV = {
  GRIDKEEPER_SECRET: TEST_SECRET,
  // A dead process's claims are free again after 2 s (production: 15 s).
  IDEMPOTENCY_LEASE_MS: "2000",
  IDEMPOTENCY_WAIT_MS: "1000",
};

type Session = HttpSession;
const login = (base: string, username = "demo-agent") => loginOver(base, username);

interface Outcome {
  key: string;
  description: string;
  /** acked: got a 201; unknown: the write committed but its process died before answering (409). */
  state: "acked" | "unknown" | "failed";
  id?: number;
  attempts: number;
  replayed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Files one order, retrying with the same key on any other process until it has an answer. */
async function fileOrder(
  bases: string[],
  s: Session,
  residentId: number,
  tag: string,
  n: number,
): Promise<Outcome> {
  const key = crypto.randomUUID();
  const description = `${tag} ${n} ${key}`;
  const body = JSON.stringify({
    channel: "hotline_12345",
    categoryCode: "sanitation",
    description,
    residentId,
  });
  const until = Date.now() + 45_000;
  for (let attempt = 1; ; attempt++) {
    const base = bases[(n + attempt) % bases.length];
    try {
      const r = await fetch(`${base}/api/orders`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          cookie: s.cookie,
          "x-csrf-token": s.csrf,
          "idempotency-key": key,
        },
        body,
        signal: AbortSignal.timeout(5000),
      });
      const text = await r.text();
      if (r.status === 201)
        return {
          key,
          description,
          state: "acked",
          id: JSON.parse(text).id,
          attempts: attempt,
          replayed: r.headers.get("idempotent-replayed") === "true",
        };
      if (r.status === 409 && text.includes("idempotency_outcome_unknown"))
        return { key, description, state: "unknown", attempts: attempt, replayed: true };
    } catch {
      // refused (a dead process), reset or timed out: try again with the same key
    }
    if (Date.now() > until) return { key, description, state: "failed", attempts: attempt, replayed: false };
    await sleep(150);
  }
}

/** `count` orders from `workers` clients at once; `during` runs once `trigger` orders have been acknowledged. */
async function load(
  bases: () => string[],
  s: Session,
  residentId: number,
  tag: string,
  count: number,
  workers: number,
  trigger: number,
  during: () => Promise<void>,
): Promise<{ outcomes: Outcome[]; fault: Promise<void> }> {
  const outcomes: Outcome[] = [];
  let next = 0;
  let fault: Promise<void> | undefined;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        const n = next++;
        outcomes.push(await fileOrder(bases(), s, residentId, tag, n));
        if (!fault && outcomes.filter((o) => o.state === "acked").length >= trigger) fault = during();
      }
    }),
  );
  return { outcomes, fault: fault ?? Promise.resolve() };
}

type Query = (text: string, params?: unknown[]) => Promise<any[]>;

/** Every order exactly once; acknowledged ones with the id their client was given. */
async function checkExactlyOnce(query: Query, tag: string, outcomes: Outcome[]) {
  const rows = await query(
    "select description, count(*)::int as n, min(id) as id from work_orders where description like $1 group by description",
    [`${tag} %`],
  );
  const byDescription = new Map(rows.map((r: any) => [r.description, r]));
  expect(outcomes.filter((o) => o.state === "failed")).toEqual([]);
  expect(rows.filter((r: any) => r.n !== 1)).toEqual([]);
  for (const o of outcomes) {
    const row: any = byDescription.get(o.description);
    expect(row, o.description).toBeDefined();
    if (o.state === "acked") expect(row.id).toBe(o.id);
  }
  expect(rows.length).toBe(outcomes.length);
}

async function replayAll(base: string, s: Session, residentId: number, outcomes: Outcome[]) {
  for (const o of outcomes.filter((x) => x.state === "acked")) {
    const r = await fetch(`${base}/api/orders`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        cookie: s.cookie,
        "x-csrf-token": s.csrf,
        "idempotency-key": o.key,
      },
      body: JSON.stringify({
        channel: "hotline_12345",
        categoryCode: "sanitation",
        description: o.description,
        residentId,
      }),
    });
    expect(r.status).toBe(201);
    expect(r.headers.get("idempotent-replayed")).toBe("true");
    expect((await r.json()).id).toBe(o.id);
  }
}

const summary = (outcomes: Outcome[]) => ({
  orders: outcomes.length,
  acked: outcomes.filter((o) => o.state === "acked").length,
  unknown: outcomes.filter((o) => o.state === "unknown").length,
  retried: outcomes.filter((o) => o.attempts > 1).length,
  replayedToRetry: outcomes.filter((o) => o.replayed).length,
});

describe.runIf(process.env.TEST_DATABASE_URL && hasPgBinaries())(
  "faults survived (server processes on PostgreSQL)",
  () => {
    let t: TestApp;
    let residentId: number;
    const servers: ServerProcess[] = [];
    let cluster: Cluster | undefined;

    beforeAll(async () => {
      t = await createTestApp("postgres");
      [{ id: residentId }] = await t.ctx.database.query<{ id: number }>(
        "select id from residents where org_path like '%/320613019010-G01/%' order by id limit 1",
      );
    });
    afterAll(async () => {
      for (const s of servers) await s.kill("SIGKILL").catch(() => {});
      cluster?.destroy();
      await t?.close();
    });

    it("kill -9 of one of two processes under intake load: every acknowledged order exactly once, retries get the original", async () => {
      const url = (t.ctx.database as any).url as string;
      const [a, b] = await Promise.all([
        startServer({ ...SERVER_ENV, DATABASE_URL: url }),
        startServer({ ...SERVER_ENV, DATABASE_URL: url }),
      ]);
      servers.push(a, b);
      const s = await login(a.base);
      let killedAt = 0;
      const { outcomes, fault } = await load(
        () => [a.base, b.base],
        s,
        residentId,
        "kill9",
        240,
        12,
        60,
        async () => {
          killedAt = Date.now();
          await b.kill("SIGKILL");
        },
      );
      await fault;
      expect(killedAt).toBeGreaterThan(0);
      console.info("kill -9:", JSON.stringify(summary(outcomes)));
      await checkExactlyOnce((q, p) => t.ctx.database.query(q, p), "kill9", outcomes);
      await replayAll(a.base, s, residentId, outcomes);
    }, 120_000);

    it("PostgreSQL stopped and started under load: 503 while down, reconnects by itself, nothing acknowledged lost", async () => {
      cluster = await createCluster();
      const url = copyDatabaseTo((t.ctx.database as any).url, cluster.url(), "gk_fault");
      const [a, b] = await Promise.all([
        startServer({ ...SERVER_ENV, DATABASE_URL: url }),
        startServer({ ...SERVER_ENV, DATABASE_URL: url }),
      ]);
      servers.push(a, b);
      const s = await login(a.base);
      const seen = { down503: 0, upAgainMs: 0 };
      const { outcomes, fault } = await load(
        () => [a.base, b.base],
        s,
        residentId,
        "pgrestart",
        200,
        10,
        40,
        async () => {
          cluster!.stop("fast");
          const stopped = Date.now();
          // While it is down, both processes say so.
          for (const p of [a, b]) {
            const h = await fetch(`${p.base}/api/health`, { signal: AbortSignal.timeout(5000) });
            if (h.status === 503) seen.down503++;
            expect((await fetch(`${p.base}/api/health/live`)).status).toBe(200);
          }
          await sleep(2000);
          cluster!.start();
          // Both come back without a restart of their own.
          for (const p of [a, b]) {
            for (;;) {
              const h = await fetch(`${p.base}/api/health`).catch(() => null);
              if (h?.status === 200) break;
              await sleep(100);
            }
          }
          seen.upAgainMs = Date.now() - stopped;
        },
      );
      await fault;
      console.info("postgres restart:", JSON.stringify({ ...summary(outcomes), ...seen }));
      expect(seen.down503).toBe(2);
      const pg = await import("pg");
      const c = new pg.default.Client({ connectionString: url });
      await c.connect();
      try {
        await checkExactlyOnce(async (q, p) => (await c.query(q, p as any[])).rows, "pgrestart", outcomes);
      } finally {
        await c.end();
      }
      await replayAll(b.base, s, residentId, outcomes);
      expect(a.child.exitCode).toBeNull();
      expect(b.child.exitCode).toBeNull();
    }, 120_000);
  },
);
