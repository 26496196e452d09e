// The head of an uploaded sheet, shared by the imports that read one (verification lists, the registry's
// roster): the first rows read (the rest left unread), the rows the file holds as far as can be told
// cheaply, and the preview an admin confirms — the header found, the columns mapped, a few rows with ID
// numbers and phones masked.
import unzipper from "unzipper";
import { maskIdCard, maskPhone } from "../../../domain/mask/mask.ts";
import { cleanText } from "../../../domain/verification/rows.ts";
import { type SheetRow, streamSpreadsheet } from "../../platform/spreadsheet/index.ts";

/** Rows the sheet holds, as far as can be told cheaply: lines of a csv, the declared range of an xlsx. */
export async function estimateRows(buffer: Buffer, format: "xlsx" | "csv"): Promise<number> {
  if (format === "csv") {
    let n = 0;
    for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, i + 1)) n++;
    return n + (buffer[buffer.length - 1] === 10 ? 0 : 1);
  }
  try {
    const dir = await unzipper.Open.buffer(buffer);
    const sheet = (dir.files as any[]).find((f) => /^xl\/worksheets\/sheet\d*\.xml$/.test(f.path));
    if (!sheet) return 0;
    const stream = sheet.stream() as NodeJS.ReadableStream & { destroy(): void };
    let head = "";
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      head += chunk.toString("utf8");
      if (head.length > 4096) break;
    }
    stream.destroy();
    const m = /<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"/.exec(head);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const maskCell = (field: string | null, v: string | number) => {
  if (v === "" || v === null || v === undefined) return "";
  const s = String(v);
  if (field === "idNumber") return maskIdCard(cleanText(s));
  if (field === "phone") return maskPhone(cleanText(s));
  return s;
};

export interface Preview<M = Record<string, number | null>> {
  headerRow: number;
  mapping: M;
  /** The header row's cells (text), so the admin can map a column the words did not find. */
  columns: string[];
  /** The first data rows, ID numbers and phones masked. */
  sample: { n: number; cells: string[] }[];
  problem: string | null;
}

/** The preview of a mapping (any import's fields; `problem` is why it cannot be used, or null). */
export function previewOf<M extends Record<string, number | null>>(
  rows: SheetRow[],
  headerRow: number,
  mapping: M,
  problem: string | null,
): Preview<M> {
  const header = rows.find((r) => r.n === headerRow);
  const fieldOfCol = (i: number) => Object.keys(mapping).find((f) => mapping[f] === i) ?? null;
  return {
    headerRow,
    mapping,
    columns: (header?.cells ?? []).map((c) => cleanText(c)),
    sample: rows
      .filter((r) => r.n > headerRow)
      .slice(0, 8)
      .map((r) => ({ n: r.n, cells: r.cells.map((c, i) => maskCell(fieldOfCol(i), c)) })),
    problem,
  };
}

/** Reads the first rows of a file (the rest is left unread). */
export async function headRows(buffer: Buffer): Promise<{ rows: SheetRow[]; format: "xlsx" | "csv" }> {
  const rows: SheetRow[] = [];
  const gen = streamSpreadsheet(buffer, {}, { batchRows: 40 });
  const first = await gen.next();
  if (first.done) return { rows, format: first.value.format };
  rows.push(...first.value);
  await gen.return(undefined as never);
  return { rows, format: buffer[0] === 0x50 ? "xlsx" : "csv" };
}
