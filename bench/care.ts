// Care benchmark on the district PostgreSQL database (gk_bench_district, or GK_BENCH_DATABASE_URL):
//
//   npx tsx bench/care.ts [--n 60] [--grid <org id>] [--explain-all]
//
//   due     GET /api/care/visits/due?org=<grid> as demo-grid (app.inject) p50/p95, interleaved with the bare SQL
//           of visits.ts dueVisits (the plan list + planConfigs).
//   cards   GET /api/care/cards.pdf?grid=<grid> over real HTTP (buildApp + listen on 127.0.0.1, the PDF streamed
//           and discarded): wall time, bytes, pages, and the process's peak RSS during the request (VmHWM after
//           resetting it through /proc/self/clear_refs) beside its RSS before. Anchor: the bare keyset SQL of
//           all card pages (cards.ts bulkCards), timed in the same run. Then the grid's whole community (as a
//           bigger document: peak RSS should not grow with it; --no-community to skip).
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { loadConfig } from "../src/config.ts";
import { openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { subtreePattern } from "../src/domain/org/scope.ts";
import { buildApp } from "../src/server/app.ts";
import { createContext } from "../src/server/boot.ts";
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
  pgUrl,
  procMem,
  result,
  secs,
} from "./lib.ts";

const N = Number(arg("n", "60"));
const url = process.env.GK_BENCH_DATABASE_URL ?? pgUrl(DEFAULT_PG_DB);

// Copied from care/visits.ts (PLAN_COLUMNS, dueVisits) and care/common.ts (planConfigs): keep in step.
const PLAN_COLUMNS = `r.id as "residentId", r.name, r.address, r.org_path as "orgPath", r.tags, r.created_at as "createdAt",
  p.frequency_override as "frequencyOverride", p.started_at as "startedAt", p.last_visit_at as "lastVisitAt",
  p.assigned_worker_id as "assignedWorkerId", coalesce(p.doctor_id, r.family_doctor_id) as "doctorId", p.warned_due_by as "warnedDueBy"`;
function bareDue(unitPath: string) {
  return [
    {
      name: "plan list",
      text: `select ${PLAN_COLUMNS} from residents r left join care_plans p on p.resident_id = r.id where r.org_path like $1 and r.tags <> '{}'`,
      params: [subtreePattern(unitPath)] as unknown[],
    },
    {
      name: "planConfigs",
      text: `select o.code, s.value from care_settings s join org_units o on o.id = s.community_id
     where o.path like $1 or $2 like o.path || '%'`,
      params: [subtreePattern(unitPath), unitPath] as unknown[],
    },
  ];
}
// Copied from care/cards.ts (CARD_COLUMNS, CARD_FROM, bulkCards' page query).
const CARD_COLUMNS = `r.id, r.name, r.address, r.org_path as "orgPath", r.tags, w.display_name as "workerName",
  d.display_name as "doctorName", d.id as "doctorAccountId"`;
const CARD_FROM = `residents r left join care_plans p on p.resident_id = r.id
  left join accounts w on w.id = p.assigned_worker_id
  left join accounts d on d.id = coalesce(p.doctor_id, r.family_doctor_id)`;
const CARD_PAGE = `select ${CARD_COLUMNS} from ${CARD_FROM} where r.org_path collate "C" like $1 and r.tags <> '{}'
           and (r.org_path collate "C", r.id) > ($2::text collate "C", $3::int)
         order by r.org_path collate "C", r.id limit 200`;

