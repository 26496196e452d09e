// 指挥中心 at district scale (issue 16), on the ~1 M-order PostgreSQL database bench/workOrders.ts loads
// (gk_bench_orders; run `npx tsx bench/workOrders.ts --step load` first):
//   dashboard  GET /api/command/dashboard (app.inject) for the district (demo-commander, target p95 200 ms)
//              and a street (demo-street, target 50 ms), each interleaved with the bare SQL of its order and
//              rate statements run one after another (copied from workOrders/figures.ts and rates/service.ts)
//   map        GET /api/command/map for the district and a community (no target of its own; beside bare SQL)
//   push       an SSE stream of /api/command/live on a real listening server while orders change at 100/s
//              through plain UPDATEs on another connection: delay from each change's commit to the event that
//              tells of it (target < 5 s)
//   report     the district's daily report (figures + PDF + xlsx, as the 08:00 run makes it), target < 30 s,
//              beside the bare SQL of its figures
//
// npx tsx bench/command.ts [--n 40] [--push-seconds 20] [--rate 100] [--steps dashboard,map,push,report]
import http from "node:http";
import { loadConfig } from "../src/config.ts";
import { openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { subtreePattern } from "../src/domain/org/scope.ts";
import { ACTIVE_STATES, OVERDUE_STATES } from "../src/domain/workflow/states.ts";
import { buildApp } from "../src/server/app.ts";
import { createContext } from "../src/server/boot.ts";
import { compileReport, pdfBytes, reportPdf, reportXlsx } from "../src/server/modules/command/report.ts";
import { getOrgUnit } from "../src/server/modules/orgs/index.ts";
import { systemPrincipal } from "../src/server/platform/access.ts";
import {
  arg,
  type BareQuery,
  BENCH_SECRET,
  BENCH_TMP,
  httpVsSql,
  injectLogin,
  log,
  ms,
  now,
  pgDatabaseExists,
  pgUrl,
  result,
  stats,
} from "./lib.ts";

const N = Number(arg("n", "40"));
const PUSH_SECONDS = Number(arg("push-seconds", "20"));
const RATE = Number(arg("rate", "100"));
/** Which parts to run: dashboard, map, push, report (all by default). */
const STEPS = new Set(arg("steps", "dashboard,map,push,report")!.split(","));
const DB = "gk_bench_orders";
if (!pgDatabaseExists(DB))
  throw new Error(`${DB} missing: run npx tsx bench/workOrders.ts --step load first`);
const url = pgUrl(DB);

const database = await openPostgres(url);
await migrate(database);
const config = loadConfig({
  ...process.env,
  DATABASE_URL: url,
  GRIDKEEPER_DATA_DIR: `${BENCH_TMP}/command-datadir`,
  GRIDKEEPER_SECRET: BENCH_SECRET,
});
const ctx = await createContext(config, database);
const app = await buildApp(ctx, { logger: false, serveWeb: false });
const [{ n: orders }] = await database.query<{ n: number }>("select count(*)::int as n from work_orders");
log(`command center on ${orders} orders`);

const DAY_MS = 86_400_000;
const today = new Date(`${new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)}T00:00:00+08:00`);
const period = { from: new Date(today.getTime() - 29 * DAY_MS), to: new Date(today.getTime() + DAY_MS) };
const previous = { from: new Date(period.from.getTime() - 30 * DAY_MS), to: period.from };
const shDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * The dashboard's order and rate statements for a unit as they were before the daily order rollups (migration
 * 0026): every period figure read from the orders. Timed a few times beside the service as "before".
 */
