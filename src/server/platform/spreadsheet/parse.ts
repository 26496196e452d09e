// Reading a spreadsheet's first sheet into rows of cells, counting what it costs as it goes. Runs inside
// the worker thread (worker.ts); nothing here touches the database or the server.
import { Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import type { SheetLimits } from "./limits.ts";
import { notSpreadsheet, overLimit, SheetError } from "./refusal.ts";
import { readXlsxRows } from "./xlsx.ts";

/** A cell as read: text, or a number when the spreadsheet stored one (an ID typed as a number loses digits). */
export type Cell = string | number;

export interface SheetRow {
  /** The row's number in the sheet (1-based), as the person sees it in Excel. */
  n: number;
  cells: Cell[];
}

export interface Sheet {
  format: "xlsx" | "csv";
  /** Non-blank rows only; blank ones are counted in `rowsRead`. */
  rows: SheetRow[];
  rowsRead: number;
  cells: number;
}

export { overLimit, SheetError } from "./refusal.ts";

export function detectFormat(buf: Buffer): "xlsx" | "csv" {
  if (buf.length === 0) throw notSpreadsheet("文件为空（0 字节），请选择台账文件 / The file is empty");
  if (buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) return "xlsx";
  if (buf.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])))
    throw notSpreadsheet(
      "这是旧版 Excel (.xls) 文件，请在 Excel 中另存为 .xlsx 后再导入 / Legacy .xls is not supported; save as .xlsx",
    );
  // Text: no NUL bytes at the start (binary files of every other kind have them early).
  if (buf.subarray(0, 8192).includes(0))
    throw notSpreadsheet("文件不是 xlsx 或 csv 表格 / The file is neither xlsx nor csv");
  return "csv";
}

/** CSV as Excel saves it in China is often GB18030; UTF-8 (with or without BOM) is tried first. */
export function decodeText(buf: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(buf);
  } catch {
    return new TextDecoder("gb18030").decode(buf);
  }
}

const blank = (cells: Cell[]) => cells.every((c) => c === "");

/** Where a streamed read hands its rows: `batchRows` at a time, each awaited (the consumer's backpressure). */
export interface RowSink {
  batchRows: number;
  /** Rows numbered up to this one are counted but not handed over (a resumed read skips what it has). */
  after: number;
  take(rows: SheetRow[]): Promise<void>;
}

class Counter {
  rowsRead = 0;
  cells = 0;
  rows: SheetRow[] = [];
  constructor(
    private readonly limits: SheetLimits,
    private readonly sink?: RowSink,
  ) {}
  /** A row at position `n`: every row up to it counts, blank or absent. */
  add(n: number, cells: Cell[]) {
    this.rowsRead = Math.max(this.rowsRead + 1, n);
    if (this.rowsRead > this.limits.rows) throw overLimit("rows", this.limits.rows);
    if (blank(cells)) return;
    this.cells += cells.filter((c) => c !== "").length;
    if (this.cells > this.limits.cells) throw overLimit("cells", this.limits.cells);
    if (this.sink && n <= this.sink.after) return;
    this.rows.push({ n, cells });
  }
  /** Streaming: hands over a full batch (or, at the end, what is left) and waits until it is taken. */
  async flush(end = false) {
    if (!this.sink) return;
    if (this.rows.length < this.sink.batchRows && !(end && this.rows.length)) return;
    const rows = this.rows;
    this.rows = [];
    await this.sink.take(rows);
  }
}

async function readXlsx(buf: Buffer, limits: SheetLimits, count: Counter) {
  await readXlsxRows(buf, limits.decompressedBytes, async (n, cells) => {
    count.add(n, cells);
    await count.flush();
  });
}

async function readCsv(buf: Buffer, limits: SheetLimits, count: Counter) {
  if (buf.length > limits.decompressedBytes) throw overLimit("decompressedBytes", limits.decompressedBytes);
  const text = Buffer.from(decodeText(buf));
  // Fed in small pieces so the parser waits for each row to be counted: one big chunk would be split into
  // every record it holds (2 million blank lines) before the first one reached the counter.
  const pieces = function* () {
    for (let i = 0; i < text.length; i += 16_384) yield text.subarray(i, i + 16_384);
  };
  const parser = Readable.from(pieces()).pipe(
    parseCsv({
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      trim: true,
    }),
  );
  let n = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      count.add(++n, record);
      await count.flush();
    }
  } catch (e) {
    if (e instanceof SheetError) throw e;
    throw notSpreadsheet(
      `无法读取 csv 文件：第 ${n + 1} 行格式有误 / The csv could not be parsed at line ${n + 1}`,
    );
  } finally {
    parser.destroy();
  }
}

export async function readSheet(buf: Buffer, limits: SheetLimits, sink?: RowSink): Promise<Sheet> {
  const format = detectFormat(buf);
  const count = new Counter(limits, sink);
  if (format === "xlsx") await readXlsx(buf, limits, count);
  else await readCsv(buf, limits, count);
  await count.flush(true);
  return { format, rows: count.rows, rowsRead: count.rowsRead, cells: count.cells };
}
