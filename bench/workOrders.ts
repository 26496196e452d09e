// Work-order benchmark on a district PostgreSQL database carrying ~1 M work orders over 12 months.
//
//   npx tsx bench/workOrders.ts [--step load|intake|read|sweep|all] [--orders 1000000] [--days 365]
//        [--reload] [--conns 8] [--duration 20] [--n 60]
//
//   load    `createdb -T gk_bench_district gk_bench_orders` (after migrating the template through the app's
//           migrate), then seedOrders(…, "320613", {count, days}) in-process. Skipped when gk_bench_orders
//           already holds orders, unless --reload. Prints load time, orders/s, events, table sizes.
//   intake  the real server (buildApp + listen on 127.0.0.1) driven by a bounded concurrent fetch loop as
//           demo-agent: POST /api/orders for --duration s over --conns connections → creates/s, p50/p99.
//           Anchor, same run: pgbench single-row INSERT into a scratch table, same clients, same duration.
//   read    GET /api/orders/queue (demo-grid), GET /api/rates?month= (demo-commander: district; demo-community:
//           one community) p50/p95 over real HTTP, each interleaved with the bare SQL of the same query.
//   sweep   sweepSla(ctx, now) twice on the loaded DB, anchor the bare due-scan; then once more at now + 3 days
//           so open orders actually fall due (the seed already marks everything overdue as of load time).
//
// Database: GK_BENCH_ORDERS_DATABASE_URL, else gk_bench_orders (created from gk_bench_district).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { loadConfig } from "../src/config.ts";
import { type Database, openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { subtreePattern } from "../src/domain/org/scope.ts";
import { DEMO_PASSWORD } from "../src/seed/demo.ts";
import { seedOrders } from "../src/seed/orders.ts";
import { buildApp } from "../src/server/app.ts";
import { createContext } from "../src/server/boot.ts";
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
  stats,
} from "./lib.ts";

export const ORDERS_DB = "gk_bench_orders";
const step = arg("step", "all")!;
const COUNT = Number(arg("orders", "1000000"));
const DAYS = Number(arg("days", "365"));
const CONNS = Number(arg("conns", "8"));
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

/** The load generator, run in its own node process so it does not share the server's event loop. */
const LOADGEN = `
const [base, cookie, csrf, gridsJson, conns, duration] = process.argv.slice(2);
const grids = JSON.parse(gridsJson);
const lat = [];
let errors = 0, firstError = null, i = 0;
const end = performance.now() + Number(duration) * 1000;
async function loop(c) {
  while (performance.now() < end) {
    const body = JSON.stringify({ channel: "hotline_12345", categoryCode: "sanitation",
      description: "小区垃圾桶满溢未及时清运（压测 " + c + "-" + (i++) + "）", orgUnitId: grids[i % grids.length] });
    const t = performance.now();
    try {
      const r = await fetch(base + "/api/orders", { method: "POST", body,
        headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf } });
      const text = await r.text();
      if (r.status === 200 || r.status === 201) lat.push(performance.now() - t);
      else { errors++; firstError ??= r.status + " " + text.slice(0, 300); }
    } catch (e) { errors++; firstError ??= String(e); }
  }
}
const t0 = performance.now();
await Promise.all(Array.from({ length: Number(conns) }, (_, c) => loop(c)));
process.stdout.write(JSON.stringify({ wallMs: performance.now() - t0, lat, errors, firstError }));
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

async function intake() {
  const { database, app } = await openApp();
  await app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const grids = (
    await database.query<{ id: number }>("select id from org_units where kind = 'grid' order by id")
  ).map((g) => g.id);
  const { cookie, csrf } = await login(base, "demo-agent");
  const before = Number((await database.query<{ n: string }>("select count(*) as n from work_orders"))[0].n);
  const file = path.join(BENCH_TMP, "loadgen.mjs");
  fs.writeFileSync(file, LOADGEN);
  const runLoad = (seconds: number) =>
    new Promise<{ wallMs: number; lat: number[]; errors: number; firstError: string | null }>((res, rej) => {
      const child = spawn(
        process.execPath,
        [file, base, cookie, csrf, JSON.stringify(grids), String(CONNS), String(seconds)],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("exit", (code) =>
        code === 0 ? res(JSON.parse(out)) : rej(new Error(`loadgen exited ${code}`)),
      );
    });
  log(`intake: warm-up 3 s, then ${DURATION} s over ${CONNS} connections against ${base}…`);
  await runLoad(3);
  const http = await runLoad(DURATION);
  const after = Number((await database.query<{ n: string }>("select count(*) as n from work_orders"))[0].n);
  await app.close();
  await database.close();
  log(`pgbench: ${CONNS} clients, ${DURATION} s, single-row INSERT into scratch table bench_insert…`);
  const pg = pgbenchInsert(CONNS, DURATION);
  log(`pgbench: the statement sequence of one create, ${CONNS} clients, ${DURATION} s…`);
  const grid0 = await (async () => {
    const d = await openPostgres(url);
    const [g] = await d.query<{ id: number; path: string }>("select id, path from org_units where id = $1", [
      grids[0],
    ]);
    await d.close();
    return g;
  })();
  const seq = pgbenchCreateSequence(CONNS, DURATION, grid0.id, grid0.path);
  const h = stats(http.lat);
  const rate = h.n / (http.wallMs / 1000);
  const share = rate / pg.tps;
  const flags = [
    share < 1 / 3 ? "creates/s below 1/3 of pgbench" : "",
    h.p99 > 100 ? "p99 over 100 ms" : "",
  ].filter(Boolean);
  result(
    `orders intake (postgres, ${before} orders in db): POST /api/orders as demo-agent, ${CONNS} connections, ${secs(http.wallMs)} s: ` +
      `${rate.toFixed(0)} creates/s (${h.n} created, ${http.errors} errors${http.firstError ? `, first: ${http.firstError}` : ""}; rows +${after - before}), ` +
      `p50 ${ms(h.p50)} ms, p99 ${ms(h.p99)} ms, max ${ms(h.max)} ms | anchor: pgbench single-row INSERT, ${CONNS} clients, ${DURATION} s: ` +
      `${pg.tps.toFixed(0)} tps (latency avg ${ms(pg.latAvg)} ms) → ${(share * 100).toFixed(0)}% of pgbench${flags.length ? `  ** ${flags.join("; ")}` : ""}`,
  );
  result(
    `  diagnostic: pgbench replaying one create's statements (3 lookups + BEGIN, nextval, 5 INSERTs, COMMIT), ${CONNS} clients, ${DURATION} s: ` +
      `${seq.tps.toFixed(0)} creates/s (latency avg ${ms(seq.latAvg)} ms) — the database's ceiling for the sequence the app sends`,
  );
}

