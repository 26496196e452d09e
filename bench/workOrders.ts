// Work-order benchmark on a district PostgreSQL database carrying ~1 M work orders over 12 months.
//
//   npx tsx bench/workOrders.ts [--step load|intake|read|sweep|outbox|all] [--orders 1000000] [--days 365]
//        [--reload] [--conns 32,64,96] [--workers 1,2] [--duration 20] [--n 60] [--diagnostic]
//
//   load    `createdb -T gk_bench_district gk_bench_orders` (after migrating the template through the app's
//           migrate), then seedOrders(…, "320613", {count, days}) in-process. Skipped when gk_bench_orders
//           already holds orders, unless --reload. Prints load time, orders/s, events, table sizes.
//   intake  the real server as its own process (`gridkeeper serve --workers W` for each W of --workers) driven
//           by autocannon in another process as demo-agent: POST /api/orders (each call a different grid and
//           text) for --duration s over each --conns → creates/s, p50/p99. Anchor, same run: pgbench
//           single-row INSERT into a scratch table, same clients, same duration; then the capacity line: the
//           best creates/s over all runs against pgbench's best over the same client counts (the target).
//           --diagnostic adds pgbench replaying one create's statements one order at a time (the write path
//           before grouping).
//   read    GET /api/orders/queue (demo-grid), GET /api/rates?month= (demo-commander: district; demo-community:
//           one community) p50/p95 over real HTTP, each interleaved with the bare SQL of the same query.
//   sweep   sweepSla(ctx, now) twice on the loaded DB, anchor the bare due-scan; then once more at now + 3 days
//           so open orders actually fall due (the seed already marks everything overdue as of load time).
//   outbox  deliverPending in batches of 500 (drainOutbox's step) and of 100 for --outbox-seconds each on the
//           messages intake left pending, no-op transport → messages/s; anchors the bare claim + one UPDATE per
//           batch and one UPDATE per message (the old way). Marks those messages sent.
//
// Database: GK_BENCH_ORDERS_DATABASE_URL, else gk_bench_orders (created from gk_bench_district).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { loadConfig } from "../src/config.ts";
import { type Database, openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { subtreePattern } from "../src/domain/org/scope.ts";
import { DEMO_PASSWORD } from "../src/seed/demo.ts";
import { seedOrders } from "../src/seed/orders.ts";
import { buildApp } from "../src/server/app.ts";
import { createContext } from "../src/server/boot.ts";
import { deliverPending, type Transport } from "../src/server/modules/notifications/service.ts";
import { parsePeriod } from "../src/server/modules/rates/service.ts";
import { seedCategories } from "../src/server/modules/workOrders/categories.ts";
import { ORDER_COLUMNS } from "../src/server/modules/workOrders/service.ts";
import { sweepSla } from "../src/server/modules/workOrders/sweep.ts";
import { FieldCrypto } from "../src/server/platform/crypto.ts";
import {
  arg,
  BENCH_SECRET,
  BENCH_TMP,
  DEFAULT_PG_DB,
  httpVsSql,
  injectLogin,
  log,
  mb,
  ms,
  now,
  PG_HOST,
  pgDatabaseExists,
  pgUrl,
  psql,
  result,
  secs,
} from "./lib.ts";

export const ORDERS_DB = "gk_bench_orders";
const step = arg("step", "all")!;
const COUNT = Number(arg("orders", "1000000"));
const DAYS = Number(arg("days", "365"));
/** Connections of the load generator (and pgbench clients), e.g. "8,32,64". */
const CONNS = arg("conns", "32,64,96")!.split(",").map(Number);
/** Server processes (`gridkeeper serve --workers`), e.g. "1,2". */
const WORKERS = arg("workers", "1,2")!.split(",").map(Number);
const DURATION = Number(arg("duration", "20"));
const N = Number(arg("n", "60"));
const WARMUP = 5;
const url = process.env.GK_BENCH_ORDERS_DATABASE_URL ?? pgUrl(ORDERS_DB);
const dbName = new URL(url).pathname.slice(1);
const dataDir = path.join(BENCH_TMP, "orders-datadir");

async function load() {
  const exists = pgDatabaseExists(dbName);
  if (exists && !process.argv.includes("--reload")) {
    const n = Number(psql(dbName, "select count(*) from work_orders"));
    if (n > 0) {
      log(`${dbName} already holds ${n} work orders (--reload to rebuild)`);
      return;
    }
  }
  if (!pgDatabaseExists(DEFAULT_PG_DB))
    throw new Error(`${DEFAULT_PG_DB} missing: run bench/seed.ts --db postgres`);
  // Migrate the template through the app first, so the copy carries every migration (0001 work orders …).
  const tmpl = await openPostgres(pgUrl(DEFAULT_PG_DB));
  await migrate(tmpl);
  await seedCategories(tmpl);
  await tmpl.close();
  psql("postgres", `drop database if exists ${dbName} with (force)`);
  let t = now();
  psql("postgres", `create database ${dbName} template ${DEFAULT_PG_DB}`);
  const cloneMs = now() - t;
  const database = await openPostgres(url);
  await migrate(database);
  const crypto = new FieldCrypto(BENCH_SECRET);
  log(`loading ${COUNT} orders over ${DAYS} days into ${dbName} (clone ${secs(cloneMs)} s)…`);
  let last = now();
  t = now();
  const r = await seedOrders(database, crypto, "320613", {
    count: COUNT,
    days: DAYS,
    seed: 1,
    onProgress: (n) => {
      if (now() - last > 10_000) {
        last = now();
        log(`  ${n} orders, ${secs(now() - t)} s`);
      }
    },
  });
  const loadMs = now() - t;
  t = now();
  await database.query("analyze work_orders");
  await database.query("analyze work_order_events");
  const analyzeMs = now() - t;
  const [sz] = await database.query<{ o: string; oi: string; e: string; ei: string }>(
    `select pg_table_size('work_orders') as o, pg_indexes_size('work_orders') as oi,
            pg_table_size('work_order_events') as e, pg_indexes_size('work_order_events') as ei`,
  );
  await database.close();
  result(
    `orders load (postgres): ${r.orders} orders + ${r.events} events over ${DAYS} days in ${secs(loadMs)} s ` +
      `(${Math.round(r.orders / (loadMs / 1000))} orders/s; clone of ${DEFAULT_PG_DB} ${secs(cloneMs)} s, analyze ${secs(analyzeMs)} s); ` +
      `work_orders ${mb(Number(sz.o))} MB + indexes ${mb(Number(sz.oi))} MB, events ${mb(Number(sz.e))} MB + indexes ${mb(Number(sz.ei))} MB`,
  );
}

// ---------------------------------------------------------------------------------------------- intake

/**
 * The load generator: autocannon in its own node process (so it does not share the server's event loop),
 * each request a different call (description and grid vary). Prints autocannon's result as JSON.
 */
const LOADGEN = `
import autocannon from ${JSON.stringify(path.resolve("node_modules/autocannon/autocannon.js"))};
const [base, cookie, csrf, gridsJson, conns, duration] = process.argv.slice(2);
const grids = JSON.parse(gridsJson);
let i = 0;
let firstError = null;
const result = await autocannon({
  url: base,
  connections: Number(conns),
  duration: Number(duration),
  requests: [{
    method: "POST",
    path: "/api/orders",
    headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf },
    setupRequest: (req) => {
      i++;
      return { ...req, body: JSON.stringify({ channel: "hotline_12345", categoryCode: "sanitation",
        description: "小区垃圾桶满溢未及时清运（压测 " + i + "）", orgUnitId: grids[i % grids.length] }) };
    },
    onResponse: (status, body) => { if (status !== 201) firstError ??= status + " " + String(body).slice(0, 300); },
  }],
});
process.stdout.write(JSON.stringify({ ok: result["2xx"], non2xx: result.non2xx, errors: result.errors,
  timeouts: result.timeouts, seconds: result.duration, latency: result.latency, firstError }));
`;

function pgbench(script: string, conns: number, duration: number) {
  const file = path.join(BENCH_TMP, "pgbench-script.sql");
  fs.mkdirSync(BENCH_TMP, { recursive: true });
  fs.writeFileSync(file, script);
  const r = spawnSync(
    "pgbench",
    [
      "-h",
      PG_HOST,
      "-U",
      "root",
      "-n",
      "-M",
      "extended",
      "-c",
      String(conns),
      "-j",
      "2",
      "-T",
      String(duration),
      "-f",
      file,
      dbName,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`pgbench failed: ${r.stderr}`);
  return {
    tps: Number(/tps = ([\d.]+)/.exec(r.stdout)?.[1]),
    latAvg: Number(/latency average = ([\d.]+) ms/.exec(r.stdout)?.[1]),
  };
}

/** The anchor of DESIGN §6: one single-row INSERT per transaction into a scratch table. */
function pgbenchInsert(conns: number, duration: number) {
  psql(
    dbName,
    `drop table if exists bench_insert; create table bench_insert (id bigserial primary key, channel text not null,
     category_id int not null, description text not null, org_unit_id int not null, org_path text not null,
     state text not null, created_at timestamptz not null default now())`,
  );
  const r = pgbench(
    "\\set g random(1, 900)\n" +
      "INSERT INTO bench_insert (channel, category_id, description, org_unit_id, org_path, state) " +
      "VALUES ('hotline_12345', 1, '小区垃圾桶满溢未及时清运（压测）', :g, '/320613/320613019/320613019010/', 'dispatched');\n",
    conns,
    duration,
  );
  psql(dbName, "drop table bench_insert");
  return r;
}

/**
 * A second, diagnostic anchor: pgbench replaying the statements one POST /api/orders sends (session lookup,
 * category, org unit, then BEGIN, nextval, order insert, two events, notification, audit, COMMIT), so the
 * database's own ceiling for this statement sequence sits beside the HTTP figure. Rows go into the real tables.
 */
function pgbenchCreateSequence(conns: number, duration: number, gridId: number, gridPath: string) {
  const session = psql(dbName, "select id from sessions order by created_at desc limit 1");
  const [catId] = psql(dbName, "select id from categories where code = 'sanitation'").split("\n");
  const flow = psql(
    dbName,
    "select flow::text from work_orders where state = 'dispatched' order by id desc limit 1",
  );
  const lit = (v: string) => `'${v.replaceAll("'", "''")}'`;
  const script = `
SELECT s.csrf_token, a.id, a.username, a.display_name, a.role, a.disabled, a.org_unit_id, o.path, o.name, o.kind
  FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN org_units o ON o.id = a.org_unit_id
  WHERE s.id = ${lit(session)} AND s.expires_at > now();
SELECT id, sla_policy, name, active FROM categories WHERE code = 'sanitation';
SELECT id, path, kind, parent_id FROM org_units WHERE id = ${gridId};
BEGIN;
SELECT nextval('work_orders_id_seq')::int AS oid \\gset
INSERT INTO work_orders (id, number, channel, category_id, sla_policy, state, version, description, org_unit_id, org_path,
  routed_level, flow, next_due_at, next_warn_at, dispatched_at)
  VALUES (:oid, 'B' || :oid, 'hotline_12345', ${catId}, '12345', 'dispatched', 1, '小区垃圾桶满溢未及时清运（压测）', ${gridId},
  ${lit(gridPath)}, 'grid', ${lit(flow)}::jsonb, now() + interval '1 day', now() + interval '20 hours', now());
INSERT INTO work_order_events (order_id, action, from_state, to_state, actor_id, actor_name, at, note, detail)
  VALUES (:oid, 'receive', NULL, 'received', 1, '12345 坐席（演示）', now(), '12345热线受理', NULL);
INSERT INTO work_order_events (order_id, action, from_state, to_state, actor_id, actor_name, at, note, detail)
  VALUES (:oid, 'dispatch', 'received', 'dispatched', 1, '12345 坐席（演示）', now(), NULL, '{"orgUnitId": ${gridId}, "level": "grid"}'::jsonb);
INSERT INTO notifications (kind, order_id, recipient_account_id, recipient_org_id, org_path, title, body)
  VALUES ('dispatch', :oid, NULL, ${gridId}, ${lit(gridPath)}, '新工单：环境卫生', '小区垃圾桶满溢未及时清运（压测）');
INSERT INTO audit_events (account_id, username, action, entity, entity_id, org_path, after, ip)
  VALUES (1, 'demo-agent', 'create', 'work_order', :oid, ${lit(gridPath)}, '{"category": "sanitation", "channel": "hotline_12345"}'::jsonb, '127.0.0.1');
COMMIT;
`;
  const r = pgbench(script, conns, duration);
  removeReplayRows();
  return r;
}

/** Deletes what the replay inserted (its order numbers start with "B"; real ones are digits), so reruns see ~1 M orders. */
function removeReplayRows() {
  psql(
    dbName,
    `create temp table replay as select id from work_orders where number like 'B%';
     delete from work_order_events where order_id in (select id from replay);
     delete from notifications where order_id in (select id from replay);
     delete from audit_events where entity = 'work_order' and entity_id in (select id::text from replay);
     delete from work_orders where id in (select id from replay);`,
  );
}

async function login(base: string, username: string) {
  const r = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  const setCookie = r.headers.getSetCookie().find((c) => c.startsWith("gk_session="))!;
  const body = (await r.json()) as { csrfToken: string };
  return { cookie: setCookie.split(";")[0], csrf: body.csrfToken };
}

async function openApp() {
  const database = await openPostgres(url);
  await migrate(database);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url,
    GRIDKEEPER_DATA_DIR: dataDir,
    GRIDKEEPER_SECRET: BENCH_SECRET,
  });
  const ctx = await createContext(config, database);
  const app = await buildApp(ctx, { logger: false, serveWeb: false });
  return { database, ctx, app };
}

