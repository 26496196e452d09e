// City of districts (issue 19, point 6): three district databases and a city database, each on its own
// PostgreSQL cluster on this machine (initdb in /tmp, as test/helpers/cluster.ts makes them), wired with
// `gridkeeper city`'s own functions (publication on each district, a subscription per district on the city).
//
//   npx tsx bench/city.ts [--orders 200] [--n 60] [--days 365] [--month YYYY-MM (default: last month)]
//
// - Lag: an order filed over HTTP in district A (the demo community, in-process app) until the city's
//   order_flow_daily shows it, one order at a time, polled every 2 ms on the city; p50/p99. Anchors in the same
//   run: the order's own POST, and a `select 1` round trip to the city.
// - City-wide month rates over 3 districts: GET /api/command/city (district A's app with CITY_DATABASE_URL)
//   p95, beside the same figures' bare SQL on the city database and a `select 1`.
// Volume: each district (320613 崇川区, 320614 海门区, 320612 通州区: real org trees) gets a year of daily rollup
// rows per grid (rate_counts_daily and order_flow_daily, generated with numerators within their
// denominators: ~908 grids × 365 days in 崇川区), so the city's month reads what three real districts would
// send; the lag orders are real orders through the workflow. Load averages are printed with each figure.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import os from "node:os";
import pg from "pg";
import { cityStatus, initCity, publishDistrict, subscribeDistrict } from "../src/cli/city.ts";
import { loadConfig } from "../src/config.ts";
import { openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { loadDemo } from "../src/seed/demo.ts";
import { seedOrgTree } from "../src/seed/orgTree.ts";
import { buildApp } from "../src/server/app.ts";
import { createContext } from "../src/server/boot.ts";
import { RATE_COUNT_SUMS } from "../src/server/modules/rates/index.ts";
import { seedCategories } from "../src/server/modules/workOrders/index.ts";
import { FieldCrypto } from "../src/server/platform/crypto.ts";
import { createCluster } from "../test/helpers/cluster.ts";
import { arg, BENCH_SECRET, BENCH_TMP, log, ms, result, stats } from "./lib.ts";

const ORDERS = Number(arg("orders", "200"));
const N = Number(arg("n", "60"));
const DAYS = Number(arg("days", "365"));
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

const LOGICAL = ["wal_level = logical", "max_wal_senders = 10", "max_replication_slots = 10"];
log("clusters: three districts and the city");
const clusters = await Promise.all([
  createCluster(LOGICAL),
  createCluster(LOGICAL),
  createCluster(LOGICAL),
  createCluster(["wal_retrieve_retry_interval = 1s"]),
]);
const [ca, cb, cc, ccity] = clusters;
const cleanup = () => {
  for (const c of [ccity, ca, cb, cc]) c.destroy();
};
process.on("exit", cleanup);

const createDb = (c: (typeof clusters)[number], name: string) => {
  execFileSync("psql", [c.url(), "-qc", `create database ${name}`]);
  return c.url(name);
};
const urls = { a: createDb(ca, "district"), b: createDb(cb, "district"), c: createDb(cc, "district") };
const cityUrl = createDb(ccity, "city");

/** A year of rollup rows per grid of the district: what its triggers would have kept for its orders. */
async function generateYear(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // Yesterday and before: today stays the lag orders' own (their triggers add to today's rows).
    const r = await c.query(
      `insert into rate_counts_daily (day, org_path, dispatched, accepted_on_time, resolved, resolved_extended,
         resolved_on_time, resolved_first_time, callbacks, callbacks_solved, rated_callbacks, rated_satisfied, verified, reworked)
       select d::date, g.path, n, (n * 0.9)::int, r, (r * 0.05)::int, ((r - (r * 0.05)::int) * 0.85)::int, (r * 0.8)::int,
         (r * 0.7)::int, (r * 0.6)::int, (r * 0.6)::int, (r * 0.55)::int, (r * 0.3)::int, (r * 0.03)::int
       from org_units g
       cross join generate_series((now() at time zone 'Asia/Shanghai')::date - $1::int, (now() at time zone 'Asia/Shanghai')::date - 1, '1 day') d
       cross join lateral (select 1 + (hashtext(g.path || d::text) & 7) as n, (hashtext(d::text || g.path) & 7) as r) x
       where g.kind = 'grid'`,
      [DAYS],
    );
    await c.query(
      `insert into order_flow_daily (day, org_path, received, closed)
       select day, org_path, dispatched, resolved from rate_counts_daily where day < (now() at time zone 'Asia/Shanghai')::date
       on conflict do nothing`,
    );
    await c.query("analyze");
    return r.rowCount ?? 0;
  } finally {
    await c.end();
  }
}

const fc = new FieldCrypto(BENCH_SECRET);
log("district A: the demo community (崇川区 320613) with its accounts");
const dbA = await openPostgres(urls.a, 4);
await migrate(dbA);
await loadDemo(dbA, fc, { scope: "320613019010", seed: 1 });
for (const [url, code] of [
  [urls.b, "320614"],
  [urls.c, "320612"],
] as const) {
  log(`district ${code}: org tree and categories`);
  const db = await openPostgres(url, 2);
  await migrate(db);
  await seedOrgTree(db, code);
  await seedCategories(db);
  await db.close();
}
let rollupRows = 0;
for (const url of Object.values(urls)) rollupRows += await generateYear(url);
log(`generated ${rollupRows} daily grid rows (${DAYS} days)`);

