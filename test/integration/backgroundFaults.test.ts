import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { Database } from "../../src/db/client.ts";
import { openDatabase } from "../../src/db/open.ts";
import { composeIdCard } from "../../src/domain/idcard/idcard.ts";
import { FieldCrypto } from "../../src/server/platform/crypto.ts";
import { createTestApp, DB_KINDS, pgliteFolder, type TestApp } from "../helpers/app.ts";
import { freePort, loginOver, type ServerProcess, sessionHeaders, startServer } from "../helpers/cluster.ts";
import { TEST_SECRET } from "../helpers/templates.ts";

// Background work killed with SIGKILL in the middle, then rerun by a fresh `gridkeeper serve` on the same
// database: a list import (the verification run), an outbox drain to an SMS gateway (a local HTTP receiver)
// and an SLA sweep. The rerun finishes with nothing duplicated or skipped:
// - import: every row of the file exactly once, the counters counted once, the tasks routed once;
// - outbox: at-least-once, as the outbox promises (a batch is one transaction, and a batch cut short by the
//   kill is sent again): every message reaches the gateway, the repeats all carry the ref of a message
//   already received (the gateway deduplicates by it) and are at most one batch (50);
// - sweep: every due order marked overdue once, with one event and one message.
// On PostgreSQL the kill waits for progress read from the database; on PGlite (one process, its data folder
// locked while the server runs) it waits for progress seen over HTTP, and for the sweep it is timed.

const METRICS_TOKEN = "fault-metrics";
const BASE_ENV = {
  GRIDKEEPER_SECRET: TEST_SECRET,
  METRICS_TOKEN,
  // A killed process's import run is taken over after 3 s (production: a minute).
  IMPORT_STALE_MS: "3000",
  // The outbox drained every second and the SLA swept every two (production: 10 and 15 s): the same kills, sooner.
  OUTBOX_INTERVAL_MS: "1000",
  SLA_SWEEP_INTERVAL_MS: "2000",
};

// PGlite's start (the WASM, the folder's recovery after a kill) took 30-50 s at load 18 on this machine.
const readyMs = 180_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(30);
  }
}

// The session as headers: it is spread into fetch's.
const login = async (base: string, username: string) => sessionHeaders(await loginOver(base, username));