type Load = {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  latency: { p50: number; p99: number; max: number };
  firstError: string | null;
};

/** `gridkeeper serve --workers W` as its own process on the bench database; resolves when it answers. */
async function startServer(workers: number, port: number) {
  const child = spawn(
    process.execPath,
    [path.resolve("bin/gridkeeper.js"), "serve", "--workers", String(workers)],
    {
      env: {
        ...process.env,
        DATABASE_URL: url,
        GRIDKEEPER_SECRET: BENCH_SECRET,
        GRIDKEEPER_DATA_DIR: dataDir,
        PORT: String(port),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  for (const until = Date.now() + 60_000; Date.now() < until; ) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}`);
    const ok = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // Every worker must be up before timing: wait until several health answers came from a warm pool.
  await new Promise((r) => setTimeout(r, 1500));
  return {
    base,
    stop: () =>
      new Promise<void>((res) => {
        child.once("exit", () => res());
        child.kill("SIGTERM");
      }),
  };
}

async function intake() {
  const database = await openPostgres(url);
  await migrate(database);
  const grids = (
    await database.query<{ id: number }>("select id from org_units where kind = 'grid' order by id")
  ).map((g) => g.id);
  const count = async () =>
    Number((await database.query<{ n: string }>("select count(*) as n from work_orders"))[0].n);
  const file = path.join(BENCH_TMP, "loadgen.mjs");
  fs.mkdirSync(BENCH_TMP, { recursive: true });
  fs.writeFileSync(file, LOADGEN);
  const runLoad = (base: string, cookie: string, csrf: string, conns: number, seconds: number) =>
    new Promise<Load>((res, rej) => {
      const child = spawn(
        process.execPath,
        [file, base, cookie, csrf, JSON.stringify(grids), String(conns), String(seconds)],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("exit", (code) =>
        code === 0 ? res(JSON.parse(out)) : rej(new Error(`loadgen exited ${code}`)),
      );
    });
  const runs: { workers: number; conns: number; before: number; after: number; http: Load }[] = [];
  for (const workers of WORKERS) {
    const server = await startServer(workers, 4700 + workers);
    try {
      const { cookie, csrf } = await login(server.base, "demo-agent");
      for (const conns of CONNS) {
        log(`intake: ${workers} worker(s), ${conns} connections: warm-up 3 s, then ${DURATION} s…`);
        await runLoad(server.base, cookie, csrf, conns, 3);
        const before = await count();
        const http = await runLoad(server.base, cookie, csrf, conns, DURATION);
        runs.push({ workers, conns, before, after: await count(), http });
      }
    } finally {
      await server.stop();
    }
  }
  await database.close();
  const [grid0] = await (async () => {
    const d = await openPostgres(url);
    const g = await d.query<{ id: number; path: string }>("select id, path from org_units where id = $1", [
      grids[0],
    ]);
    await d.close();
    return g;
  })();
  const anchors: { conns: number; tps: number }[] = [];
  for (const conns of CONNS) {
    log(`pgbench: ${conns} clients, ${DURATION} s, single-row INSERT into scratch table bench_insert…`);
    const pg = pgbenchInsert(conns, DURATION);
    anchors.push({ conns, tps: pg.tps });
    for (const { workers, before, after, http } of runs.filter((r) => r.conns === conns)) {
      const rate = http.ok / http.seconds;
      const share = rate / pg.tps;
      const flags = [
        share < 1 / 3 ? "below 1/3 of pgbench at the same client count" : "",
        http.latency.p99 > 100 ? "p99 over 100 ms" : "",
      ].filter(Boolean);
      const errors = http.non2xx + http.errors + http.timeouts;
      result(
        `orders intake (postgres, ${before} orders in db): POST /api/orders as demo-agent to \`gridkeeper serve --workers ${workers}\`, autocannon ${conns} connections, ${http.seconds.toFixed(1)} s: ` +
          `${rate.toFixed(0)} creates/s (${http.ok} created, ${errors} errors${http.firstError ? `, first: ${http.firstError}` : ""}; rows +${after - before}), ` +
          `p50 ${ms(http.latency.p50)} ms, p99 ${ms(http.latency.p99)} ms, max ${ms(http.latency.max)} ms | anchor: pgbench single-row INSERT, ${conns} clients, ${DURATION} s: ` +
          `${pg.tps.toFixed(0)} tps (latency avg ${ms(pg.latAvg)} ms) → ${(share * 100).toFixed(0)}% of pgbench${flags.length ? `  ** ${flags.join("; ")}` : ""}`,
      );
    }
    if (process.argv.includes("--diagnostic")) {
      const seq = pgbenchCreateSequence(conns, DURATION, grid0.id, grid0.path);
      result(
        `  diagnostic: pgbench replaying one create's statements one order at a time (3 lookups + BEGIN, nextval, 5 INSERTs, COMMIT, as before grouping), ${conns} clients, ${DURATION} s: ` +
          `${seq.tps.toFixed(0)} creates/s (latency avg ${ms(seq.latAvg)} ms)`,
      );
    }
  }
  // The target compares capacities: the most creates/s intake reached over the client counts tried against
  // the most single-row inserts/s pgbench reached over the same counts. Calls arrive whether or not earlier
  // ones were answered, so what a peak can absorb is the saturation rate; a closed loop of few clients
  // measures latency instead (at 32, intake leaves a third of the CPU idle while pgbench is near its peak).
  const best = runs.reduce((a, r) => (r.http.ok / r.http.seconds > a.http.ok / a.http.seconds ? r : a));
  const peak = anchors.reduce((a, p) => (p.tps > a.tps ? p : a));
  const bestRate = best.http.ok / best.http.seconds;
  const capacityShare = bestRate / peak.tps;
  const capacityFlags = [
    capacityShare < 1 / 3 ? "creates/s below 1/3 of pgbench" : "",
    best.http.latency.p99 > 100 ? "p99 over 100 ms" : "",
  ].filter(Boolean);
  result(
    `orders intake capacity (clients ${CONNS.join(", ")}; workers ${WORKERS.join(", ")}): ${bestRate.toFixed(0)} creates/s ` +
      `(--workers ${best.workers}, ${best.conns} connections, p99 ${ms(best.http.latency.p99)} ms) | anchor: pgbench peak ` +
      `${peak.tps.toFixed(0)} tps (${peak.conns} clients) → ${(capacityShare * 100).toFixed(0)}% of pgbench` +
      `${capacityFlags.length ? `  ** ${capacityFlags.join("; ")}` : ""}`,
  );
}

