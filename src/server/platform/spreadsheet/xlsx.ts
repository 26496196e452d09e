// The first worksheet of an uploaded xlsx, read straight from its zip a row at a time. Exports still write
// with exceljs; uploads read here, because exceljs's streaming reader cost too much and read wrong: it held
// the whole shared-strings table before the first row and buffered the sheet while it waited for it (1 GB of
// RSS and a progress bar standing still 6.5 s on a 387,300-row list), it decoded each 64 KB chunk on its own
// (a Chinese character whose bytes straddled two chunks came out as U+FFFD: 73 names of that list), and it
// kept only the last <t> of a string (a rich-text name lost its first runs; a phonetic run replaced the name).
//
// How: the central directory first (sizes refused before anything inflates); then the sheet and the shared
// strings inflate side by side, two independent streams over the upload's buffer, each through a streaming
// UTF-8 decoder (no character is ever cut) into its own SAX parser, every inflated byte counted against the
// limit as it arrives. Shared strings are parsed only as far as the rows read so far refer to, so the first
// rows come out at once whichever of the two the zip holds first.
import path from "node:path";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { SaxesParser } from "saxes";
import unzipper from "unzipper";
import type { Cell } from "./parse.ts";
import { notSpreadsheet, overLimit, SheetError } from "./refusal.ts";

/** Inflated text is handed on 64 KB at a time: what the sheet's parser and the byte count see per step. */
const CHUNK = 64 * 1024;
/** XFD, Excel's last column: a reference beyond it is a broken file, not a reason to allocate its width. */
const MAX_COLUMN = 16_384;

const brokenZip = () => notSpreadsheet("文件不是有效的 xlsx（压缩包已损坏）/ The file is not a valid xlsx");
const unreadable = () =>
  notSpreadsheet(
    "无法读取 xlsx 文件，请确认文件为 Excel 2007 及以上格式 / The file could not be read as xlsx",
  );
const badText = () =>
  notSpreadsheet(
    "xlsx 文件中的文字编码有误，请在 Excel 中打开并另存为后再导入 / The xlsx holds text that is not valid UTF-8",
  );

/** A zip entry as its central directory declares it. */
interface ZipFile {
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/** Part names are case-insensitive in a package (OPC); some writers put backslashes or a leading slash. */
const partName = (p: string) => p.replace(/\\/g, "/").replace(/^\/+/, "").toLowerCase();

async function centralDirectory(buf: Buffer): Promise<Map<string, ZipFile>> {
  let dir: Awaited<ReturnType<typeof unzipper.Open.buffer>>;
  try {
    dir = await unzipper.Open.buffer(buf);
  } catch {
    throw brokenZip();
  }
  const files = new Map<string, ZipFile>();
  for (const f of dir.files)
    files.set(partName(f.path), {
      method: f.compressionMethod,
      flags: f.flags,
      crc: f.crc32 >>> 0,
      compressedSize: Number(f.compressedSize) || 0,
      size: Number(f.uncompressedSize) || 0,
      offset: Number(f.offsetToLocalFileHeader) || 0,
    });
  return files;
}

/** The entry's compressed bytes: after its local header, whose name and extra field may differ in length. */
function compressedData(buf: Buffer, f: ZipFile): Buffer {
  if (f.flags & 1) throw notSpreadsheet("xlsx 文件已加密，请取消密码后再导入 / The xlsx is encrypted");
  if (f.offset + 30 > buf.length || buf.readUInt32LE(f.offset) !== 0x04034b50) throw brokenZip();
  const start = f.offset + 30 + buf.readUInt16LE(f.offset + 26) + buf.readUInt16LE(f.offset + 28);
  if (start + f.compressedSize > buf.length) throw brokenZip();
  return buf.subarray(start, start + f.compressedSize);
}

/** Inflated bytes of every entry read, counted as they come: a header that lies about its size is caught. */
class Budget {
  private used = 0;
  constructor(private readonly max: number) {}
  take(n: number) {
    this.used += n;
    if (this.used > this.max) throw overLimit("decompressedBytes", this.max);
  }
}

/** One zip entry inflated a chunk at a time and decoded as a stream: text never ends inside a character. */
class EntryText {
  private readonly stream: Readable;
  private readonly chunks: AsyncIterator<Buffer>;
  private decoder: TextDecoder | undefined;
  private crc = 0;
  private size = 0;
  private ended = false;

