// Seed benchmark: wall time, residents/s and database size of `gridkeeper seed --scale district
// --demo-accounts` on a fresh database, next to a bare COPY of the same residents into an unindexed table.
//
//   npx tsx bench/seed.ts [--db postgres|pglite|both] [--scale district|street|community]
//                         [--orders 0] [--order-days 365] [--pg-db gk_bench_district] [--pglite-dir /tmp/gk-bench/pglite-district] [--no-gen]
//
// The seeded databases are left in place (PostgreSQL database gk_bench_district, PGlite folder
// /tmp/gk-bench/pglite-district) for bench/search.ts and bench/coldstart.ts.
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { openPostgres } from "../src/db/client.ts";
import { seedPeople } from "../src/seed/people.ts";
import { FieldCrypto } from "../src/server/platform/crypto.ts";
import {
  arg,
  BENCH_SECRET,
  BENCH_TMP,
  DEFAULT_PG_DB,
  DEFAULT_PGLITE_DIR,
  duBytes,
  gb,
  log,
  mb,
  now,
  PG_HOST,
  pgUrl,
  psql,
  recreatePgDatabase,
  result,
  runCli,
  secs,
} from "./lib.ts";

const SCOPES: Record<string, string> = { community: "320613019010", street: "320613019", district: "320613" };
const scale = arg("scale", "district")!;
const which = arg("db", "both")!;
const withGen = !process.argv.includes("--no-gen");
/** Passed through to `seed --orders` (work orders over `--order-days`); 0 = residents only, as in the figures. */
const orders = arg("orders", "0")!;
const orderDays = arg("order-days", "365")!;

const RESIDENT_COLS =
  "id, household_id, building_id, org_unit_id, org_path, name, name_initials, gender, birth_date, id_cipher, id_hash, id_tail, phone_cipher, phone_hash, phone_tail, address, relation_to_head, living_arrangement, tags";

/** Runs the real CLI seed and splits its wall time into "before the first community" and "people". */
async function runSeed(env: Record<string, string | undefined>) {
  let firstProgressAt = 0; // when the CLI reports the org tree loaded (start + migrate + org tree done)
  let lastProgressLine = "";
  const t0 = now();
  let shown = 0;
  const r = await runCli(
    [
      "seed",
      "--scale",
      scale,
      "--seed",
      "1",
      "--demo-accounts",
      ...(orders !== "0" ? ["--orders", orders, "--order-days", orderDays] : []),
    ],
    { GRIDKEEPER_SECRET: BENCH_SECRET, ...env },
    {
      echo: (line) => {
        if (line.startsWith("组织树已载入") && !firstProgressAt) firstProgressAt = now() - t0;
        if (line.startsWith("生成居民")) {
          lastProgressLine = line;
          return ++shown % 25 === 1;
        }
        return true;
      },
    },
  );
  log(`    | ${lastProgressLine}`);
  return { ...r, firstProgressMs: firstProgressAt };
}