function rawDashboard(path: string): BareQuery[] {
  const depth = path.split("/").filter(Boolean).length - 1;
  const p = subtreePattern(path);
  const inPeriod = "org_path like $1 and created_at >= $2 and created_at < $3 and state <> 'merged'";
  const day = (c: string) => `(${c} at time zone 'Asia/Shanghai')::date`;
  const rollup = (from: Date, to: Date): BareQuery => ({
    name: "rate rollup",
    text: `select split_part(org_path, '/', ${depth + 3}) as code, sum(dispatched)::int, sum(accepted_on_time)::int,
      sum(resolved)::int, sum(resolved_extended)::int, sum(resolved_on_time)::int, sum(resolved_first_time)::int,
      sum(callbacks)::int, sum(callbacks_solved)::int, sum(rated_callbacks)::int, sum(rated_satisfied)::int,
      sum(verified)::int, sum(reworked)::int
      from rate_counts_daily where org_path like $1 and day >= $2::date and day < $3::date group by 1`,
    params: [p, shDay(from), shDay(to)],
  });
  return [
    {
      name: "situation",
      text: `select count(*) filter (where state = any($2::text[]))::int,
        count(*) filter (where overdue_at is not null and state = any($3::text[]))::int,
        count(*) filter (where state = 'escalated')::int,
        count(*) filter (where state = any($2::text[]) and overdue_at is null and next_due_at >= $4 and next_due_at < $4::timestamptz + interval '1 hour')::int,
        count(*) filter (where created_at >= $5)::int, count(*) filter (where closed_at >= $5)::int
        from work_orders where org_path like $1 and (state = any($2::text[]) or created_at >= $5 or closed_at >= $5)`,
      params: [p, ACTIVE_STATES, OVERDUE_STATES, new Date(), today],
    },
    {
      name: "by day",
      text: `select ${day("created_at")}, count(*) from work_orders where ${inPeriod} group by 1`,
      params: [p, period.from, period.to],
    },
    {
      name: "closed by day",
      text: `select ${day("closed_at")}, count(*) from work_orders where org_path like $1 and closed_at >= $2 and closed_at < $3 group by 1`,
      params: [p, period.from, period.to],
    },
    {
      name: "by category",
      text: `select coalesce(k.parent_id, k.id), count(*) from work_orders o join categories k on k.id = o.category_id
        where o.org_path like $1 and o.created_at >= $2 and o.created_at < $3 and o.state <> 'merged' group by 1`,
      params: [p, period.from, period.to],
    },
    {
      name: "by channel",
      text: `select channel, count(*) from work_orders where ${inPeriod} group by 1`,
      params: [p, period.from, period.to],
    },
    {
      name: "by state",
      text: `select state, count(*) from work_orders where ${inPeriod} group by 1`,
      params: [p, period.from, period.to],
    },
    {
      name: "previous totals",
      text: `select (select count(*) from work_orders where ${inPeriod}),
        (select count(*) from work_orders where org_path like $1 and closed_at >= $2 and closed_at < $3)`,
      params: [p, previous.from, previous.to],
    },
    {
      name: "children",
      text: `select split_part(org_path, '/', ${depth + 3}), count(*) filter (where state = any($4::text[]))::int,
        count(*) filter (where overdue_at is not null and state = any($5::text[]))::int,
        count(*) filter (where created_at >= $2 and created_at < $3 and state <> 'merged')::int
        from work_orders where org_path like $1 and (state = any($4::text[]) or (created_at >= $2 and created_at < $3)) group by 1`,
      params: [p, period.from, period.to, ACTIVE_STATES, OVERDUE_STATES],
    },
    {
      name: "hot spots",
      text: `select o.building_id, case when o.building_id is null then o.org_unit_id end, coalesce(k.parent_id, k.id), count(*)
        from work_orders o join categories k on k.id = o.category_id
        where o.org_path like $1 and o.created_at >= $2 and o.state <> 'merged'
        group by 1, 2, 3 having count(*) >= 3 order by 4 desc limit 10`,
      params: [p, new Date(Date.now() - 30 * DAY_MS)],
    },
    rollup(period.from, period.to),
    rollup(previous.from, previous.to),
  ];
}

/**
 * The dashboard's order and rate statements for a unit as the services send them on each look (copied from
 * workOrders/figures.ts and rates/service.ts; keep in step), one after another here. Hot spots are worked out
 * once a minute (command/service.ts), so they are timed on their own, not with each look.
 */
