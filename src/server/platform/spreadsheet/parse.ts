// Reading a spreadsheet's first sheet into rows of cells, counting what it costs as it goes. Runs inside
// the worker thread (worker.ts); nothing here touches the database or the server.
import { Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import ExcelJS from "exceljs";
import unzipper from "unzipper";
import { type LimitName, limitMessage, limitStatus, type SheetLimits } from "./limits.ts";

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

/** Why a file was refused: a limit (413/422) or a file that is not a spreadsheet (400). */
export class SheetError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly limit?: LimitName,
    readonly max?: number,
  ) {
    super(message);
  }
}

export const overLimit = (limit: LimitName, max: number) =>
  new SheetError(limitStatus(limit), limitMessage(limit, max), limit, max);

const notSpreadsheet = (why: string) => new SheetError(400, why);

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

function cellValue(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return v;
  if (typeof v === "string") return v.trim();
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === "object") {
    if ("richText" in v)
      return v.richText
        .map((t) => t.text)
        .join("")
        .trim();
    if ("result" in v) return v.result === undefined || v.result === null ? "" : cellValue(v.result as any);
    if ("text" in v) return String(v.text).trim();
    if ("error" in v) return String(v.error);
  }
  return String(v).trim();
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

/**
 * The zip's entries as declared in its central directory, refused before anything is inflated when they
 * add up beyond the limit; then every entry inflated once through the same streaming parser exceljs uses,
 * counting bytes, so a header that lies about its size is caught too before exceljs holds any of it.
 */
async function checkZip(buf: Buffer, max: number) {
  let declared = 0;
  try {
    const dir = await unzipper.Open.buffer(buf);
    for (const f of dir.files) declared += Number(f.uncompressedSize) || 0;
  } catch {
    throw notSpreadsheet("文件不是有效的 xlsx（压缩包已损坏）/ The file is not a valid xlsx");
  }
  if (declared > max) throw overLimit("decompressedBytes", max);
  let inflated = 0;
  const entries = Readable.from([buf]).pipe(unzipper.Parse({ forceStream: true }));
  try {
    for await (const entry of entries as AsyncIterable<NodeJS.ReadableStream & { autodrain(): void }>) {
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        inflated += chunk.length;
        if (inflated > max) throw overLimit("decompressedBytes", max);
      }
    }
  } catch (e) {
    if (e instanceof SheetError) throw e;
    throw notSpreadsheet("文件不是有效的 xlsx（压缩包已损坏）/ The file is not a valid xlsx");
  } finally {
    (entries as unknown as Readable).destroy();
  }
}

async function readXlsx(buf: Buffer, limits: SheetLimits, count: Counter) {
  await checkZip(buf, limits.decompressedBytes);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buf]), {
    sharedStrings: "cache",
    worksheets: "emit",
    styles: "ignore",
    hyperlinks: "ignore",
  });
  let sheets = 0;
  try {
    for await (const sheet of reader) {
      sheets++;
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = (row.values as ExcelJS.CellValue[]) ?? [];
        // exceljs puts column A at index 1.
        count.add(row.number, Array.from(values.slice(1), cellValue));
        await count.flush();
      }
      break; // the first worksheet only
    }
  } catch (e) {
    if (e instanceof SheetError) throw e;
    throw notSpreadsheet(
      "无法读取 xlsx 文件，请确认文件为 Excel 2007 及以上格式 / The file could not be read as xlsx",
    );
  }
  if (!sheets) throw notSpreadsheet("xlsx 文件中没有工作表 / The workbook has no worksheet");
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