  constructor(
    buf: Buffer,
    private readonly file: ZipFile,
    private readonly budget: Budget,
  ) {
    const data = compressedData(buf, file);
    if (file.method === 8) {
      // The whole compressed entry is written at once; zlib inflates it only as fast as it is read.
      const inflate = zlib.createInflateRaw({ chunkSize: CHUNK });
      inflate.end(data);
      this.stream = inflate;
    } else if (file.method === 0) {
      this.stream = Readable.from(
        (function* () {
          for (let i = 0; i < data.length; i += CHUNK) yield data.subarray(i, i + CHUNK);
        })(),
      );
    } else throw brokenZip();
    this.chunks = this.stream[Symbol.asyncIterator]();
  }

  /** The next inflated chunk, counted; at the end the size and checksum the directory declared are checked. */
  private async chunk(): Promise<Buffer | undefined> {
    if (this.ended) return undefined;
    let next: IteratorResult<Buffer>;
    try {
      next = await this.chunks.next();
    } catch {
      throw brokenZip();
    }
    if (next.done) {
      this.ended = true;
      if (this.size !== this.file.size || this.crc !== this.file.crc) throw brokenZip();
      return undefined;
    }
    this.budget.take(next.value.length);
    this.size += next.value.length;
    // zlib.crc32 is Node ≥ 20.15 (package.json engines).
    this.crc = zlib.crc32(next.value, this.crc);
    return next.value;
  }

  /** The next piece of text, or undefined at the end. Bytes that are not UTF-8 refuse the file (400). */
  async next(): Promise<string | undefined> {
    const chunk = await this.chunk();
    try {
      if (chunk) {
        // UTF-8 as every xlsx writer saves; UTF-16 (allowed by XML) is told by its byte-order mark.
        this.decoder ??= new TextDecoder(
          chunk[0] === 0xff && chunk[1] === 0xfe
            ? "utf-16le"
            : chunk[0] === 0xfe && chunk[1] === 0xff
              ? "utf-16be"
              : "utf-8",
          { fatal: true },
        );
        return this.decoder.decode(chunk, { stream: true });
      }
      const rest = this.decoder?.decode();
      this.decoder = undefined;
      return rest || undefined;
    } catch {
      throw badText();
    }
  }

  /** The rest, inflated and counted but not decoded or parsed. */
  async skip() {
    while (await this.chunk());
  }

  destroy() {
    this.stream.destroy();
  }
}

async function wholeText(buf: Buffer, file: ZipFile, budget: Budget): Promise<string> {
  const entry = new EntryText(buf, file, budget);
  try {
    let text = "";
    for (let t = await entry.next(); t !== undefined; t = await entry.next()) text += t;
    return text;
  } finally {
    entry.destroy();
  }
}

/** An element's name without its namespace prefix (<x:row> from some .NET writers is <row>). */
const local = (name: string) => {
  const i = name.indexOf(":");
  return i < 0 ? name : name.slice(i + 1);
};

/** A SAX parser without namespace processing (attributes as plain strings) or positions (faster). */
const plainParser = () =>
  new SaxesParser<{ xmlns: false; position: false }>({ xmlns: false, position: false });

/** Every element's start tag of a small document, in order. */
function elements(xml: string, visit: (name: string, attrs: Record<string, string>) => void) {
  const parser = plainParser();
  parser.on("opentag", (tag) => visit(local(tag.name), tag.attributes));
  parser.write(xml).close();
}

/**
 * The first sheet of the workbook (its first tab, as xl/workbook.xml lists them) and the shared strings,
 * found through the workbook's relationships; a workbook that does not say is read at the usual places.
 */
async function parts(buf: Buffer, files: Map<string, ZipFile>, budget: Budget) {
  const rels = new Map<string, { type: string; part: string }>();
  const sheetIds: string[] = [];
  const book = files.get("xl/workbook.xml");
  const bookRels = files.get("xl/_rels/workbook.xml.rels");
  if (book && bookRels) {
    try {
      elements(await wholeText(buf, bookRels, budget), (name, a) => {
        if (name !== "Relationship" || !a.Id || !a.Target) return;
        const part = a.Target.startsWith("/") ? a.Target : path.posix.normalize(`xl/${a.Target}`);
        rels.set(a.Id, { type: a.Type ?? "", part: partName(part) });
      });
      elements(await wholeText(buf, book, budget), (name, a) => {
        if (name !== "sheet") return;
        const id = a["r:id"] ?? Object.entries(a).find(([k]) => k.endsWith(":id"))?.[1];
        if (id) sheetIds.push(id);
      });
    } catch (e) {
      if (e instanceof SheetError) throw e;
      // Workbook XML that does not parse: the sheet is looked for where every writer puts it.
    }
  }
  let sheet: ZipFile | undefined;
  for (const id of sheetIds) {
    const rel = rels.get(id);
    // A chart sheet has no cells: the first worksheet is the first tab that is one.
    if (rel?.type.endsWith("/worksheet")) sheet = files.get(rel.part);
    if (sheet) break;
  }
  sheet ??= files.get("xl/worksheets/sheet1.xml");
  if (!sheet) throw notSpreadsheet("xlsx 文件中没有工作表 / The workbook has no worksheet");
  const stringsRel = [...rels.values()].find((r) => r.type.endsWith("/sharedStrings"));
  const strings = (stringsRel && files.get(stringsRel.part)) ?? files.get("xl/sharedstrings.xml");
  return { sheet, strings };
}

/**
 * The shared-strings table, parsed only as far as asked: rows need the strings up to their highest index,
 * and Excel numbers strings in the order the sheet first uses them, so the table grows with the rows. Rich
 * text is its runs' text joined; phonetic runs (<rPh>, the furigana of a Japanese name) are not the text.
 */
class SharedStrings {
  readonly list: string[] = [];
  private readonly parser = plainParser();
  private done: boolean;
  private text = "";
  private inItem = false;
  private inText = false;
  private phonetic = 0;

