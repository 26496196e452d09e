// Door-to-door campaigns 敲门行动 (issue 15) on their own PostgreSQL database (gk_bench_campaigns, recreated):
//
//   node --import tsx bench/campaigns.ts [--per-building 34] [--members 200] [--records 50] [--bursts 3] [--n 60] [--keep]
//
//   load      the district org tree (908 grids, 14,277 micro-grids), one building per micro-grid with
//             --per-building households (34 → ≈ 485,000), generated set-based (INSERT … SELECT), and one grid worker
//             per grid. Anchor: a bare `create table … as select` copy of the households.
//   launch    a district campaign over all 908 grids, every household, assigned in one statement (launch(), as a
//             district commander): wall time (target < 30 s). Anchor: the bare copy above.
//   list      a member's households in walking order (field's myHouseholds) for random members: p50/p95 (target
//             p95 < 20 ms). Anchors: the member's rows bare (same index, no other table) and a bare count.
//   sync      --members 200 members each syncing --records 50 offline records at once (one batch each, through
//             sync(): checks, insert, household states, tallies under lock, audit rows): all stored once, wall
//             time, p50/p99 per batch; then every batch replayed: nothing stored twice; then --bursts − 1 more
//             bursts of other members (the progress reads of all bursts pooled), then 200 more members paced 8 in
//             flight. While the syncs run, the district's progress (progress(), as the commander) is read in a
//             loop: p50/p95 (target p95 < 200 ms); and once more when quiet. Anchors: progress's two rollup reads as bare SQL (quiet, and on the reader's
//             pool during the syncs beside a bare "select 1"); the list beside the member's rows bare. Every figure
//             carries the load average (/proc/loadavg) at the time: the machine is shared.
//
// Services are called directly (no HTTP): the figures are the module's SQL and logic, not Fastify's.

