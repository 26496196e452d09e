// Community-affairs benchmark on its own PostgreSQL database (gk_bench_affairs, recreated unless --reuse):
//
//   npx tsx bench/affairs.ts [--per-grid 11] [--key-per-street 10] [--n 60] [--reuse]
//
//   load      the district org tree and seedAffairs at district scope: --per-grid enterprises in each of the 908
//             grids (11 → ≈ 10,000), a year of quarterly 五有 campaigns checking every enterprise (≈ 37,000
//             inspections, their rectifications), 8 practical projects a quarter per street and community,
//             --key-per-street key projects per street with milestones: wall time, rows.
//   board     GET /api/affairs/key-projects as the district commander (target p95 < 100 ms), beside the bare SQL
//             of the projects with their milestones (anchor).
//   summary   GET /api/affairs/inspections/summary as the district commander (target p95 < 100 ms), beside a
//             bare count of the year's inspections (anchor).
//   public    GET /api/public/affairs/projects?unit=… for a community (target p95 < 20 ms), beside the bare SQL
//             of that unit's published projects (anchor).

import { loadConfig } from "../src/config.ts";
import { openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { seedOrgTree } from "../src/seed/orgTree.ts";
import { buildApp } from "../src/server/app.ts";
import type { AppContext } from "../src/server/context.ts";
import { addAccount } from "../src/server/modules/accounts/index.ts";
import { seedAffairs } from "../src/server/modules/affairs/index.ts";
import { FieldCrypto } from "../src/server/platform/crypto.ts";
import { VERSION } from "../src/version.ts";
import {
  arg,
  BENCH_SECRET,
  httpVsSql,
  injectLogin,
  log,
  now,
  pgUrl,
  psql,
  recreatePgDatabase,
  result,
  secs,
} from "./lib.ts";

const DB = "gk_bench_affairs";
const N = Number(arg("n", "60"));
const url = pgUrl(DB);

if (arg("reuse") !== "true") recreatePgDatabase(DB);
const db = await openPostgres(url, 10);
await migrate(db);
const ctx: AppContext = {
  // One client sends every request of the public list's sample from one address: without this the public
  // rate limit (120 a minute) answers most of them 429 and the figure times the refusal.
  config: loadConfig({ PUBLIC_RATE_LIMIT: "0" }),
  database: db,
  crypto: new FieldCrypto(BENCH_SECRET),
  version: VERSION,
};

if (arg("reuse") !== "true") {
  const t0 = now();
  await seedOrgTree(db);
  await addAccount(db, {
    username: "bench-commander",
    displayName: "区指挥中心",
    role: "commander",
    org: "320613",
    password: "Demo@2026",
  });
  await addAccount(db, {
    username: "bench-inspector",
    displayName: "街道检查员",
    role: "commander",
    org: "320613019",
    password: "Demo@2026",
  });
  const r = await seedAffairs(db, {
    scope: "320613",
    enterprisesPerGrid: Number(arg("per-grid", "11")),
    keyProjectsPerStreet: Number(arg("key-per-street", "10")),
    inspector: "bench-inspector",
    log,
  });
  await db.query("vacuum analyze");
  result(
    `load: ${r.enterprises} enterprises, ${r.inspections} inspections, ${r.keyProjects} key projects in ${secs(now() - t0)} s`,
  );
}
const [size] = await db.query<{ e: number; i: number; r: number; k: number; m: number; p: number }>(
  `select (select count(*)::int from enterprises) e, (select count(*)::int from inspections) i,
     (select count(*)::int from rectifications) r, (select count(*)::int from key_projects) k,
     (select count(*)::int from key_project_milestones) m, (select count(*)::int from practical_projects) p`,
);
result(
  `data: ${size.e} enterprises, ${size.i} inspections, ${size.r} rectifications, ${size.k} key projects (${size.m} milestones), ${size.p} practical projects`,
);

const app = await buildApp(ctx, { logger: false, serveWeb: false });
const cookie = await injectLogin(app, "bench-commander");
const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();

await httpVsSql({
  app,
  database: db,
  cookie,
  url: "/api/affairs/key-projects",
  label: "district key-project board",
  target: 100,
  n: N,
  describe: (b) => `${b.items.length} projects, ${b.items.filter((x: any) => x.behind).length} behind`,
  bare: [
    {
      name: "key_projects ⋈ milestones",
      text: `select k.id, k.name, m.weight, m.due, m.done_on from key_projects k join key_project_milestones m on m.project_id = k.id
             where k.org_path like '/320613/%'`,
      params: [],
    },
  ],
});
await httpVsSql({
  app,
  database: db,
  cookie,
  url: `/api/affairs/inspections/summary?year=${year}`,
  label: "district inspection summary (per street, a year)",
  target: 100,
  n: N,
  describe: (b) => `${b.items.length} streets`,
  bare: [
    {
      name: "count(inspections of the year) + count(enterprises)",
      text: `select (select count(*) from inspections where org_path like '/320613/%' and inspected_at >= $1::date and inspected_at < $2::date),
               (select count(*) from enterprises where org_path like '/320613/%')`,
      params: [`${year}-01-01`, `${year + 1}-01-01`],
    },
  ],
});
const [unit] = await db.query<{ id: number; quarter: string }>(
  "select org_unit_id as id, max(quarter) as quarter from practical_projects group by org_unit_id order by count(*) desc, org_unit_id limit 1",
);
await httpVsSql({
  app,
  database: db,
  cookie: "",
  url: `/api/public/affairs/projects?unit=${unit.id}`,
  label: "public project list (one community, this quarter)",
  target: 20,
  n: N * 2,
  describe: (b) => `${b.items.length} projects`,
  bare: [
    {
      name: "practical_projects of the unit and quarter",
      text: "select * from practical_projects where org_unit_id = $1 and quarter = $2 and state <> 'draft'",
      params: [unit.id, unit.quarter],
    },
  ],
});

await app.close();
await db.close();
// The bench database goes unless asked to stay (--keep, then --reuse runs again without the load).
if (arg("keep") !== "true") psql("postgres", `drop database if exists ${DB} with (force)`);