// ---------------------------------------------------------------------------------------------- reads

/** rates/service.ts countRows over the daily rollup, copied (keep in step with the service). */
function bareCountRows(p: string, from: Date, to: Date, groupDepth: number | null) {
  const key = groupDepth === null ? "'self'" : `split_part(org_path, '/', ${groupDepth + 2})`;
  const day = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const cols = [
    "dispatched",
    "accepted_on_time",
    "resolved",
    "resolved_extended",
    "resolved_on_time",
    "resolved_first_time",
    "callbacks",
    "callbacks_solved",
    "rated_callbacks",
    "rated_satisfied",
    "verified",
    "reworked",
  ];
  return [
    {
      name: "rollup",
      text: `select ${key} as code, ${cols.map((c) => `sum(${c})::int as ${c}`).join(", ")} from rate_counts_daily
     where org_path like $1 and day >= $2::date and day < $3::date group by 1`,
      params: [subtreePattern(p), day(from), day(to)] as unknown[],
    },
  ];
}

/** ratesFor: both aggregations grouped by child unit (the unit's own figures are their sum). */
function bareRates(unitPath: string, from: Date, to: Date) {
  const depth = unitPath.split("/").filter(Boolean).length - 1;
  return bareCountRows(unitPath, from, to, depth + 1).map((q) => ({ ...q, name: `by child ${q.name}` }));
}