for (const url of Object.values(urls)) await publishDistrict(url);
await initCity(cityUrl);
for (const url of Object.values(urls)) await subscribeDistrict(cityUrl, url);
const tSync = performance.now();
for (;;) {
  const s = await cityStatus(cityUrl);
  if (s.length === 3 && s.every((d) => d.tables === 5 && d.tables_ready === 5)) break;
  await new Promise((r) => setTimeout(r, 200));
}
const city = new pg.Pool({ connectionString: cityUrl, max: 2, options: "-c jit=off" });
await city.query("analyze");
const [{ n: cityRows }] = (await city.query("select count(*)::int as n from rate_counts_daily")).rows;
result(
  `initial copy of 3 districts (${cityRows} rate rows, as many flow rows, on the city): ${(
    (performance.now() - tSync) / 1000
  ).toFixed(1)} s | load ${load()}`,
);

const config = loadConfig({
  ...process.env,
  DATABASE_URL: urls.a,
  CITY_DATABASE_URL: cityUrl,
  GRIDKEEPER_DATA_DIR: `${BENCH_TMP}/city-datadir`,
  GRIDKEEPER_SECRET: BENCH_SECRET,
});
const ctx = await createContext(config, dbA);
const app = await buildApp(ctx, { logger: false, serveWeb: false });
async function login(username: string) {
  const r = await app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { username, password: "Demo@2026" },
  });
  if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode}`);
  const c = r.cookies.find((x) => x.name === "gk_session")!;
  return { cookie: `gk_session=${c.value}`, csrf: r.json().csrfToken as string };
}
const agent = await login("demo-agent");
const commander = await login("demo-commander");
const [{ id: residentId }] = await dbA.query<{ id: number }>(
  "select id from residents where org_path like '%/320613019010-G01/%' order by id limit 1",
);

// --- lag: one order at a time, from its 201 to the city's figure
const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const cityReceived = async () =>
  (
    await city.query(
      "select coalesce(sum(received), 0)::int as n from order_flow_daily where day = $1 and org_path like '/320613/%'",
      [today],
    )
  ).rows[0].n as number;
const lags: number[] = [];
const posts: number[] = [];
const ones: number[] = [];
let seen = await cityReceived();
for (let i = 0; i < ORDERS; i++) {
  let t = performance.now();
  const r = await app.inject({
    method: "POST",
    url: "/api/orders",
    headers: { cookie: agent.cookie, "x-csrf-token": agent.csrf, "idempotency-key": crypto.randomUUID() },
    payload: {
      channel: "hotline_12345",
      categoryCode: "sanitation",
      description: `城市基准 ${i}`,
      residentId,
    },
  });
  if (r.statusCode !== 201) throw new Error(`order: ${r.statusCode} ${r.body}`);
  const acked = performance.now();
  posts.push(acked - t);
  for (;;) {
    const n = await cityReceived();
    if (n > seen) {
      seen = n;
      break;
    }
    if (performance.now() - acked > 30_000) throw new Error("an order did not reach the city in 30 s");
    await new Promise((res) => setTimeout(res, 2));
  }
  lags.push(performance.now() - acked);
  t = performance.now();
  await city.query("select 1");
  ones.push(performance.now() - t);
}
const l = stats(lags);
const p = stats(posts);
const o = stats(ones);
result(
  `lag district order → city figure (${l.n} orders, one at a time, polled every 2 ms): p50 ${ms(l.p50)} ms, p99 ${ms(l.p99)} ms, max ${ms(l.max)} ms` +
    ` | anchors: the order's POST p50 ${ms(p.p50)} ms, p99 ${ms(p.p99)} ms; select 1 on the city p50 ${ms(o.p50)} ms | load ${load()}`,
);

// --- city-wide month rates over 3 districts
// The last whole month (the current one may be a day old): ~30 days of every grid of the three districts.
const [ty, tm] = today.slice(0, 7).split("-").map(Number);
const month = arg("month") ?? (tm === 1 ? `${ty - 1}-12` : `${ty}-${String(tm - 1).padStart(2, "0")}`);
const [y, m] = month.split("-").map(Number);
const from = `${month}-01`;
const to = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
const bare = `select split_part(org_path, '/', 2) as code, ${RATE_COUNT_SUMS} from rate_counts_daily
  where day >= $1::date and day < $2::date group by 1`;
const http: number[] = [];
const sqlMs: number[] = [];
const one: number[] = [];
let described = "";
for (let i = 0; i < N + 5; i++) {
  let t = performance.now();
  const r = await app.inject({
    method: "GET",
    url: `/api/command/city?month=${month}`,
    headers: { cookie: commander.cookie },
  });
  const h = performance.now() - t;
  if (r.statusCode !== 200) throw new Error(`city: ${r.statusCode} ${r.body}`);
  if (i === 0) {
    const b = r.json();
    described = `${month}, ${b.districts.length} districts, ${b.city.counts.dispatched} dispatched`;
  }
  t = performance.now();
  await city.query(bare, [from, to]);
  const s = performance.now() - t;
  t = performance.now();
  await city.query("select 1");
  const s1 = performance.now() - t;
  if (i >= 5) {
    http.push(h);
    sqlMs.push(s);
    one.push(s1);
  }
}
const [monthRows] = (
  await city.query(
    "select count(*)::int as n from rate_counts_daily where day >= $1::date and day < $2::date",
    [from, to],
  )
).rows;
const hs = stats(http);
const ss = stats(sqlMs);
const os1 = stats(one);
result(
  `city-wide month rates over 3 districts (GET /api/command/city, ${described}, ${monthRows.n} rate rows in the month): p50 ${ms(hs.p50)} ms, p95 ${ms(hs.p95)} ms (n=${hs.n})` +
    ` | anchors: the rates' bare SQL on the city p50 ${ms(ss.p50)} ms, p95 ${ms(ss.p95)} ms; select 1 p95 ${ms(os1.p95)} ms | load ${load()}`,
);

await app.close();
await city.end();
await dbA.close();
process.exit(0);