function resetPeakRss(): boolean {
  try {
    fs.writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const database = await openPostgres(url);
  await migrate(database);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url,
    GRIDKEEPER_DATA_DIR: path.join(BENCH_TMP, "care-datadir"),
    GRIDKEEPER_SECRET: BENCH_SECRET,
  });
  const ctx = await createContext(config, database);
  const app = await buildApp(ctx, { logger: false, serveWeb: false });
  const explain = process.argv.includes("--explain-all");

  const [acc] = await database.query<{ id: number; path: string; name: string }>(
    "select o.id, o.path, o.name from accounts a join org_units o on o.id = a.org_unit_id where a.username = 'demo-grid'",
  );
  const gridId = Number(arg("grid", String(acc.id)));
  const [grid] = await database.query<{ id: number; path: string; name: string }>(
    "select id, path, name from org_units where id = $1",
    [gridId],
  );
  const [{ residents, key }] = await database.query<{ residents: number; key: number }>(
    `select count(*)::int as residents, count(*) filter (where tags <> '{}')::int as key from residents where org_path like $1`,
    [subtreePattern(grid.path)],
  );
  log(
    `care bench on ${url.replace(/\/\/[^@]*@/, "//")}: grid ${grid.name} (${grid.path}), ${residents} residents, ${key} with key tags`,
  );

  // --- due visits
  const cookie = await injectLogin(app, "demo-grid");
  await httpVsSql({
    app,
    database,
    cookie,
    url: `/api/care/visits/due?org=${grid.id}`,
    bare: bareDue(grid.path),
    label: `care due visits (postgres) demo-grid ${grid.name} (${residents} residents, ${key} key)`,
    target: 20,
    n: N,
    explain,
    describe: (b) => `total ${b.total}, overdue ${b.counts.overdue}, due ${b.counts.due}`,
  });

  // --- contact cards over real HTTP
  await app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // The grid twice, then its whole community (~5× the pages) to show memory does not grow with the document.
  const [community] = await database.query<{ id: number; path: string; name: string }>(
    "select id, path, name from org_units where id = (select parent_id from org_units where id = $1)",
    [grid.id],
  );
  const targets = [
    { unit: grid, run: 1, who: "demo-grid", cookie },
    { unit: grid, run: 2, who: "demo-grid", cookie },
    ...(process.argv.includes("--no-community")
      ? []
      : [
          {
            unit: community,
            run: 1,
            who: "demo-community",
            cookie: await injectLogin(app, "demo-community"),
          },
        ]),
  ];
  for (const { unit, run, who, cookie: unitCookie } of targets) {
    // Anchor first: the bare keyset SQL of every card page.
    let t = now();
    let after: [string, number] = [unit.path, 0];
    let cardRows = 0;
    for (;;) {
      const page = await database.query<{ id: number; orgPath: string }>(CARD_PAGE, [
        subtreePattern(unit.path),
        ...after,
      ]);
      cardRows += page.length;
      if (page.length < 200) break;
      const last = page[page.length - 1];
      after = [last.orgPath, last.id];
    }
    const sqlMs = now() - t;
    global.gc?.();
    const rssBefore = procMem(process.pid).rss;
    const reset = resetPeakRss();
    let sampled = rssBefore;
    const poll = setInterval(() => {
      sampled = Math.max(sampled, process.memoryUsage().rss);
    }, 20);
    t = now();
    const res = await fetch(`${base}/api/care/cards.pdf?grid=${unit.id}`, {
      headers: { cookie: unitCookie },
    });
    if (res.status !== 200) throw new Error(`cards.pdf: HTTP ${res.status} ${await res.text()}`);
    let bytes = 0;
    let firstByteMs = 0;
    let pages = 0;
    let tail = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (!firstByteMs) firstByteMs = now() - t;
      bytes += chunk.length;
      // Count "/Type /Page" objects as they stream past (not "/Type /Pages").
      const s = tail + Buffer.from(chunk).toString("latin1");
      pages += (s.match(/\/Type \/Page[^s]/g) ?? []).length;
      tail = s.slice(-16);
    }
    const wallMs = now() - t;
    clearInterval(poll);
    const peak = reset ? procMem(process.pid).hwm : sampled;
    const over = wallMs > 10_000 ? "  ** over 10 s target" : "";
    result(
      `care cards.pdf (postgres) ${who} ${unit.name} run ${run}: ${secs(wallMs)} s wall (first byte ${ms(firstByteMs)} ms), ` +
        `${pages} pages, ${(bytes / 1024 / 1024).toFixed(1)} MB; process RSS ${mb(rssBefore)} MB before, peak ${mb(peak)} MB during ` +
        `(+${mb(peak - rssBefore)} MB${reset ? "" : ", sampled"}) | anchor: bare SQL of all card pages (${cardRows} rows, keyset by 200) ${ms(sqlMs)} ms${over}`,
    );
  }
  await app.close();
  await database.close();
}

await main();