function bareDashboard(path: string): BareQuery[] {
  const depth = path.split("/").filter(Boolean).length - 1;
  const p = subtreePattern(path);
  const range = "org_path like $1 and day >= $2::date and day < $3::date";
  const days = (from: Date, to: Date) => [p, shDay(from), shDay(to)];
  const raw = rawDashboard(path);
  const mix = (dim: string): BareQuery => ({
    name: `by ${dim}`,
    text: `select key, sum(n)::int from order_mix_daily where dim = '${dim}' and ${range} group by 1 having sum(n) <> 0`,
    params: days(period.from, period.to),
  });
  return [
    {
      name: "situation (open)",
      text: `select count(*)::int, count(*) filter (where overdue_at is not null and state = any($3::text[]))::int,
        count(*) filter (where state = 'escalated')::int,
        count(*) filter (where overdue_at is null and next_due_at >= $4 and next_due_at < $4::timestamptz + interval '1 hour')::int
        from work_orders where org_path like $1 and state = any($2::text[])`,
      params: [p, ACTIVE_STATES, OVERDUE_STATES, new Date()],
    },
    {
      name: "situation (today)",
      text: `select sum(received)::int, sum(closed)::int from order_flow_daily where org_path like $1 and day = $2::date`,
      params: [p, shDay(today)],
    },
    {
      name: "by day",
      text: `select day, sum(received)::int, sum(closed)::int from order_flow_daily where ${range} group by 1`,
      params: days(period.from, period.to),
    },
    {
      name: "by category",
      text: `select coalesce(k.parent_id, k.id), sum(m.n)::int from order_mix_daily m join categories k on k.id = m.key::int
        where m.dim = 'category' and m.org_path like $1 and m.day >= $2::date and m.day < $3::date group by 1`,
      params: days(period.from, period.to),
    },
    mix("channel"),
    mix("state"),
    {
      name: "previous totals",
      text: `select sum(received)::int, sum(closed)::int from order_flow_daily where ${range}`,
      params: days(previous.from, previous.to),
    },
    {
      name: "children open",
      text: `select split_part(org_path, '/', ${depth + 3}), count(*)::int,
        count(*) filter (where overdue_at is not null and state = any($3::text[]))::int
        from work_orders where org_path like $1 and state = any($2::text[]) group by 1`,
      params: [p, ACTIVE_STATES, OVERDUE_STATES],
    },
    {
      name: "children intake",
      text: `select split_part(org_path, '/', ${depth + 3}), sum(received)::int from order_flow_daily where ${range} group by 1`,
      params: days(period.from, period.to),
    },
    ...raw.filter((q) => q.name === "rate rollup"),
  ];
}

async function timeStatements(qs: BareQuery[], n: number) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = now();
    for (const q of qs) await database.query(q.text, q.params);
    times.push(now() - t);
  }
  return stats(times);
}

async function unitOf(username: string) {
  const [a] = await database.query<{ id: number; path: string; name: string }>(
    "select o.id, o.path, o.name from accounts a join org_units o on o.id = a.org_unit_id where a.username = $1",
    [username],
  );
  return a;
}

// ── dashboard and map ────────────────────────────────────────────────────────────────────────────────
for (const [username, target, who] of !STEPS.has("dashboard")
  ? []
  : ([
      ["demo-commander", 200, "district"],
      ["demo-street", 50, "street"],
    ] as const)) {
  const u = await unitOf(username);
  const cookie = await injectLogin(app, username);
  await httpVsSql({
    app,
    database,
    cookie,
    url: "/api/command/dashboard",
    bare: bareDashboard(u.path),
    label: `command dashboard (postgres, ${orders} orders) ${who} ${u.name} as ${username}, 30 days`,
    target,
    n: N,
    describe: (b) =>
      `received ${b.period.received}, open ${b.situation.open}, ${b.children.length} child units`,
  });
  const before = await timeStatements(
    rawDashboard(u.path).filter((q) => q.name !== "hot spots"),
    5,
  );
  const hot = await timeStatements(
    rawDashboard(u.path).filter((q) => q.name === "hot spots"),
    5,
  );
  result(
    `command dashboard ${who} ${u.name}: the same figures read from the orders (before the daily rollups) p50 ${ms(before.p50)} ms, max ${ms(before.max)} ms (n=5) | hot spots (worked out once a minute) p50 ${ms(hot.p50)} ms, max ${ms(hot.max)} ms`,
  );
}
if (STEPS.has("map")) {
  const u = await unitOf("demo-commander");
  const cookie = await injectLogin(app, "demo-commander");
  await httpVsSql({
    app,
    database,
    cookie,
    url: "/api/command/map",
    bare: [
      {
        name: "areas",
        text: "select id, code, name, kind, boundary from org_units where id = $1 or parent_id = $1",
        params: [u.id],
      },
      {
        name: "residents by child",
        text: `select split_part(org_path, '/', 3), count(*) from residents where org_path collate "C" like $1 group by 1`,
        params: [subtreePattern(u.path)],
      },
    ],
    label: `command map (postgres) district ${u.name}`,
    target: 200,
    n: N,
    describe: (b) => `${b.areas.length} areas`,
  });
}