/** How many times the server's own SLA sweep has finished (its metric). */
async function sweepsDone(base: string): Promise<number> {
  const text = await (
    await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  const m = /gridkeeper_background_job_duration_seconds_count\{job="sla sweep",outcome="ok"\} (\d+)/.exec(
    text,
  );
  return m ? Number(m[1]) : 0;
}

describe.each(DB_KINDS)("background work killed with SIGKILL and rerun on %s", (kind) => {
  let t: TestApp | undefined;
  let folder = "";
  const servers: ServerProcess[] = [];
  const crypto = new FieldCrypto(TEST_SECRET);

  /** A server process on this test's database (on PGlite its data folder). */
  async function serve(env: Record<string, string> = {}) {
    const s =
      kind === "postgres"
        ? await startServer({ ...BASE_ENV, ...env, DATABASE_URL: (t!.ctx.database as any).url }, { readyMs })
        : await startServer({ ...BASE_ENV, ...env }, { dataDir: folder, readyMs });
    servers.push(s);
    return s;
  }

  /** The database itself: on PGlite only while no server holds the folder. */
  async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
    if (kind === "postgres") return fn(t!.ctx.database);
    const db = await openDatabase(
      { ...loadConfig({}), dataDir: folder, secret: TEST_SECRET },
      { migrate: false },
    );
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }
  /** On PostgreSQL a reading during the run; on PGlite nothing (the folder is the server's). */
  const peek = <T>(fn: (db: Database) => Promise<T>) =>
    kind === "postgres" ? fn(t!.ctx.database) : Promise.resolve(undefined);

  beforeAll(async () => {
    if (kind === "postgres") t = await createTestApp("postgres");
    else {
      folder = fs.mkdtempSync(path.join(os.tmpdir(), "gk-bgfault-"));
      await pgliteFolder(path.join(folder, "pglite"), "demo");
    }
  }, 120_000);
  // A test that failed half-way leaves no server on the folder for the next one.
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.kill("SIGKILL").catch(() => {});
  });
  afterAll(async () => {
    await t?.close();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it("a list import killed mid-way resumes from its checkpoint: every row once, counted once, routed once", async () => {
    // 50 real residents of the demo community (found), then people not in the registry, each listed several
    // times (duplicates of the first): 16,050 data rows on PostgreSQL, 6,050 on PGlite (slower, one process).
    const real = await withDb((db) =>
      db.query<{ name: string; id_cipher: string; address: string }>(
        "select name, id_cipher, address from residents where org_path like '%/320613019010/%' order by id limit 50",
      ),
    );
    const lines = ["姓名,身份证号,联系电话,现住址"];
    for (const r of real)
      lines.push(`${r.name},${crypto.decrypt(r.id_cipher)},,${r.address.replaceAll(",", " ")}`);
    const strangers = kind === "postgres" ? 4000 : 2000;
    const n = real.length + (kind === "postgres" ? 16_000 : 6000);
    for (let i = 0; lines.length <= n; i++) {
      const k = i % strangers;
      lines.push(
        `路人${k},${composeIdCard("320613", `${1950 + (k % 40)}-01-01`, Math.floor(k / 40))},,某地${k}`,
      );
    }
    const a = await serve();
    const s = await login(a.base, "demo-street");
    const up = await fetch(`${a.base}/api/verification/lists?filename=fault.csv`, {
      method: "POST",
      headers: { ...s, "content-type": "text/csv" },
      body: lines.join("\n"),
    });
    expect(up.status).toBe(201);
    const { id, mapping } = await up.json();
    const start = await fetch(`${a.base}/api/verification/lists/${id}/start`, {
      method: "POST",
      headers: { ...s, "content-type": "application/json" },
      body: JSON.stringify({ headerRow: 1, mapping }),
    });
    expect(start.status).toBe(202);
    const list = async (base: string) =>
      (await (await fetch(`${base}/api/verification/lists/${id}`, { headers: s })).json()) as {
        state: string;
        checkpoint: number;
        counters: Record<string, number>;
        error?: string;
      };
    const mid = await until("some chunks written", 60_000, async () => {
      const l = await list(a.base);
      return l.checkpoint > 0 && l;
    });
    await a.kill("SIGKILL");
    expect(mid.state).toBe("running");
    const atKill = await peek((db) =>
      db.query<{ checkpoint: number; rows: number }>(
        `select checkpoint, (select count(*)::int from verification_rows where list_id = $1) as rows
         from verification_lists where id = $1`,
        [id],
      ),
    );
    if (atKill) {
      // Whole chunks only: every row up to the checkpoint, none after it.
      expect(atKill[0].checkpoint).toBeLessThan(n + 1);
      expect(atKill[0].rows).toBe(atKill[0].checkpoint - 1);
    }

    const b = await serve();
    const done = await until("the rerun to finish", 120_000, async () => {
      const l = await list(b.base);
      return ["succeeded", "failed", "cancelled"].includes(l.state) && l;
    });
    expect(done.state, done.error).toBe("succeeded");
    await b.kill("SIGTERM");
    console.info(`import on ${kind}: killed at row ${mid.checkpoint} of ${n + 1}, resumed`);

    const [rows] = await withDb((db) =>
      db.query<Record<string, number>>(
        `select count(*)::int as rows, count(distinct n)::int as distinct_rows, min(n) as first, max(n) as last,
           count(*) filter (where class = 'duplicate')::int as duplicates,
           count(*) filter (where class = 'found')::int as found,
           count(*) filter (where grid_path is not null)::int as routed,
           (select attempts from verification_lists where id = $1) as attempts,
           (select count(*)::int from audit_events where entity = 'verification_list'
              and action = 'import_done' and entity_id::text = $1::text) as done_audits
         from verification_rows where list_id = $1`,
        [id],
      ),
    );
    expect(rows).toEqual({
      rows: n,
      distinct_rows: n,
      first: 2,
      last: n + 1,
      duplicates: n - real.length - strangers,
      found: real.length,
      routed: real.length,
      attempts: 2,
      done_audits: 1,
    });
    // The counters, added chunk by chunk across both processes, count each row once.
    expect(done.counters).toMatchObject({
      rows: n + 1,
      read: n + 1,
      cleaned: n,
      duplicate: n - real.length - strangers,
      found: real.length,
      not_found: strangers,
    });
  }, 300_000);

  it("an outbox drain to the SMS gateway killed mid-way: every message delivered, repeats only of one batch, by ref", async () => {
    // The gateway: takes each POST a few ms late and keeps what came, by ref.
    const got: { ref: string; phone: string; text: string }[] = [];
    const gateway = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        setTimeout(() => {
          got.push(JSON.parse(body));
          res.end("{}");
        }, 4);
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => gateway.listen(port, "127.0.0.1", r));
    try {
      const count = 1500;
      const phones = Array.from({ length: count }, (_, i) => `139${String(10_000_000 + i).padStart(8, "0")}`);
      const ids = await withDb(async (db) => {
        // Earlier messages of the demo are not this test's: out of the way.
        await db.query("update notifications set state = 'sent', sent_at = now() where state = 'pending'");
        return (
          await db.query<{ id: number }>(
            `insert into notifications (kind, title, body, recipient_phone_cipher, org_path)
             select 'fault_receipt', '回执', '您的诉求已受理 ' || i, c, '/320613/'
             from unnest($1::text[]) with ordinality as x(c, i) returning id`,
            [phones.map((p) => crypto.encrypt(p))],
          )
        ).map((r) => r.id);
      });
      const ours = () => got.filter((g) => g.ref.startsWith("fault_receipt:"));
      const a = await serve({ SMS_GATEWAY_URL: `http://127.0.0.1:${port}/sms` });
      // The drain's first tick is a second after start; 333 is inside a batch of 50, not at its end.
      await until("some messages at the gateway", 60_000, async () => ours().length >= 333);
      await a.kill("SIGKILL");
      const atKill = ours().length;
      const markedAtKill = await peek(
        async (db) =>
          (
            await db.query<{ n: number }>(
              "select count(*)::int as n from notifications where kind = 'fault_receipt' and state = 'sent'",
            )
          )[0].n,
      );
      expect(atKill).toBeLessThan(count);

      const b = await serve({ SMS_GATEWAY_URL: `http://127.0.0.1:${port}/sms` });
      await until(
        "every message at the gateway",
        90_000,
        async () => new Set(ours().map((g) => g.ref)).size >= count,
      );
      // Two more ticks: nothing more is sent once every message is marked.
      await sleep(2500);
      await b.kill("SIGTERM");
      const received = ours();
      const refs = new Map<string, number>();
      for (const g of received) refs.set(g.ref, (refs.get(g.ref) ?? 0) + 1);
      const repeats = received.length - refs.size;
      console.info(
        `outbox on ${kind}: ${atKill} at the gateway when killed (${markedAtKill ?? "?"} marked sent), ${received.length} POSTs in all for ${count} messages, ${repeats} repeats`,
      );
      expect([...refs.keys()].sort()).toEqual(ids.map((i) => `fault_receipt:${i}`).sort());
      expect(repeats).toBeLessThanOrEqual(50);
      // The phone is the one written, decrypted only to send.
      const byRef = new Map(received.map((g) => [g.ref, g]));
      expect(byRef.get(`fault_receipt:${ids[7]}`)).toMatchObject({
        phone: phones[7],
        text: "【网格管家】您的诉求已受理 8",
      });
      const states = await withDb((db) =>
        db.query<{ state: string; transport: string; n: number }>(
          `select state, transport, count(*)::int as n from notifications where kind = 'fault_receipt'
           group by state, transport`,
        ),
      );
      expect(states).toEqual([{ state: "sent", transport: "sms_http", n: count }]);
    } finally {
      await new Promise((r) => gateway.close(r));
    }
  }, 300_000);

  it("an SLA sweep killed mid-way: every due order marked overdue once, with one event and one message", async () => {
    // One order filed through the server, then 12,000 copies of it in work (accepted), all past their
    // deadline: the sweep takes them 5,000 at a time.
    const due = 12_000;
    const [{ id: residentId }] = await withDb((db) =>
      db.query<{ id: number }>(
        "select id from residents where org_path like '%/320613019010-G01/%' order by id limit 1",
      ),
    );
    const a0 = await serve();
    const agent = await login(a0.base, "demo-agent");
    const filed = await fetch(`${a0.base}/api/orders`, {
      method: "POST",
      headers: { ...agent, "content-type": "application/json" },
      body: JSON.stringify({
        channel: "hotline_12345",
        categoryCode: "sanitation",
        description: "巡检样本",
        residentId,
      }),
    });
    expect(filed.status).toBe(201);
    const { id: sourceId } = await filed.json();
    await a0.kill("SIGTERM");
    await withDb(async (db) => {
      // Orders of the demo already due are not this test's: out of the way, as swept before.
      await db.query(
        "update work_orders set overdue_at = now() where next_due_at <= now() and overdue_at is null",
      );
      const copied = (
        await db.query<{ c: string }>(
          `select column_name as c from information_schema.columns where table_name = 'work_orders'
           and column_name not in ('id', 'number', 'open311_token', 'overdue_at', 'warned_at', 'next_due_at',
             'next_warn_at', 'description')`,
        )
      ).map((r) => r.c);
      const cols = copied.filter((c) => c !== "state");
      await db.query(
        `insert into work_orders (${cols.join(", ")}, state, number, description, next_due_at)
         select ${cols.map((c) => `o.${c}`).join(", ")}, 'accepted', 'FT' || lpad(g::text, 6, '0'),
           'faultsweep ' || g, now() - interval '1 hour' + g * interval '1 ms'
         from work_orders o, generate_series(1, $2::int) g where o.id = $1`,
        [sourceId, due],
      );
    });
    const swept = (db: Database) =>
      db
        .query<{ n: number }>(
          "select count(*)::int as n from work_orders where number like 'FT%' and overdue_at is not null",
        )
        .then((r) => r[0].n);
    // LOG_LEVEL debug: the server says when a background job starts.
    const a = await serve({ LOG_LEVEL: "debug" });
    let atKill: number | undefined;
    if (kind === "postgres") {
      // The sweep's first tick is 2 s after start; kill once a batch is in.
      atKill = await until("a part of the orders swept", 60_000, async () => {
        const n = await swept(t!.ctx.database);
        return n > 0 && n;
      });
      await a.kill("SIGKILL");
    } else {
      // The folder is the server's: kill a moment after the sweep says it started.
      await until("the sweep to start", 60_000, async () => a.log().includes('"msg":"sla sweep started"'));
      await sleep(2500);
      await a.kill("SIGKILL");
      atKill = await withDb(swept);
    }
    const b = await serve();
    await until("a whole sweep by the new process", 60_000, async () => (await sweepsDone(b.base)) >= 1);
    await b.kill("SIGTERM");
    console.info(`sla sweep on ${kind}: ${atKill} of ${due} marked when killed`);
    if (kind === "postgres") expect(atKill).toBeLessThan(due);
    const [r] = await withDb((db) =>
      db.query<Record<string, number>>(
        `select count(*)::int as orders,
           count(*) filter (where o.overdue_at is not null)::int as overdue,
           count(*) filter (where (select count(*) from work_order_events e where e.order_id = o.id
             and e.action = 'overdue') = 1)::int as one_event,
           count(*) filter (where (select count(*) from notifications m where m.order_id = o.id
             and m.kind = 'overdue') = 1)::int as one_message,
           count(*) filter (where o.state <> 'accepted')::int as moved
         from work_orders o where o.number like 'FT%'`,
      ),
    );
    expect(r).toEqual({ orders: due, overdue: due, one_event: due, one_message: due, moved: 0 });
  }, 480_000);

  // Real on PostgreSQL: the database itself refuses writes (default_transaction_read_only, as a volume gone
  // read-only or a demoted primary would). PGlite cannot be made read-only under a running process short of
  // remounting its folder: there observability.test.ts's simulated error codes stand alone, as for disk-full.
  it.runIf(kind === "postgres")(
    "a database gone read-only: writes answer 503 with Retry-After and leave nothing; writable again, the retry with its key files once",
    async () => {
      const a = await serve({ PGAPPNAME: "gk-readonly" });
      const s = await login(a.base, "demo-agent");
      const admin = new pg.Client({ connectionString: (t!.ctx.database as any).url });
      await admin.connect();
      const [{ id: residentId }] = await t!.ctx.database.query<{ id: number }>(
        "select id from residents where org_path like '%/320613019010-G01/%' order by id limit 1",
      );
      const readOnly = async (on: boolean) => {
        await admin.query("set default_transaction_read_only = off");
        await admin.query(
          `alter database ${admin.database} ${on ? "set default_transaction_read_only = on" : "reset default_transaction_read_only"}`,
        );
        // The server's sessions start again (as after a failover), each new one with the database's setting.
        await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'gk-readonly'",
        );
      };
      const key = `readonly-${Date.now()}`;
      const description = `只读库测试 ${key}`;
      const file = () =>
        fetch(`${a.base}/api/orders`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            cookie: s.cookie,
            "x-csrf-token": s["x-csrf-token"],
            "idempotency-key": key,
          },
          body: JSON.stringify({
            channel: "hotline_12345",
            categoryCode: "sanitation",
            description,
            residentId,
          }),
        });
      const filed = async () =>
        (
          await admin.query<{ n: number }>(
            "select count(*)::int as n from work_orders where description = $1",
            [description],
          )
        ).rows[0].n;
      try {
        await readOnly(true);
        const refused = await until("a refusal from a fresh session", 30_000, async () => {
          const r = await file();
          return r.status === 503 && r;
        });
        expect(refused.headers.get("retry-after")).toBe("5");
        expect((await refused.json()).error.code).toBe("database_unavailable");
        // Again, from sessions that have been read-only all along: the same, and no key half-claimed.
        const again = await file();
        expect(again.status).toBe(503);
        expect(await filed()).toBe(0);
        const keys = await admin.query("select 1 from idempotency_keys where key = $1", [key]);
        expect(keys.rowCount).toBe(0);
        expect((await fetch(`${a.base}/api/health/live`)).status).toBe(200);

        await readOnly(false);
        const ok = await until("the write once the database is writable", 30_000, async () => {
          const r = await file();
          return r.status === 201 && r;
        });
        const { id } = await ok.json();
        const replay = await file();
        expect(replay.status).toBe(201);
        expect(replay.headers.get("idempotent-replayed")).toBe("true");
        expect((await replay.json()).id).toBe(id);
        expect(await filed()).toBe(1);
      } finally {
        await admin.query("set default_transaction_read_only = off");
        await admin.query(`alter database ${admin.database} reset default_transaction_read_only`);
        await admin.end();
        await a.kill("SIGTERM");
      }
    },
    300_000,
  );
});