/** workerQueue, copied (keep in step with workOrders/service.ts). */
function bareQueue(orgPath: string) {
  return [
    {
      name: "queue",
      text: `select ${ORDER_COLUMNS} from work_orders o join categories c on c.id = o.category_id join org_units u on u.id = o.org_unit_id
     where o.org_path like $1 and o.state = any($2::text[])
     order by o.next_due_at asc nulls last, o.id limit 200`,
      params: [
        subtreePattern(orgPath),
        ["dispatched", "accepted", "on_site", "planned", "replied", "escalated", "reopened"],
      ] as unknown[],
    },
  ];
}

async function accountPath(database: Database, username: string) {
  const [a] = await database.query<{ id: number; path: string }>(
    "select o.id, o.path from accounts a join org_units o on o.id = a.org_unit_id where a.username = $1",
    [username],
  );
  return a;
}

async function reads() {
  const { database, app } = await openApp();
  const explain = process.argv.includes("--explain-all");
  const [{ n: orders }] = await database.query<{ n: number }>("select count(*)::int as n from work_orders");
  // Last complete month (Asia/Shanghai), where every order has had time to move.
  const sh = new Date(Date.now() + 8 * 3600_000);
  const prev = new Date(Date.UTC(sh.getUTCFullYear(), sh.getUTCMonth() - 1, 1));
  const month = arg("month", prev.toISOString().slice(0, 7))!;
  const period = parsePeriod(undefined, undefined, month);
  log(`reads on ${orders} orders; month ${month}; ${N} timed requests per case after ${WARMUP} warm-up`);

  const grid = await accountPath(database, "demo-grid");
  await httpVsSql({
    app,
    database,
    cookie: await injectLogin(app, "demo-grid"),
    url: "/api/orders/queue",
    bare: bareQueue(grid.path),
    label: `orders queue (postgres, ${orders} orders) demo-grid (${grid.path})`,
    target: 20,
    n: N,
    explain,
    describe: (b) => `${b.total} open orders`,
  });
  for (const [username, target, who] of [
    ["demo-commander", 200, "district (崇川区)"],
    ["demo-community", 20, "community (苏阳社区)"],
  ] as const) {
    const u = await accountPath(database, username);
    await httpVsSql({
      app,
      database,
      cookie: await injectLogin(app, username),
      url: `/api/rates?month=${month}`,
      bare: bareRates(u.path, period.from, period.to),
      label: `rates (postgres, ${orders} orders) ${who} month ${month} as ${username}`,
      target,
      n: N,
      warmup: WARMUP,
      explain,
      describe: (b) =>
        `dispatched ${b.counts.dispatched}, resolved ${b.counts.resolved}, ${b.children.length} child units`,
    });
  }
  await app.close();
  await database.close();
}

