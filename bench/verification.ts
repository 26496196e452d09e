// Bulk list verification 大数据核查 (issue 14): a 387,300-row list read, cleaned, matched and classified
// (upload → preview → background import to the end), as csv and as xlsx, next to a bare PostgreSQL COPY of
// the same csv into an unindexed table in the same database and run; the process's peak RSS (the reader
// thread included); the longest gap between two moves of the progress counter; and the time to route the
// effective rows of a list into grid tasks (~21,000 rows).
//
// The registry is the demo street (秦灶街道, seeded here into a fresh PostgreSQL database) unless
// --scope names another unit; the list mixes people of the registry (found; some listed under another
// community), strangers (not found), repeats, damaged and mistyped ID numbers, blank and 合计 rows.
//
//   node --import tsx bench/verification.ts [--rows 387300] [--scope 320613019] [--no-xlsx] [--reuse]
//
// --reuse keeps an already seeded gk_bench_verification (its lists and tasks emptied) instead of seeding
// again: for iterating on the import, not for figures to report.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import ExcelJS from "exceljs";
import { loadConfig } from "../src/config.ts";
import { openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { composeIdCard } from "../src/domain/idcard/idcard.ts";
import { DEMO_STREET, loadDemo } from "../src/seed/demo.ts";
import { buildApp } from "../src/server/app.ts";
import * as verification from "../src/server/modules/verification/index.ts";
import { FieldCrypto } from "../src/server/platform/crypto.ts";
import { VERSION } from "../src/version.ts";
import {
  arg,
  BENCH_SECRET,
  BENCH_TMP,
  injectLogin,
  log,
  mb,
  ms,
  now,
  pgDatabaseExists,
  pgUrl,
  procMem,
  recreatePgDatabase,
  result,
  secs,
} from "./lib.ts";

const ROWS = Number(arg("rows", "387300"));
const SCOPE = arg("scope", DEMO_STREET)!;
const XLSX_TOO = arg("no-xlsx") !== "true";
const DB = "gk_bench_verification";

const REUSE = arg("reuse") === "true" && pgDatabaseExists(DB);
if (!REUSE) recreatePgDatabase(DB);
const database = await openPostgres(pgUrl(DB), 4);
await migrate(database);
const crypto = new FieldCrypto(BENCH_SECRET);
let t0 = now();
if (REUSE) {
  log(`reusing the seeded ${DB}`);
  await database.query("drop table if exists bench_copy");
  await database.query("truncate verification_rows, verification_lists cascade");
  await database.query("vacuum analyze verification_rows");
} else {
  log(`seeding ${SCOPE} into ${DB}…`);
  await loadDemo(database, crypto, { scope: SCOPE, seed: 1 });
  await database.query("analyze");
}
const [{ n: registry }] = await database.query<{ n: number }>("select count(*)::int as n from residents");
log(`  ${registry} residents in ${secs(now() - t0)} s`);
const ctx = { config: { ...loadConfig({}), logLevel: "silent" }, database, crypto, version: VERSION };
const app = await buildApp(ctx as never, { logger: false, serveWeb: false });
await app.ready();
const cookie = await injectLogin(app as never, "demo-street");
const csrf = (await app.inject({ url: "/api/me", headers: { cookie } })).json().csrfToken;
const headers = { cookie, "x-csrf-token": csrf };

// The list: ~5.5 % people of the registry (as 2.11 万 of 38.73 万), one in ten of them under another
// community's name; the rest strangers, with repeats, damaged and mistyped numbers, blank and 合计 rows.
const people = await database.query<{ name: string; idCipher: string; address: string; community: string }>(
  `select r.name, r.id_cipher as "idCipher", r.address, c.name as community from residents r
   join org_units c on c.path = substring(r.org_path from '^(/[^/]+/[^/]+/[^/]+/)') order by random() limit $1`,
  [Math.round(ROWS * 0.055)],
);
const header = ["序号", "姓名", "身份证号", "联系电话", "现住址", "所属社区"];
const rows: (string | number)[][] = [];
let pi = 0;
for (let i = 0; rows.length < ROWS; i++) {
  const k = i % 1000;
  if (k === 999) {
    rows.push([]);
    continue;
  }
  if (k === 998) {
    rows.push(["小计", "", "", "", "", ""]);
    continue;
  }
  if (i % 18 === 0 && pi < people.length) {
    const p = people[pi++];
    rows.push([
      i,
      p.name,
      crypto.decrypt(p.idCipher),
      "",
      p.address,
      pi % 10 === 0 ? "观音山社区" : p.community,
    ]);
    continue;
  }
  // Unique per row: the day moves every 1,000 rows, the sequence number within it.
  const day = new Date(Date.UTC(1950, 0, 1) + Math.floor(i / 1000) * 86_400_000).toISOString().slice(0, 10);
  const id = composeIdCard("320602", day, i % 1000);
  if (i % 97 === 0) rows.push([i, "重复者", rows[rows.length - 1]?.[2] ?? id, "", "某地", "苏阳社区"]);
  else if (i % 89 === 0) rows.push([i, `外来${i}`, Number(id.replace("X", "1")), "", "某地", ""]);
  else if (i % 83 === 0)
    rows.push([i, `外来${i}`, `${id.slice(0, 17)}${id[17] === "1" ? "2" : "1"}`, "", "", ""]);
  else rows.push([i, `外来${i}`, id, `138${String(i).padStart(8, "0")}`, `海港路${i % 300}号`, "苏阳社区"]);
}
const csvLine = (r: (string | number)[]) =>
  r
    .map((c) => (typeof c === "string" && /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : String(c)))
    .join(",");
const csv = Buffer.from([csvLine(header), ...rows.map(csvLine)].join("\n"));
fs.mkdirSync(BENCH_TMP, { recursive: true });
fs.writeFileSync(path.join(BENCH_TMP, "verification.csv"), csv);
log(`list: ${ROWS} rows, ${people.length} of the registry, csv ${mb(csv.length)} MB`);

// The anchor: the same csv COPY'd into an unindexed table, same database, same run.
await database.query(
  "create unlogged table bench_copy (seq text, name text, id_number text, phone text, address text, community text)",
);
await database.query("drop table bench_copy");
await database.query(
  "create table bench_copy (seq text, name text, id_number text, phone text, address text, community text)",
);
let body = [
  ...rows.map((r) => (r.length ? csvLine([...r, "", "", "", "", "", ""].slice(0, 6)) : ",,,,,")),
].join("\n");
t0 = now();
await database.copyCsv(
  "bench_copy",
  ["seq", "name", "id_number", "phone", "address", "community"],
  `${body}\n`,
);
const copyMs = now() - t0;
body = "";
const copyRate = ROWS / (copyMs / 1000);
result(
  `COPY of the csv into an unindexed table (anchor): ${secs(copyMs)} s, ${Math.round(copyRate)} rows/s; load ${os.loadavg()[0].toFixed(1)}`,
);

// The xlsx is written before the runs, and the generated rows let go: the peak RSS measured is the import's
// (with the two files the bench uploads), not the bench's own 387,300 rows (~150 MB of heap).
const xlsxFile = path.join(BENCH_TMP, "verification.xlsx");
if (XLSX_TOO) {
  t0 = now();
  // Written by the streaming writer (shared strings, as Excel saves), so the bench itself stays small.
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: xlsxFile, useSharedStrings: true });
  const ws = wb.addWorksheet("核查名单");
  ws.addRow(header).commit();
  for (const r of rows) ws.addRow(r).commit();
  await ws.commit();
  await wb.commit();
  log(`xlsx written in ${secs(now() - t0)} s, ${mb(fs.statSync(xlsxFile).size)} MB`);
}
rows.length = 0;

