import ExcelJS from "exceljs";
import unzipper from "unzipper";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "./limits.ts";
import { readSheet } from "./parse.ts";
import { withoutUtf8Fix, workbookBuffer } from "./write.ts";

// Exports of people's names: a 生僻字 outside the BMP (𠮷, 𡈽) or an emoji must reach the file as it was,
// wherever it falls in the XML. exceljs's own writeBuffer loses some of them (two U+FFFD in their place);
// the first test shows it still does, so the second one tests something.

/** A list of 3,000 rows whose names are made of four-byte characters, shifted by `pad` across the 16 K pieces. */
function list(pad: number) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("名单");
  ws.addRow(["序号", "姓名", "备注"]);
  const names: string[] = [];
  for (let i = 0; i < 3_000; i++) {
    // Mostly four-byte characters, so most 16 K pieces end inside one of them.
    const name = `${"𠮷𡈽😀𪚥".repeat(2 + (i % 3))}${"野家".slice(0, 1 + (i % 2))}${i}`;
    names.push(name);
    ws.addRow([i + 1, name, "x".repeat(pad + (i % 7))]);
  }
  return { wb, names };
}

async function replacementChars(buf: Buffer) {
  const dir = await unzipper.Open.buffer(buf);
  let n = 0;
  for (const f of dir.files) n += ((await f.buffer()).toString("utf8").match(/\uFFFD/g) ?? []).length;
  return n;
}

describe("an in-memory workbook written for an export", () => {
  it("loses four-byte characters when exceljs writes it alone (why workbookBuffer exists)", async () => {
    let lost = 0;
    for (let pad = 0; pad < 6; pad++) {
      const { wb } = list(pad);
      lost += await replacementChars(
        Buffer.from(await withoutUtf8Fix(async () => await wb.xlsx.writeBuffer())),
      );
    }
    expect(lost).toBeGreaterThan(0);
  });

  it("keeps every character through workbookBuffer, and reads back the same names", async () => {
    for (let pad = 0; pad < 6; pad++) {
      const { wb, names } = list(pad);
      const buf = await workbookBuffer(wb);
      expect(await replacementChars(buf)).toBe(0);
      const sheet = await readSheet(buf, DEFAULT_LIMITS);
      expect(sheet.rows.slice(1).map((r) => r.cells[1])).toEqual(names);
    }
  });

  it("still writes what exceljs writes besides text: numbers, a list validation, merged cells", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("结果");
    ws.mergeCells("A1:C1");
    ws.getCell("A1").value = "𠮷野家社区核查结果";
    ws.addRow(["姓名", "人数", "结果"]);
    ws.addRow(["𡈽李", 3, "核实在住"]);
    ws.getCell("C3").dataValidation = { type: "list", allowBlank: true, formulae: ['"核实在住,已离开"'] };
    const back = new ExcelJS.Workbook();
    await back.xlsx.load((await workbookBuffer(wb)) as never);
    const s = back.worksheets[0];
    expect(s.getCell("A1").value).toBe("𠮷野家社区核查结果");
    expect(s.getCell("A1").isMerged && s.getCell("C1").isMerged).toBe(true);
    expect(s.getCell("B3").value).toBe(3);
    expect(s.getCell("C3").dataValidation?.type).toBe("list");
  });
});