// ── push latency ─────────────────────────────────────────────────────────────────────────────────────
if (STEPS.has("push")) {
  const cookie = await injectLogin(app, "demo-commander");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const port = (app.server.address() as { port: number }).port;
  const events: number[] = [];
  const commits: number[] = [];
  const req = http.get(
    { host: "127.0.0.1", port, path: "/api/command/live", headers: { cookie, accept: "text/event-stream" } },
    (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (chunk.includes("event: changed")) events.push(now());
      });
    },
  );
  await new Promise((r) => setTimeout(r, 1500));
  const writer = await openPostgres(url);
  const ids = (
    await writer.query<{ id: number }>(
      "select id from work_orders where state = any($1::text[]) order by id desc limit 5000",
      [ACTIVE_STATES],
    )
  ).map((r) => r.id);
  log(`push: ${RATE} changes/s for ${PUSH_SECONDS} s…`);
  const started = now();
  let i = 0;
  while (now() - started < PUSH_SECONDS * 1000) {
    const due = started + (i * 1000) / RATE;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // A change the live figures follow (the trigger tells of state, unit and overdue changes): the
    // overdue mark set and, on the next pass over the same order, cleared again.
    await writer.query(
      "update work_orders set overdue_at = case when overdue_at is null then now() else null end where id = $1",
      [ids[i % ids.length]],
    );
    commits.push(now());
    i++;
  }
  await new Promise((r) => setTimeout(r, 4000));
  req.destroy();
  await writer.close();
  // Each change is told by the first event after its commit.
  const delays: number[] = [];
  let e = 0;
  for (const c of commits) {
    while (e < events.length && events[e] < c) e++;
    if (e < events.length) delays.push(events[e] - c);
  }
  if (!delays.length)
    throw new Error(`push: ${commits.length} changes, ${events.length} events — nothing told`);
  const d = stats(delays);
  const untold = commits.length - delays.length;
  result(
    `command push (postgres, SSE through LISTEN/NOTIFY) ${commits.length} changes at ${(commits.length / PUSH_SECONDS).toFixed(0)}/s → ${events.length} events: ` +
      `delay p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms, max ${ms(d.max)} ms${untold ? `, ${untold} changes never told` : ""} | target < 5000 ms` +
      ` (events are coalesced: at most one per 2 s per stream)`,
  );
}

// ── daily report ─────────────────────────────────────────────────────────────────────────────────────
if (STEPS.has("report")) {
  const u = await unitOf("demo-commander");
  const system = systemPrincipal("bench", "bench");
  const unit = await getOrgUnit(ctx, system, u.id);
  const yesterday = shDay(new Date(Date.now() - DAY_MS));
  const runs: number[] = [];
  const bare: number[] = [];
  let size = "";
  for (let k = 0; k < 3; k++) {
    let t = now();
    const r = await compileReport(ctx, unit, yesterday, true);
    const [pdf, xlsx] = await Promise.all([pdfBytes(reportPdf(r)), reportXlsx(r)]);
    runs.push(now() - t);
    size = `PDF ${(pdf.length / 1024).toFixed(0)} KB, xlsx ${(xlsx.length / 1024).toFixed(0)} KB`;
    t = now();
    for (const q of bareDashboard(u.path)) await database.query(q.text, q.params);
    bare.push(now() - t);
  }
  const r = stats(runs);
  const b = stats(bare);
  result(
    `command daily report (postgres, ${orders} orders) district ${u.name} ${yesterday}, figures + PDF + xlsx: p50 ${ms(r.p50)} ms, max ${ms(r.max)} ms (${size}) | anchor: bare SQL of the dashboard's figures p50 ${ms(b.p50)} ms | target < 30000 ms`,
  );
}

await app.close();
await ctx.database.close();