// ---------------------------------------------------------------------------------------------- sweep

async function sweep() {
  const { database, ctx, app } = await openApp();
  const [{ n: orders }] = await database.query<{ n: number }>("select count(*)::int as n from work_orders");
  const bare = (at: Date) =>
    database.query<{ n: number }>(
      `select count(*)::int as n from (select o.id from work_orders o where o.next_due_at <= $1 and o.overdue_at is null
       order by o.next_due_at limit 5000) s`,
      [at],
    );
  const bareWarn = (at: Date) =>
    database.query<{ n: number }>(
      `select count(*)::int as n from (select o.id from work_orders o where o.next_warn_at <= $1 and o.warned_at is null
       and o.overdue_at is null order by o.next_warn_at limit 5000) s`,
      [at],
    );
  const ahead = Number(arg("sweep-ahead-days", "3"));
  const runs: [string, Date][] = [
    ["now, run 1", new Date()],
    ["now, run 2", new Date()],
    [`now + ${ahead} days (open orders fall due), run 1`, new Date(Date.now() + ahead * 86_400_000)],
    [`now + ${ahead} days, run 2`, new Date(Date.now() + ahead * 86_400_000)],
  ];
  for (const [label, at] of runs) {
    let t = now();
    const [{ n: due }] = await bare(at);
    const [{ n: warnDue }] = await bareWarn(at);
    const bareMs = now() - t;
    t = now();
    const r = await sweepSla(ctx, at);
    const sweepMs = now() - t;
    result(
      `orders sweep (postgres, ${orders} orders) ${label}: sweepSla ${ms(sweepMs)} ms, marked ${r.overdue} overdue + ${r.warned} warned ` +
        `| anchor: bare due scans (next_due_at <= now and overdue_at is null: ${due}; warn: ${warnDue}; limit 5000 each) ${ms(bareMs)} ms` +
        `${sweepMs > 1000 ? "  ** over 1 s target" : ""}`,
    );
  }
  await app.close();
  await database.close();
}