// ---------------------------------------------------------------------------------------------- reads

/** The two aggregations of rates/service.ts countRows, copied verbatim (keep in step with the service). */
function bareCountRows(p: string, from: Date, to: Date, groupDepth: number | null) {
  const key = groupDepth === null ? "'self'" : `split_part(o.org_path, '/', ${groupDepth + 2})`;
  const params = [subtreePattern(p), from, to];
  const orders = `select ${key} as code,
       count(*) filter (where o.dispatched_at >= $2 and o.dispatched_at < $3)::int as dispatched,
       count(*) filter (where o.dispatched_at >= $2 and o.dispatched_at < $3 and o.accepted_on_time)::int as "acceptedOnTime",
       count(*) filter (where o.resolved_at >= $2 and o.resolved_at < $3)::int as resolved,
       count(*) filter (where o.resolved_at >= $2 and o.resolved_at < $3 and (o.flow->'counts'->>'extensionsApproved')::int > 0)::int as "resolvedExtended",
       count(*) filter (where o.resolved_at >= $2 and o.resolved_at < $3 and o.resolved_on_time
         and (o.flow->'counts'->>'extensionsApproved')::int = 0)::int as "resolvedOnTime",
       count(*) filter (where o.resolved_at >= $2 and o.resolved_at < $3 and (o.flow->'counts'->>'returns')::int = 0
         and (o.flow->'counts'->>'reassigns')::int = 0 and (o.flow->'counts'->>'reopens')::int = 0)::int as "resolvedFirstTime"
     from work_orders o
     where o.org_path like $1 and (o.dispatched_at >= $2 or o.resolved_at >= $2) and least(o.dispatched_at, o.resolved_at) < $3
     group by 1`;
  const events = `select ${key} as code,
       count(*) filter (where e.action in ('close','reopen'))::int as callbacks,
       count(*) filter (where e.action in ('close','reopen') and (e.detail->'callback'->>'solved')::boolean)::int as "callbacksSolved",
       count(*) filter (where e.action in ('close','reopen') and e.detail->'callback'->>'satisfaction' is not null)::int as "ratedCallbacks",
       count(*) filter (where e.action in ('close','reopen') and e.detail->'callback'->>'satisfaction' in ('satisfied','basically_satisfied'))::int as "ratedSatisfied",
       count(*) filter (where e.action in ('verify','rework'))::int as verified,
       count(*) filter (where e.action = 'rework')::int as reworked
     from work_order_events e join work_orders o on o.id = e.order_id
     where o.org_path like $1 and e.at >= $2 and e.at < $3 and e.action in ('close','reopen','verify','rework')
     group by 1`;
  return [
    { name: "orders", text: orders, params },
    { name: "events", text: events, params },
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
      // District rates take seconds each today: a few samples are enough to tell.
      warmup: username === "demo-commander" ? 1 : WARMUP,
      budgetMs: 60_000,
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

async function main() {
  if (step === "load" || step === "all") await load();
  if (step === "intake" || step === "all") await intake();
  if (step === "read" || step === "all") await reads();
  if (step === "sweep" || step === "all") await sweep();
}

await main();