async function benchPostgres() {
  const dbName = arg("pg-db", DEFAULT_PG_DB)!;
  const url = pgUrl(dbName);
  log(`== seed --scale ${scale} on PostgreSQL (fresh database ${dbName})`);
  recreatePgDatabase(dbName);
  const seed = await runSeed({ DATABASE_URL: url, GRIDKEEPER_DATA_DIR: path.join(BENCH_TMP, "pg-datadir") });
  psql(dbName, "analyze");
  const residents = Number(psql(dbName, "select count(*) from residents"));
  const dbSize = Number(psql(dbName, "select pg_database_size(current_database())"));
  const tableSize = Number(psql(dbName, "select pg_table_size('residents')"));
  const indexSize = Number(psql(dbName, "select pg_indexes_size('residents')"));

  // Anchor: the same resident rows as CSV, COPYed by psql into a table with the same columns and no indexes.
  const csv = path.join(BENCH_TMP, "residents-anchor.csv");
  fs.mkdirSync(BENCH_TMP, { recursive: true });
  let t = now();
  psql(dbName, `\\copy (select ${RESIDENT_COLS} from residents) to '${csv}' with (format csv)`);
  const exportMs = now() - t;
  const csvBytes = fs.statSync(csv).size;
  psql(
    dbName,
    "drop table if exists bench_copy_anchor; create table bench_copy_anchor (like residents including defaults)",
  );
  t = now();
  psql(dbName, `\\copy bench_copy_anchor (${RESIDENT_COLS}) from '${csv}' with (format csv)`);
  const copyMs = now() - t;
  // Second anchor: the same COPY into a table carrying the residents indexes (what the seed's COPY pays).
  psql(
    dbName,
    "drop table bench_copy_anchor; create table bench_copy_anchor (like residents including defaults including indexes)",
  );
  t = now();
  psql(dbName, `\\copy bench_copy_anchor (${RESIDENT_COLS}) from '${csv}' with (format csv)`);
  const copyIdxMs = now() - t;
  psql(dbName, "drop table bench_copy_anchor");
  fs.rmSync(csv);

  let genMs = 0;
  if (withGen) {
    // Anchor: generating + encrypting + CSV-encoding the same people with COPY replaced by a no-op (pure CPU cost).
    const database = await openPostgres(url, 2);
    const nullDb = { ...database, copyCsv: async () => {} };
    t = now();
    await seedPeople(nullDb, new FieldCrypto(BENCH_SECRET), SCOPES[scale], 1);
    genMs = now() - t;
    await database.close();
  }

  result(
    `seed ${scale} (postgres): ${secs(seed.ms)} s, ${residents} residents, ${Math.round(residents / (seed.ms / 1000))} residents/s, ` +
      `db ${gb(dbSize)} GB (residents heap ${mb(tableSize)} MB + indexes ${mb(indexSize)} MB), seed peak RSS ${mb(seed.peakRss)} MB` +
      ` | anchor: psql COPY of the same ${mb(csvBytes)} MB resident CSV into an unindexed table: ${secs(copyMs)} s` +
      ` (${Math.round(residents / (copyMs / 1000))} rows/s)`,
  );
  result(
    `  breakdown: start+migrate+org tree ${secs(seed.firstProgressMs)} s, people+accounts ${secs(seed.ms - seed.firstProgressMs)} s` +
      ` | same COPY into a table with the 11 residents indexes: ${secs(copyIdxMs)} s; COPY TO (export) ${secs(exportMs)} s` +
      (withGen ? `; generate+encrypt+CSV only (COPY no-op, in-process): ${secs(genMs)} s` : ""),
  );
}

async function benchPglite() {
  const dir = arg("pglite-dir", DEFAULT_PGLITE_DIR)!;
  log(`== seed --scale ${scale} on PGlite (fresh folder ${dir})`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const seed = await runSeed({ GRIDKEEPER_DATA_DIR: dir, DATABASE_URL: "" });
  const folderBytes = duBytes(dir);

  const client = await PGlite.create({ dataDir: path.join(dir, "pglite") });
  const one = async (sql: string) => Number(Object.values((await client.query<any>(sql)).rows[0])[0]);
  await client.query("analyze");
  const residents = await one("select count(*)::int from residents");
  const dbSize = await one("select pg_database_size(current_database())");

  // Anchor: the same resident rows exported per community (COPY TO /dev/blob) and COPYed back into an
  // unindexed table, one COPY per community exactly like the seed; only the COPY FROM is timed.
  const communities = (
    await client.query<{ path: string }>("select path from org_units where kind = 'community' order by path")
  ).rows;
  await client.exec(
    "drop table if exists bench_copy_anchor; create table bench_copy_anchor (like residents including defaults)",
  );
  let copyMs = 0;
  let csvBytes = 0;
  for (const c of communities) {
    const out = await client.query(
      `copy (select ${RESIDENT_COLS} from residents where org_path like '${c.path}%') to '/dev/blob' with (format csv)`,
    );
    if (!out.blob || out.blob.size === 0) continue;
    csvBytes += out.blob.size;
    const t = now();
    await client.query(`copy bench_copy_anchor (${RESIDENT_COLS}) from '/dev/blob' with (format csv)`, [], {
      blob: out.blob,
    });
    copyMs += now() - t;
  }
  await client.query("drop table bench_copy_anchor");
  await client.close();

  result(
    `seed ${scale} (pglite): ${secs(seed.ms)} s, ${residents} residents, ${Math.round(residents / (seed.ms / 1000))} residents/s, ` +
      `db ${gb(dbSize)} GB (data folder ${gb(folderBytes)} GB), seed peak RSS ${mb(seed.peakRss)} MB` +
      ` | anchor: PGlite COPY of the same ${mb(csvBytes)} MB resident CSV into an unindexed table (per community): ${secs(copyMs)} s` +
      ` (${Math.round(residents / (copyMs / 1000))} rows/s)`,
  );
  result(
    `  breakdown: start+migrate+org tree ${secs(seed.firstProgressMs)} s, people+accounts ${secs(seed.ms - seed.firstProgressMs)} s`,
  );
}

log(`PostgreSQL at ${PG_HOST}; bench data under ${BENCH_TMP}`);
if (which === "postgres" || which === "both") await benchPostgres();
if (which === "pglite" || which === "both") await benchPglite();