// ---------------------------------------------------------------------------------------------- outbox

/**
 * The outbox deliverer on the pending messages intake left behind (every dispatch writes one), with a transport
 * that sends nothing, so the figure is the outbox's own cost. Anchors, same run: the bare claim + one UPDATE
 * per batch, and the claim + one UPDATE per message (how delivery recorded sends before).
 */
async function outbox() {
  const { database, ctx, app } = await openApp();
  const [{ n: pending }] = await database.query<{ n: number }>(
    "select count(*)::int as n from notifications where state = 'pending'",
  );
  const quiet: Transport = { name: "bench", async send() {} };
  const seconds = Number(arg("outbox-seconds", "5"));
  const timed = async (label: string, batch: () => Promise<number>) => {
    let n = 0;
    const t = now();
    while (now() - t < seconds * 1000) n += await batch();
    return { label, perSecond: n / ((now() - t) / 1000) };
  };
  const claim = `select id from notifications where state = 'pending' and next_attempt_at <= now()
    order by next_attempt_at limit 500 for update skip locked`;
  const bareBatch = async () => {
    const c = await database.query<{ n: number }>(
      `with c as (${claim}) update notifications n set state = 'sent', sent_at = now(), attempts = attempts + 1
       from c where n.id = c.id returning 1 as n`,
    );
    return c.length;
  };
  const perMessage = async () => {
    const ids = await database.query<{ id: number }>(`select id from notifications where state = 'pending'
      and next_attempt_at <= now() order by next_attempt_at limit 500`);
    for (const { id } of ids)
      await database.query(
        "update notifications set state = 'sent', sent_at = now(), attempts = attempts + 1 where id = $1",
        [id],
      );
    return ids.length;
  };
  const rows = [
    await timed(
      "deliverPending, batches of 500 (each step of drainOutbox)",
      async () => (await deliverPending(ctx, quiet, new Date(), 500)).sent,
    ),
    await timed(
      "deliverPending, batches of 100 (one per tick before)",
      async () => (await deliverPending(ctx, quiet, new Date(), 100)).sent,
    ),
    await timed("anchor: bare claim + one UPDATE per batch of 500", bareBatch),
    await timed("anchor: one UPDATE per message (as before)", perMessage),
  ];
  for (const r of rows)
    result(`outbox (postgres, ${pending} pending at start) ${r.label}: ${r.perSecond.toFixed(0)} messages/s`);
  await app.close();
  await database.close();
}

async function main() {
  if (step === "load" || step === "all") await load();
  if (step === "intake" || step === "all") await intake();
  if (step === "read" || step === "all") await reads();
  if (step === "sweep" || step === "all") await sweep();
  if (step === "outbox" || step === "all") await outbox();
}

await main();
