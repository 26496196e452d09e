// Point → grid for the whole district (908 grid areas), and Open311 intake by lat/long against intake by
// address, on an in-memory PGlite with the demo community (苏阳社区) seeded. Figures to stdout.
//   npx tsx bench/gridLookup.ts [--points 60000] [--n 300]
// Anchor for the lookup: the same exact test run over every grid in turn (no index), on the same points.
import booleanPointInPolygon from "@turf/boolean-point-in-polygon";
import { loadConfig } from "../src/config.ts";
import { openPglite } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import type { Geometry } from "../src/domain/geo/boundaries.ts";
import { boxOf, spreadInBox } from "../src/domain/geo/layout.ts";
import { DEMO_PASSWORD, loadDemo } from "../src/seed/demo.ts";
import { buildApp } from "../src/server/app.ts";
import type { AppContext } from "../src/server/context.ts";
import { gridAt } from "../src/server/modules/orgs/index.ts";
import { FieldCrypto } from "../src/server/platform/crypto.ts";
import { VERSION } from "../src/version.ts";
import { arg, BENCH_SECRET, ms, stats } from "./lib.ts";

const POINTS = Number(arg("points", "60000"));
const N = Number(arg("n", "300"));

const database = await openPglite(undefined);
await migrate(database);
const crypto = new FieldCrypto(BENCH_SECRET);
console.error("seeding 苏阳社区 (the whole district's org tree and areas)…");
await loadDemo(database, crypto, { scope: "320613019010", seed: 1 });
const ctx: AppContext = {
  config: { ...loadConfig({}), dataDir: "/tmp/gk-bench", logLevel: "silent" },
  database,
  crypto,
  version: VERSION,
};

const grids = await database.query<{ id: number; code: string; boundary: Geometry }>(
  "select id, code, boundary from org_units where kind = 'grid' and boundary is not null order by id",
);
// ~60,000 points where buildings stand: spread over every grid, as many per grid as the total asks.
const perGrid = Math.ceil(POINTS / grids.length);
const points: [number, number, number][] = [];
for (const g of grids) {
  const box = boxOf(g.boundary as never);
  for (let i = 0; i < perGrid && points.length < POINTS; i++)
    points.push([...spreadInBox(box, i, perGrid, `${g.code}#${i}`), g.id]);
}
await gridAt(ctx, points[0][0], points[0][1]); // builds the index (timed below)
const t0 = performance.now();
(await import("../src/server/modules/orgs/index.ts")).forgetAreas(ctx);
await gridAt(ctx, points[0][0], points[0][1]);
const buildMs = performance.now() - t0;

const lookups: number[] = [];
let wrong = 0;
for (const [x, y, id] of points) {
  const a = performance.now();
  const hit = await gridAt(ctx, x, y);
  lookups.push(performance.now() - a);
  if (hit?.id !== id) wrong++;
}
const scans: number[] = [];
for (const [x, y] of points.slice(0, 5000)) {
  const a = performance.now();
  for (const g of grids) if (booleanPointInPolygon([x, y], g.boundary)) break;
  scans.push(performance.now() - a);
}
const l = stats(lookups);
const s = stats(scans);
const us = (v: number) => `${(v * 1000).toFixed(1)} µs`;
console.log(
  `point → grid, ${grids.length} grids, ${points.length} points: p50 ${us(l.p50)}, p99 ${us(l.p99)}, max ${ms(l.max)} ms; ` +
    `${wrong} routed elsewhere; index built in ${ms(buildMs)} ms | anchor, every grid tested in turn (5,000 points): p50 ${us(s.p50)}, p99 ${us(s.p99)}`,
);

// Intake: the same report filed by address and by point, interleaved, through the real app.
const app = await buildApp(ctx, { logger: false, serveWeb: false });
const login = await app.inject({
  method: "POST",
  url: "/api/auth/login",
  payload: { username: "demo-commander", password: DEMO_PASSWORD },
});
const headers = {
  cookie: String(login.headers["set-cookie"]).split(";")[0],
  "x-csrf-token": login.json().csrfToken,
};
const [district] = await database.query<{ id: number }>("select id from org_units where code = '320613'");
const key = (
  await app.inject({
    method: "POST",
    url: "/api/open311/keys",
    headers,
    payload: { name: "bench", orgUnitId: district.id },
  })
).json().key as string;
const buildings = await database.query<{ address: string; lat: number; long: number }>(
  "select address, lat, long from buildings where lat is not null order by id limit 200",
);
const file = (body: Record<string, string>) =>
  app.inject({
    method: "POST",
    url: "/open311/v2/requests.json",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({
      api_key: key,
      service_code: "sanitation",
      description: "垃圾堆放",
      ...body,
    }).toString(),
  });
const byAddress: number[] = [];
const byPoint: number[] = [];
for (let i = 0; i < N + 20; i++) {
  const b = buildings[i % buildings.length];
  for (const [kind, body] of [
    ["address", { address_string: b.address }],
    ["point", { lat: String(b.lat), long: String(b.long) }],
  ] as const) {
    const a = performance.now();
    const r = await file(body);
    const took = performance.now() - a;
    if (r.statusCode !== 201) throw new Error(`${kind}: ${r.statusCode} ${r.body}`);
    if (i >= 20) (kind === "address" ? byAddress : byPoint).push(took);
  }
}
const ad = stats(byAddress);
const pt = stats(byPoint);
console.log(
  `open311 intake, ${N} each interleaved (PGlite, app.inject): by address p50 ${ms(ad.p50)} ms p95 ${ms(ad.p95)} ms | ` +
    `by lat/long p50 ${ms(pt.p50)} ms p95 ${ms(pt.p95)} ms → ${((pt.p50 / ad.p50 - 1) * 100).toFixed(1)} % at p50`,
);
await app.close();
await database.close();