  constructor(private readonly entry: EntryText | undefined) {
    this.done = !entry;
    this.parser.on("opentag", (tag) => {
      switch (local(tag.name)) {
        case "si":
          this.inItem = true;
          this.text = "";
          this.phonetic = 0;
          break;
        case "rPh":
          this.phonetic++;
          break;
        case "t":
          this.inText = this.inItem && !this.phonetic;
          break;
      }
    });
    this.parser.on("closetag", (tag) => {
      switch (local(tag.name)) {
        case "t":
          this.inText = false;
          break;
        case "rPh":
          this.phonetic--;
          break;
        case "si":
          this.list.push(this.text.trim());
          this.inItem = false;
          break;
      }
    });
    const text = (t: string) => {
      if (this.inText) this.text += t;
    };
    this.parser.on("text", text);
    this.parser.on("cdata", text);
  }

  /** Reads on until string `index` is known (or the table ends: a missing string reads as blank). */
  async need(index: number) {
    while (this.list.length <= index && !this.done) {
      const text = await this.entry!.next();
      if (text === undefined) {
        this.done = true;
        this.parser.close();
      } else this.parser.write(text);
    }
  }

  /** The rest of the table, inflated and counted but not parsed: a lying size or a bad checksum still refuses. */
  async finish() {
    await this.entry?.skip();
  }

  destroy() {
    this.entry?.destroy();
  }
}

/** A row as parsed, before its shared strings are looked up. */
class ParsedRow {
  readonly cells: Cell[] = [];
  /** Column and string index, in pairs, of the cells that are shared strings. */
  readonly shared: number[] = [];
  maxShared = -1;
  constructor(readonly n: number) {}

  /** The row's cells with shared strings in place and no holes (a column left out is blank). */
  resolve(strings: string[]): Cell[] {
    const { cells, shared } = this;
    for (let i = 0; i < shared.length; i += 2) cells[shared[i]] = strings[shared[i + 1]] ?? "";
    for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = "";
    return cells;
  }
}

/** The column of a reference such as "AB12" (28), or 0 when it has no letters. */
function columnOf(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length && col <= MAX_COLUMN; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower case
    if (c < 97 || c > 122) break;
    col = col * 26 + (c - 96);
  }
  return col;
}

/** A number as a number (an ID stored as one must stay one: the cleaning flags it as damaged). */
function numberCell(text: string): Cell {
  const s = text.trim();
  if (!s) return "";
  const x = Number(s);
  return Number.isFinite(x) ? x : s;
}

/**
 * The sheet's rows as its XML is written to the parser, a chunk at a time; finished rows wait in `ready`.
 * Rows and cells without an `r` take the next position. A cell's value is its cached <v> (a formula's
 * result included) or its inline string; its type `t` says how to read it.
 */
class SheetRows {
  private ready: ParsedRow[] = [];
  private readonly parser = plainParser();
  private row: ParsedRow | undefined;
  private lastRow = 0;
  private lastCol = 0;
  // The cell being read.
  private inCell = false;
  private col = 0;
  private type = "n";
  private text = "";
  private hasValue = false;
  private inValue = false;
  private inInline = false;
  private phonetic = 0;

