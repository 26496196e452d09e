// A roster's flagged rows as a file a clerk corrects and imports again: each row the import did not take (a
// damaged or missing ID number, no name, twice in the roster, a new resident without building or room) or
// took with a field left out (an unreadable phone), its cells as the roster had them and the reason beside
// them in Chinese. Conflicts are not here: a person decides them on the screen, one at a time.
// The cells come from the kept upload (sealed at rest, opened with the app's key), read again by the reader
// thread; ID numbers and phones are masked unless the caller may reveal them and says why, as verification's
// exports are, and every download is audited the same way.
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { safeCell } from "../../../domain/files/cells.ts";
import { maskIdCard, maskPhone } from "../../../domain/mask/mask.ts";
import { cleanText } from "../../../domain/verification/rows.ts";
import type { Actor, AppContext } from "../../context.ts";
import { auditExport, revealedExport } from "../../platform/reveal.ts";
import { type Cell, streamSpreadsheet } from "../../platform/spreadsheet/index.ts";
import { residentPolicy } from "./policy.ts";
import { type RosterFlag, rosterFile, rosterOf } from "./rosterImport.ts";
import type { RosterMapping } from "./rosterRows.ts";

export const FLAGGED_OUTCOMES = { notImported: "未导入", partly: "已导入，此项未采用" } as const;

/**
 * What a masking rule leaves of a typed value. A flagged row's number is often too short for the rule to
 * hide anything (maskPhone keeps all of a 7-digit "1380000"): then none of it shows.
 */
const hidden = (s: string, mask: (s: string) => string) => {
  const m = mask(s);
  return m === s ? "*".repeat(s.length) : m;
};

/** One flagged row's cell as the file shows it: ID number and phone columns masked unless revealed. */
function shownCell(v: Cell | undefined, col: number, m: RosterMapping, reveal: boolean): Cell {
  if (v === undefined || v === "") return "";
  if (!reveal && col === m.idNumber) return hidden(cleanText(v), maskIdCard);
  if (!reveal && col === m.phone) return hidden(cleanText(v), maskPhone);
  return safeCell(v);
}

/**
 * The flagged rows of an import in the caller's area (outside it, 404) as xlsx, written as the upload is
 * read again: the sheet's own header, then per flagged row its number, its cells, whether it went in and
 * why not. Checks and the audit entry come first, so a refusal still answers as JSON.
 */
export async function flaggedRowsFile(
  ctx: AppContext,
  actor: Actor,
  id: number,
  q: { reveal?: boolean; reason?: string },
): Promise<{ filename: string; stream: PassThrough }> {
  residentPolicy.authorize(actor, "import");
  const imp = await rosterOf(ctx, actor, id);
  const reveal = revealedExport(q, () => residentPolicy.authorize(actor, "reveal"));
  // A row may carry two entries (a phone left out, then no room for a new resident): one line, both reasons.
  const flags = new Map<number, RosterFlag>();
  for (const f of imp.flags) {
    const seen = flags.get(f.n);
    flags.set(
      f.n,
      seen ? { n: f.n, reasons: [...seen.reasons, ...f.reasons], imported: seen.imported && f.imported } : f,
    );
  }
  const file = await rosterFile(ctx, id);
  await auditExport(ctx, actor, q, {
    entity: "roster_import",
    entityId: id,
    orgPath: imp.orgPath,
    after: { rows: flags.size, flagged: true },
  });

  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: true,
  });
  const ws = wb.addWorksheet("标记行");
  const m = imp.mapping;
  let width = Math.max(...Object.values(m).map((c) => (c ?? -1) + 1));
  let headed = false;
  const head = (cells: Cell[]) => {
    width = Math.max(width, cells.length);
    const names = Array.from({ length: width }, (_, i) => cleanText(cells[i] ?? "") || `第${i + 1}列`);
    ws.columns = [
      { header: "原表行号", width: 10 },
      ...names.map((h, i) => ({
        header: String(safeCell(h)),
        width: i === m.idNumber ? 22 : i === m.phone ? 16 : 12,
        // ID numbers as text, so the file opened in Excel does not round them.
        style: i === m.idNumber ? { numFmt: "@" } : {},
      })),
      { header: "处理", width: 20 },
      { header: "原因", width: 50 },
    ];
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    headed = true;
  };
  const line = (n: number, cells: Cell[]) => {
    const f = flags.get(n)!;
    flags.delete(n);
    ws.addRow([
      n,
      ...Array.from({ length: width }, (_, i) => shownCell(cells[i], i, m, reveal)),
      f.imported ? FLAGGED_OUTCOMES.partly : FLAGGED_OUTCOMES.notImported,
      f.reasons.join("；"),
    ]).commit();
  };
  const run = async () => {
    if (file && flags.size) {
      const last = Math.max(...flags.keys());
      const gen = streamSpreadsheet(file, {}, { batchRows: 500 });
      try {
        for (;;) {
          const next = await gen.next();
          if (next.done) break;
          for (const r of next.value) {
            if (r.n === imp.headerRow) head(r.cells);
            else if (flags.has(r.n)) {
              if (!headed) head([]);
              line(r.n, r.cells);
            }
          }
          if (flags.size === 0 || next.value.at(-1)!.n >= last) break;
        }
      } finally {
        await gen.return(undefined as never);
      }
    }
    if (!headed) head([]);
    // Rows the upload no longer holds still get their number and reason.
    for (const n of [...flags.keys()].sort((a, b) => a - b)) line(n, []);
    ws.commit();
    await wb.commit();
  };
  run().catch((e) => out.destroy(e));
  return { filename: `roster-${id}-flagged.xlsx`, stream: out };
}