import crypto from "node:crypto";
import fs from "node:fs";
import { loadConfig } from "../src/config.ts";
import { openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import type { Answers } from "../src/domain/campaigns/questionnaire.ts";
import { seedOrgTree } from "../src/seed/orgTree.ts";
import type { Actor, AppContext } from "../src/server/context.ts";
import { visibleCampaign } from "../src/server/modules/campaigns/common.ts";
import { field, myHouseholds, sync } from "../src/server/modules/campaigns/field.ts";
import { DEMO_QUESTIONS, launch } from "../src/server/modules/campaigns/index.ts";
import { forgetProgress, progress } from "../src/server/modules/campaigns/progress.ts";
import { FieldCrypto } from "../src/server/platform/crypto.ts";
import { VERSION } from "../src/version.ts";
import {
  arg,
  BENCH_SECRET,
  log,
  ms,
  now,
  pgUrl,
  psql,
  recreatePgDatabase,
  result,
  secs,
  stats,
} from "./lib.ts";

const DB = "gk_bench_campaigns";
/** The machine's load average (1, 5, 15 min), printed beside every figure: the machine is shared. */
const load = () => `load ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`;
const PER_BUILDING = Number(arg("per-building", "34"));
const MEMBERS = Number(arg("members", "200"));
const RECORDS = Number(arg("records", "50"));
const N = Number(arg("n", "60"));
const BURSTS = Number(arg("bursts", "3"));

recreatePgDatabase(DB);
const db = await openPostgres(pgUrl(DB), 24);
try {
  await migrate(db);
  const ctx: AppContext = {
    config: loadConfig({}),
    database: db,
    crypto: new FieldCrypto(BENCH_SECRET),
    version: VERSION,
  };

  // ——— load ———
  log("load: org tree");
  await seedOrgTree(db);
  let t = now();
  await db.query(
    `insert into buildings (org_unit_id, org_path, name, address, floors, units)
     select m.id, m.path, (row_number() over (partition by m.parent_id order by m.id)) || '幢', m.name || ' 1幢', 6, 3
       from org_units m where m.kind = 'micro_grid'`,
  );
  await db.query(
    `insert into households (building_id, org_unit_id, org_path, unit_no, room_no, address)
     select b.id, b.org_unit_id, b.org_path, 1 + (g - 1) / 12, ((((g - 1) % 12) / 2) + 1) || '0' || (1 + (g - 1) % 2) || '室',
            b.address || ' ' || (1 + (g - 1) / 12) || '单元 ' || ((((g - 1) % 12) / 2) + 1) || '0' || (1 + (g - 1) % 2) || '室'
       from buildings b cross join generate_series(1, $1) g`,
    [PER_BUILDING],
  );
  const loadMs = now() - t;
  await db.query(
    `insert into accounts (username, display_name, password_hash, role, org_unit_id)
     select 'bench-gw-' || g.code, g.name || ' 网格员', 'x', 'grid_worker', g.id from org_units g where g.kind = 'grid'`,
  );
  await db.query("analyze");
  const [{ n: households }] = await db.query<{ n: number }>("select count(*)::int as n from households");
  t = now();
  await db.query("create table bench_copy as select * from households");
  const copyMs = now() - t;
  await db.query("drop table bench_copy");
  result(
    `load: ${households} households generated in ${secs(loadMs)} s (anchor: bare copy of them ${secs(copyMs)} s)`,
  );

  const [district] = await db.query<{ id: number; path: string; name: string }>(
    "select id, path, name from org_units where kind = 'district' limit 1",
  );
  const commander: Actor = {
    kind: "account",
    id: 1,
    username: "bench-commander",
    displayName: "区指挥中心（基准）",
    role: "commander",
    orgUnitId: district.id,
    orgPath: district.path,
    orgName: district.name,
    orgKind: "district",
  };
  const grids = await db.query<{ id: number }>("select id from org_units where kind = 'grid' order by id");

  // ——— launch ———
  log(`launch: district campaign over ${grids.length} grids`);
  t = now();
  const c = await launch(ctx, commander, {
    name: "基准 · 全区敲门行动",
    orgUnitId: district.id,
    startsOn: "2026-01-01",
    endsOn: "2099-12-31",
    gridIds: grids.map((g) => g.id),
    target: { kind: "all" },
    questions: DEMO_QUESTIONS,
    notice: { title: "爱心告知书", body: "基准" },
  });
  const launchMs = now() - t;
  result(
    `launch: ${c.households} households assigned in ${secs(launchMs)} s (target < 30 s; anchor bare copy ${secs(copyMs)} s; ${load()})`,
  );

  // ——— list ———
  const members = await db.query<Actor & { n: number }>(
    `select a.id, a.username, a.display_name as "displayName", a.role, a.org_unit_id as "orgUnitId", o.path as "orgPath",
            o.name as "orgName", o.kind as "orgKind", 'account' as kind,
            (select count(*)::int from campaign_households ch where ch.member_id = a.id) as n
       from accounts a join org_units o on o.id = a.org_unit_id where a.username like 'bench-gw-%' order by a.id`,
  );
  const pick = () => members[Math.floor(Math.random() * members.length)];
  const listSamples: number[] = [];
  const bareSamples: number[] = [];
  const bareRows: number[] = [];
  for (let i = 0; i < N; i++) {
    const m = pick();
    let s = now();
    await myHouseholds(ctx, m, c.id);
    listSamples.push(now() - s);
    s = now();
    await db.query("select count(*) from campaign_households where member_id = $1 and campaign_id = $2", [
      m.id,
      c.id,
    ]);
    bareSamples.push(now() - s);
    // The same rows, bare: the member's assignment rows alone, in walking order (no address, no building).
    s = now();
    await db.query(
      `select household_id, unit_no, floor, room_no, status, last_visit_at, revisit_due, records, flagged
         from campaign_households where member_id = $1 and campaign_id = $2
        order by building_id, unit_no nulls first, floor nulls first, household_id`,
      [m.id, c.id],
    );
    bareRows.push(now() - s);
  }
  const l = stats(listSamples);
  const lb = stats(bareSamples);
  const lr = stats(bareRows);
  const avg = Math.round(members.reduce((a, m) => a + m.n, 0) / members.length);
  result(
    `list: member's households (≈ ${avg} each) p50 ${ms(l.p50)} ms, p95 ${ms(l.p95)} ms (target p95 < 20 ms; anchors: the member's rows bare p50 ${ms(lr.p50)} ms, p95 ${ms(lr.p95)} ms; bare count p95 ${ms(lb.p95)} ms; ${load()})`,
  );
  {
    const m = pick();
    const s = now();
    const f = await field(ctx, m);
    result(
      `list: the whole field call (campaigns, questionnaire, ${f.campaigns[0]?.households.length ?? 0} households) ${ms(now() - s)} ms`,
    );
  }

  // ——— sync, with progress read meanwhile ———
  const batchesOf = (group: typeof members) =>
    Promise.all(
      group.map(async (m) => {
        const hh = await db.query<{ id: number }>(
          "select household_id as id from campaign_households where member_id = $1 and campaign_id = $2 order by household_id limit $3",
          [m.id, c.id, RECORDS],
        );
        return {
          m,
          records: hh.map((h, i) => ({
            clientId: crypto.randomUUID(),
            campaignId: c.id,
            householdId: h.id,
            outcome: (i % 5 === 4 ? "not_home" : "done") as "done" | "not_home",
            questionnaireVersion: 1,
            answers: (i % 5 === 4 ? {} : { present: 1 + (i % 4), elderly: "no" }) as Answers,
            deviceTime: new Date(Date.now() - (RECORDS - i) * 60_000).toISOString(),
            ...(i % 3 === 0 ? { notice: { method: "hand" as const } } : {}),
          })),
        };
      }),
    );
  const syncers = members.slice(0, MEMBERS);
  const batches = await batchesOf(syncers);
  // Anchor for progress: its two rollup reads as bare SQL (the district's grid rows grouped by street,
  // and the trend), one after the other, with no checks, no cache and no JavaScript.
  const BARE_PROGRESS = `select (select json_agg(x) from (select split_part(org_path, '/', 3) as code, sum(target), sum(visited),
      sum(done), sum(revisit), sum(refused) from campaign_rollups where campaign_id = $1 and depth = 3 and org_path like $2
      group by 1) x) as children,
    (select json_agg(y) from (select day, sum(records), sum(done), sum(notices) from campaign_day_rollups
      where campaign_id = $1 and depth = 3 and org_path like $2 group by day order by day) y) as trend`;
  const quietProgress: number[] = [];
  const bareProgress: number[] = [];
  for (let i = 0; i < 10; i++) await progress(ctx, commander, c.id); // warm
  for (let i = 0; i < N; i++) {
    forgetProgress(db);
    let s = now();
    await progress(ctx, commander, c.id);
    quietProgress.push(now() - s);
    s = now();
    await db.query(BARE_PROGRESS, [c.id, `${district.path}%`]);
    bareProgress.push(now() - s);
  }
  const total = batches.reduce((a, b) => a + b.records.length, 0);
  log(`sync: ${syncers.length} members × ${RECORDS} records at once`);
  // The district's reader is another server process: its own connections, not the syncs' pool.
  const readerDb = await openPostgres(pgUrl(DB), 4);
  const readerCtx: AppContext = { ...ctx, database: readerDb };
  const busyProgress: number[] = [];
  const busyMisses: number[] = [];
  const busyAnchor: number[] = [];
  const busySql: number[] = [];
  const busyTwo: number[] = [];
  let loadDuringSync = "";
  // The district's screen, read in a loop while a burst runs (until `burst.on` turns false).
  const readWhile = async (burst: { on: boolean }) => {
    for (let i = 0; burst.on; i++) {
      // Every fourth read forgets the 2 s cache first: the cost of working the figures out while syncs
      // arrive, beside what a reader gets (mostly the last answer, refreshed in the background).
      if (i % 4 === 0) forgetProgress(readerDb);
      let s = now();
      await progress(readerCtx, commander, c.id);
      (i % 4 === 0 ? busyMisses : busyProgress).push(now() - s);
      // Anchors in the same burst: one bare round trip, and the bare rollup SQL, on the reader's pool.
      s = now();
      await readerDb.query("select 1");
      busyAnchor.push(now() - s);
      s = now();
      await readerDb.query(BARE_PROGRESS, [c.id, `${district.path}%`]);
      busySql.push(now() - s);
      // What a cached read cost before its checks were one statement: the campaign, then the unit.
      s = now();
      await visibleCampaign(readerCtx, commander, c.id);
      await readerDb.query(
        "select id, name, kind, path, depth from org_units where id = $1 and path like $2 and path like $3",
        [district.id, `${district.path}%`, `${district.path}%`],
      );
      busyTwo.push(now() - s);
    }
  };
  const burst = { on: true };
  const reader = readWhile(burst);
  const batchMs: number[] = [];
  const failed: string[] = [];
  t = now();
  const answers = await Promise.all(
    batches.map(async (b) => {
      const s = now();
      try {
        const r = await sync(ctx, b.m, b.records);
        batchMs.push(now() - s);
        return r;
      } catch (e) {
        // A batch that waited past the pool's 5 s for a connection fails as a phone's request would (it
        // retries with the same client ids): counted, not fatal.
        failed.push((e as Error).message);
        return { results: [] };
      }
    }),
  );
  const syncWall = now() - t;
  loadDuringSync = load();
  burst.on = false;
  await reader;
  const stored = answers.flatMap((a) => a.results).filter((r) => r.status === "stored").length;
  const [{ n: inDb }] = await db.query<{ n: number }>(
    "select count(*)::int as n from campaign_records where campaign_id = $1",
    [c.id],
  );
  const bs = stats(batchMs);
  result(
    `sync: ${syncers.length} × ${RECORDS} = ${total} records in ${secs(syncWall)} s (${Math.round((total / syncWall) * 1000)} records/s); stored ${stored}, in the database ${inDb}; batches failed ${failed.length}${failed.length ? ` (${[...new Set(failed)].join("; ")})` : ""}; per batch p50 ${ms(bs.p50)} ms, p99 ${ms(bs.p99)} ms, max ${ms(bs.max)} ms (anchor: bare "select 1" on a second pool during the burst p50 ${ms(stats(busyAnchor).p50)} ms, p99 ${ms(stats(busyAnchor).p99)} ms; ${loadDuringSync})`,
  );
  t = now();
  let replayFailed = 0;
  const replay = await Promise.all(
    batches.map((b) =>
      sync(ctx, b.m, b.records).catch(() => {
        replayFailed++;
        return { results: [] as { status: string }[] };
      }),
    ),
  );
  const replayMs = now() - t;
  const [{ n: afterReplay }] = await db.query<{ n: number }>(
    "select count(*)::int as n from campaign_records where campaign_id = $1",
    [c.id],
  );
  const dup = replay.flatMap((a) => a.results).filter((r) => r.status === "duplicate").length;
  result(
    `sync replay: every batch again in ${secs(replayMs)} s → ${dup} answered duplicate, ${replay.flatMap((a) => a.results).filter((r) => r.status === "stored").length} stored (batches that had failed), ${replayFailed} batches failed, records in the database ${afterReplay} (must stay ${inDb})`,
  );
  // More bursts of the same size from other members, read the same way, so the progress figures below
  // rest on more than the one burst's few seconds of reads.
  const moreBatchMs: number[] = [];
  let moreRecords = 0;
  for (let k = 1; k < BURSTS; k++) {
    const group = await batchesOf(members.slice(k * MEMBERS, (k + 1) * MEMBERS));
    moreRecords += group.reduce((a, b) => a + b.records.length, 0);
    const more = { on: true };
    const r = readWhile(more);
    await Promise.all(
      group.map(async (b) => {
        const s = now();
        await sync(ctx, b.m, b.records).catch((e) => failed.push((e as Error).message));
        moreBatchMs.push(now() - s);
      }),
    );
    loadDuringSync += `, ${load()}`;
    more.on = false;
    await r;
  }
  await readerDb.close();
  if (BURSTS > 1) {
    const mb = stats(moreBatchMs);
    result(
      `sync: ${BURSTS - 1} more bursts of ${MEMBERS} × ${RECORDS} at once: per batch p50 ${ms(mb.p50)} ms, p99 ${ms(mb.p99)} ms; batches failed in all ${failed.length}`,
    );
  }
  // The same load paced: the next members' batches with at most 8 in flight, so a batch's time is its own
  // work (checks, insert, household states, tallies, audit) rather than its wait for a connection.
  const next = members.slice(BURSTS * MEMBERS, (BURSTS + 1) * MEMBERS);
  const pacedBatches = await Promise.all(
    next.map(async (m) => {
      const hh = await db.query<{ id: number }>(
        "select household_id as id from campaign_households where member_id = $1 and campaign_id = $2 order by household_id limit $3",
        [m.id, c.id, RECORDS],
      );
      return {
        m,
        records: hh.map((h, i) => ({
          clientId: crypto.randomUUID(),
          campaignId: c.id,
          householdId: h.id,
          outcome: "done" as const,
          questionnaireVersion: 1,
          answers: { present: 1 + (i % 4), elderly: "no" } as Answers,
          deviceTime: new Date(Date.now() - (RECORDS - i) * 60_000).toISOString(),
        })),
      };
    }),
  );
  const pacedMs: number[] = [];
  const queue = [...pacedBatches];
  t = now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let b = queue.shift(); b; b = queue.shift()) {
        const s = now();
        await sync(ctx, b.m, b.records);
        pacedMs.push(now() - s);
      }
    }),
  );
  const pacedWall = now() - t;
  const ps = stats(pacedMs);
  result(
    `sync paced (${next.length} more members × ${RECORDS}, 8 in flight): ${secs(pacedWall)} s; per batch p50 ${ms(ps.p50)} ms, p99 ${ms(ps.p99)} ms (${load()})`,
  );
  const [tally] = await db.query<{ visited: number }>(
    "select sum(visited)::int as visited from campaign_tallies where campaign_id = $1",
    [c.id],
  );
  result(
    `tallies: district visited ${tally.visited} (households with records: ${total + moreRecords + pacedBatches.reduce((a, b) => a + b.records.length, 0)})`,
  );
  const qp = stats(quietProgress);
  const bp = stats(busyProgress);
  const bm = stats(busyMisses);
  const ba = stats(busyAnchor);
  const ap = stats(bareProgress);
  const bq = stats(busySql);
  result(
    `progress (district, street rows + trend): quiet p50 ${ms(qp.p50)} ms, p95 ${ms(qp.p95)} ms; while syncs arrive (${bp.n} reads) p50 ${ms(bp.p50)} ms, p95 ${ms(bp.p95)} ms, worked out afresh (${bm.n} reads, cache forgotten first) p50 ${ms(bm.p50)} ms, p95 ${ms(bm.p95)} ms (target p95 < 200 ms; anchors: bare rollup SQL quiet p50 ${ms(ap.p50)} ms, p95 ${ms(ap.p95)} ms, during the syncs p50 ${ms(bq.p50)} ms, p95 ${ms(bq.p95)} ms; bare "select 1" during the syncs p50 ${ms(ba.p50)} ms, p95 ${ms(ba.p95)} ms; the checks as two statements (before) during the syncs p50 ${ms(stats(busyTwo).p50)} ms, p95 ${ms(stats(busyTwo).p95)} ms; ${loadDuringSync})`,
  );
  const after: number[] = [];
  const afterBare: number[] = [];
  for (let i = 0; i < N; i++) {
    forgetProgress(db);
    let s = now();
    await progress(ctx, commander, c.id);
    after.push(now() - s);
    s = now();
    await db.query(BARE_PROGRESS, [c.id, `${district.path}%`]);
    afterBare.push(now() - s);
  }
  const af = stats(after);
  result(
    `progress after the syncs (with ${inDb + moreRecords + pacedBatches.reduce((a, b) => a + b.records.length, 0)} records in the trend): p50 ${ms(af.p50)} ms, p95 ${ms(af.p95)} ms (anchor: bare rollup SQL now p50 ${ms(stats(afterBare).p50)} ms, p95 ${ms(stats(afterBare).p95)} ms; ${load()})`,
  );
  const size = psql("postgres", `select pg_size_pretty(pg_database_size('${DB}'))`);
  result(`database size ${size}`);
} finally {
  await db.close();
  if (arg("keep") !== "true") psql("postgres", `drop database if exists ${DB} with (force)`);
}