  constructor() {
    this.parser.on("opentag", (tag) => this.open(local(tag.name), tag.attributes));
    this.parser.on("closetag", (tag) => this.close(local(tag.name)));
    const text = (t: string) => {
      if (this.inValue) this.text += t;
    };
    this.parser.on("text", text);
    this.parser.on("cdata", text);
  }

  write(text: string) {
    this.parser.write(text);
  }

  end() {
    this.parser.close();
  }

  /** The rows finished so far, handed over once. */
  take(): ParsedRow[] {
    const rows = this.ready;
    this.ready = [];
    return rows;
  }

  private open(name: string, a: Record<string, string>) {
    switch (name) {
      case "row": {
        const r = Number.parseInt(a.r, 10);
        this.lastRow = r > 0 ? r : this.lastRow + 1;
        this.lastCol = 0;
        this.row = new ParsedRow(this.lastRow);
        break;
      }
      case "c":
        if (!this.row) break;
        this.inCell = true;
        this.col = (a.r && columnOf(a.r)) || this.lastCol + 1;
        if (this.col > MAX_COLUMN) throw brokenZip();
        this.type = a.t ?? "n";
        this.text = "";
        this.hasValue = false;
        this.inInline = false;
        this.phonetic = 0;
        break;
      case "v":
        if (!this.inCell) break;
        this.inValue = true;
        this.hasValue = true;
        break;
      case "is":
        if (!this.inCell) break;
        this.inInline = true;
        this.hasValue = true;
        break;
      case "rPh":
        this.phonetic++;
        break;
      case "t":
        if (this.inInline && !this.phonetic) this.inValue = true;
        break;
    }
  }

  private close(name: string) {
    switch (name) {
      case "v":
      case "t":
        this.inValue = false;
        break;
      case "rPh":
        this.phonetic--;
        break;
      case "is":
        this.inInline = false;
        break;
      case "c":
        if (this.inCell) this.cell();
        this.inCell = false;
        break;
      case "row":
        if (this.row) this.ready.push(this.row);
        this.row = undefined;
        break;
    }
  }

  private cell() {
    const row = this.row!;
    const i = this.col - 1;
    this.lastCol = this.col;
    if (!this.hasValue) return; // a styled empty cell, or a formula never calculated
    const text = this.text;
    switch (this.type) {
      case "s": {
        const k = Number.parseInt(text, 10);
        row.cells[i] = "";
        if (k >= 0) {
          row.shared.push(i, k);
          if (k > row.maxShared) row.maxShared = k;
        }
        return;
      }
      case "inlineStr":
      case "str":
      case "e":
        row.cells[i] = text.trim();
        return;
      case "b": {
        const b = text.trim();
        row.cells[i] = b === "1" || b.toLowerCase() === "true" ? "TRUE" : "FALSE";
        return;
      }
      case "d": // an ISO 8601 date, as some writers store dates: the day, as a Date cell always read
        row.cells[i] = text.trim().slice(0, 10);
        return;
      default:
        row.cells[i] = numberCell(text);
    }
  }
}

/**
 * Reads the first worksheet, handing each row (its number and cells) to `take` and waiting for it. Refuses
 * with 400 (not a zip, a broken entry, XML that does not parse, text that is not UTF-8) and 413 (the entries'
 * declared sizes, or the bytes actually inflated, beyond `maxBytes`); `take` may refuse with its own limits.
 */
export async function readXlsxRows(
  buf: Buffer,
  maxBytes: number,
  take: (n: number, cells: Cell[]) => Promise<void>,
): Promise<void> {
  const files = await centralDirectory(buf);
  let declared = 0;
  for (const f of files.values()) declared += f.size;
  if (declared > maxBytes) throw overLimit("decompressedBytes", maxBytes);
  const budget = new Budget(maxBytes);
  let sheet: EntryText | undefined;
  let strings: SharedStrings | undefined;
  try {
    const found = await parts(buf, files, budget);
    sheet = new EntryText(buf, found.sheet, budget);
    strings = new SharedStrings(found.strings && new EntryText(buf, found.strings, budget));
    const rows = new SheetRows();
    for (let done = false; !done; ) {
      const text = await sheet.next();
      if (text === undefined) {
        rows.end();
        done = true;
      } else rows.write(text);
      for (const row of rows.take()) {
        if (row.maxShared >= strings.list.length) await strings.need(row.maxShared);
        await take(row.n, row.resolve(strings.list));
      }
    }
    await strings.finish();
  } catch (e) {
    if (e instanceof SheetError) throw e;
    throw unreadable();
  } finally {
    sheet?.destroy();
    strings?.destroy();
  }
}