// The bench's own leftovers (the generated rows, the COPY body, the xlsx writer's buffers: some 250 MB of
// dead heap) are collected before each run's high-water mark is reset; until V8 got round to them they
// counted in the first run's peak (up to ~200 MB of it, depending on when its first major collection came).
// Only this collection, between runs, is forced: the import itself runs under V8's defaults.
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

async function resetPeakRss(): Promise<boolean> {
  collectGarbage();
  // The freed pages go back to the system as V8's sweeper and unmapper get to them: ~1 s later.
  await new Promise((res) => setTimeout(res, 2000));
  try {
    fs.writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

async function run(label: string, file: Buffer, type: string) {
  // Peak RSS of this run alone: the kernel's high-water mark is reset first (writing the list beforehand
  // costs this process memory of its own), then read as the run goes.
  const reset = await resetPeakRss();
  let peak = procMem(process.pid).rss;
  const rss = setInterval(() => {
    const m = procMem(process.pid);
    peak = Math.max(peak, reset ? m.hwm : m.rss);
  }, 100);
  const t = now();
  const cpu0 = process.cpuUsage();
  const up = await app.inject({
    method: "POST",
    url: `/api/verification/lists?filename=${label}`,
    headers: { ...headers, "content-type": type },
    payload: file,
  });
  if (up.statusCode !== 201) throw new Error(`upload ${up.statusCode} ${up.body}`);
  const { id, headerRow, mapping } = up.json();
  const previewMs = now() - t;
  const s = await app.inject({
    method: "POST",
    url: `/api/verification/lists/${id}/start`,
    headers,
    payload: { headerRow, mapping, deadline: "2026-12-10" },
  });
  if (s.statusCode !== 202) throw new Error(`start ${s.statusCode} ${s.body}`);
  // The progress bar's view: how long the counter stood still at most.
  let last = -1;
  let lastMove = now();
  let longest = 0;
  let longestAt = "";
  let state = "running";
  let list: any;
  while (state === "running") {
    const r = await app.inject({ url: `/api/verification/lists/${id}`, headers });
    list = r.json();
    state = list.state;
    if (list.checkpoint !== last) {
      if (now() - lastMove > longest) longestAt = `${last < 0 ? "start" : last}→${list.checkpoint}`;
      longest = Math.max(longest, now() - lastMove);
      lastMove = now();
      last = list.checkpoint;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  const total = now() - t;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(rss);
  if (state !== "succeeded") throw new Error(`${label}: ${state} ${list.error}`);
  const c = list.counters;
  const rate = ROWS / (total / 1000);
  result(
    `${label}: ${ROWS} rows read + cleaned + matched in ${secs(total)} s (preview ${ms(previewMs)} ms) = ${Math.round(rate)} rows/s; ` +
      `${(rate / copyRate).toFixed(2)} × COPY (target ≥ 0.33); peak RSS ${mb(peak)} MB (target < 1024); ` +
      `progress counter still for at most ${ms(longest)} ms (target ≤ 2000), checkpoint ${longestAt}; ` +
      `this process's CPU (both threads) ${((cpu.user + cpu.system) / ROWS).toFixed(1)} µs/row; load ${os.loadavg()[0].toFixed(1)}`,
  );
  result(
    `  classes: found ${c.found ?? 0}, routed ${c.routed ?? 0}, not found ${c.not_found ?? 0}, duplicate ${c.duplicate ?? 0}, invalid ${c.invalid ?? 0}; ` +
      `skipped blank ${c.skip_blank ?? 0}, 合计 ${c.skip_total ?? 0}; rows read ${c.rows}`,
  );
  return id as number;
}

const csvList = await run("csv", csv, "text/csv");

// Routing alone: the effective rows of the list put back unrouted, then routed in one transaction.
const [{ effective }] = await database.query<{ effective: number }>(
  "select count(*)::int as effective from verification_rows where list_id = $1 and class in ('found','routed')",
  [csvList],
);
await database.query("update verification_rows set grid_path = null where list_id = $1", [csvList]);
t0 = now();
await database.db.transaction(async (tx) => verification.routeTasks(tx as never, csvList));
result(`routing ${effective} effective rows into grid tasks: ${ms(now() - t0)} ms (target < 10 s)`);

if (XLSX_TOO) {
  const xlsx = fs.readFileSync(xlsxFile);
  await run("xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

await app.close();
await database.close();
