// The upload reader alone on a 387,300-row list saved as Excel saves it (shared strings), in a fresh process
// per run: time to the first batch of rows, the longest wait between two batches (what the progress bar
// shows), the whole read, the process's peak RSS (VmHWM), and cells that came out with U+FFFD in them.
// Anchor: exceljs's streaming reader as uploads used it before xlsx.ts (checkZip's full inflate pass first,
// then WorkbookReader with shared strings cached), on the same file in the same run.
//
//   node --import tsx bench/xlsxRead.ts [--rows 387300] [--runs 2] [--regen]
//
// The file (about 20 MB) is written once to $GK_BENCH_TMP/xlsxread-<rows>.xlsx by exceljs's streaming
// writer, which puts the shared strings after the sheet: the order that made exceljs buffer the sheet.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import unzipper from "unzipper";
import { composeIdCard } from "../src/domain/idcard/idcard.ts";
import { STREAM_LIMITS } from "../src/server/platform/spreadsheet/index.ts";
import { readSheet, type SheetRow } from "../src/server/platform/spreadsheet/parse.ts";
import { arg, BENCH_TMP, log, mb, now, procMem, result, secs } from "./lib.ts";

const BATCH = 2_000;

interface Figures {
  firstMs: number;
  longestGapMs: number;
  totalMs: number;
  rows: number;
  garbled: number;
  hwm: number;
}

/** Batches as the import takes them: first, longest gap, rows, and cells holding U+FFFD. */
function watcher() {
  const t0 = now();
  let last = t0;
  const f = { firstMs: 0, longestGapMs: 0, rows: 0, garbled: 0 };
  return {
    f,
    t0,
    batch(rows: { cells: unknown[] }[]) {
      const t = now();
      if (!f.rows) f.firstMs = t - t0;
      f.longestGapMs = Math.max(f.longestGapMs, t - last);
      last = t;
      f.rows += rows.length;
      for (const r of rows)
        for (const c of r.cells) if (typeof c === "string" && c.includes("\uFFFD")) f.garbled++;
    },
  };
}

async function ownReader(buf: Buffer): Promise<Figures> {
  const w = watcher();
  await readSheet(buf, STREAM_LIMITS, {
    batchRows: BATCH,
    after: 0,
    take: async (rows: SheetRow[]) => w.batch(rows),
  });
  return { ...w.f, totalMs: now() - w.t0, hwm: procMem(process.pid).hwm };
}

/** What parse.ts did before xlsx.ts: every entry inflated once to count bytes, then exceljs's reader. */
async function exceljsReader(buf: Buffer): Promise<Figures> {
  const w = watcher();
  await unzipper.Open.buffer(buf);
  const entries = Readable.from([buf]).pipe(unzipper.Parse({ forceStream: true }));
  for await (const entry of entries as AsyncIterable<AsyncIterable<Buffer>>)
    for await (const _ of entry) void _;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buf]), {
    sharedStrings: "cache",
    worksheets: "emit",
    styles: "ignore",
    hyperlinks: "ignore",
  });
  let pending: { cells: unknown[] }[] = [];
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      const values = (row.values as ExcelJS.CellValue[]) ?? [];
      pending.push({
        cells: values
          .slice(1)
          .map((v) =>
            typeof v === "object" && v && "richText" in v ? v.richText.map((t) => t.text).join("") : v,
          ),
      });
      if (pending.length >= BATCH) {
        w.batch(pending);
        pending = [];
        await new Promise((r) => setImmediate(r));
      }
    }
    break;
  }
  w.batch(pending);
  return { ...w.f, totalMs: now() - w.t0, hwm: procMem(process.pid).hwm };
}

const child = arg("child");
if (child) {
  const buf = fs.readFileSync(arg("file")!);
  const figures = child === "own" ? await ownReader(buf) : await exceljsReader(buf);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}

const ROWS = Number(arg("rows", "387300"));
const RUNS = Number(arg("runs", "2"));
const file = path.join(BENCH_TMP, `xlsxread-${ROWS}.xlsx`);
if (!fs.existsSync(file) || arg("regen") === "true") {
  fs.mkdirSync(BENCH_TMP, { recursive: true });
  const t0 = now();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  const ws = wb.addWorksheet("核查名单");
  ws.addRow(["序号", "姓名", "身份证号", "联系电话", "现住址", "所属社区"]).commit();
  // As bench/verification.ts's list: unique names and IDs, every thousandth row blank or a 小计.
  const surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘";
  for (let i = 0; i < ROWS; i++) {
    const k = i % 1000;
    if (k === 999) ws.addRow([]).commit();
    else if (k === 998) ws.addRow(["小计", "", "", "", "", ""]).commit();
    else {
      const day = new Date(Date.UTC(1950, 0, 1) + Math.floor(i / 1000) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const id = composeIdCard("320602", day, i % 1000);
      const name = `${surnames[i % surnames.length]}${surnames[(i * 7) % surnames.length]}${i}`;
      ws.addRow([
        i,
        name,
        i % 89 === 0 ? Number(id.replace("X", "1")) : id,
        `138${String(i).padStart(8, "0")}`,
        `海港路${i % 300}号`,
        "苏阳社区",
      ]).commit();
    }
  }
  await ws.commit();
  await wb.commit();
  log(`wrote ${file}: ${mb(fs.statSync(file).size)} MB in ${secs(now() - t0)} s`);
}

const self = fileURLToPath(import.meta.url);
for (let run = 1; run <= RUNS; run++)
  for (const reader of ["exceljs", "own"]) {
    const out = execFileSync(process.execPath, ["--import", "tsx", self, "--child", reader, "--file", file], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    const f = JSON.parse(out.trim().split("\n").at(-1)!) as Figures;
    result(
      `${reader === "own" ? "xlsx.ts" : "exceljs (before, anchor)"} run ${run}: first rows ${secs(f.firstMs)} s, longest gap ${secs(f.longestGapMs)} s, whole read ${secs(f.totalMs)} s (${f.rows} rows, ${Math.round(f.rows / (f.totalMs / 1000))} rows/s), peak RSS ${mb(f.hwm)} MB, cells with U+FFFD ${f.garbled}; load ${os.loadavg()[0].toFixed(1)}`,
    );
  }
