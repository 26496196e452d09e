import { PassThrough } from "node:stream";
import zlib from "node:zlib";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, type SheetLimits } from "./limits.ts";
import { readSheet, type SheetRow } from "./parse.ts";
import { entry, SHEET_NS, sheetXml, stringsXml, workbook, type ZipEntry, zip } from "./xlsxFixture.ts";

// The upload reader (xlsx.ts) against files whose every byte the test decides: text that straddles the
// chunks it is inflated in, the shapes Excel, WPS and exceljs write, zips that lie or are broken. Read in
// this process (readSheet, as the worker thread runs it) so a refusal's cause is plain.

const read = (buf: Buffer, limits: Partial<SheetLimits> = {}, sink?: Parameters<typeof readSheet>[2]) =>
  readSheet(buf, { ...DEFAULT_LIMITS, ...limits }, sink);

const bytes = (s: string) => Buffer.byteLength(s);

/**
 * Appends `filler` sized so that the text after `open` starts `before` bytes short of `boundary`: a
 * character of 3 or 4 bytes written there has its bytes on both sides of it.
 */
function padTo(xml: string, boundary: number, before: number, filler: (x: string) => string, open: string) {
  const k = boundary - before - bytes(xml) - bytes(filler("")) - bytes(open);
  if (k < 1) throw new Error(`no room before ${boundary}`);
  const out = xml + filler("x".repeat(k)) + open;
  expect(bytes(out)).toBe(boundary - before);
  return out;
}

/** Names whose first character is 3 bytes (CJK) or 4 (an emoji, a CJK extension B character) in UTF-8. */
const NAMES = ["张三丰", "欧阳娜娜", "😀李梅", "𠮷野家", "龘靐", "🧧王五"];

/** How many bytes of a name's first character fall before the boundary: 1 .. its length − 1, in turn. */
const beforeOf = (name: string, i: number) =>
  1 + (i % (bytes(String.fromCodePoint(name.codePointAt(0)!)) - 1));

/** A sheet of inline strings: before every `step` bytes a filler row, then a name across the boundary. */
function inlineSheet(step: number, names: string[]): string {
  let xml = `<?xml version="1.0"?><worksheet ${SHEET_NS}><sheetData>`;
  names.forEach((name, i) => {
    const n = 2 * i + 1;
    const filler = (x: string) => `<row r="${n}"><c r="A${n}" t="inlineStr"><is><t>${x}</t></is></c></row>`;
    const open = `<row r="${n + 1}"><c r="A${n + 1}" t="inlineStr"><is><t>`;
    xml = `${padTo(xml, step * (i + 1), beforeOf(name, i), filler, open)}${name}</t></is></c></row>`;
  });
  return `${xml}</sheetData></worksheet>`;
}

/** Shared strings with the names across each boundary of `step` bytes, and a sheet using every string. */
function sharedSheet(step: number, names: string[]) {
  let xml = `<?xml version="1.0"?><sst ${SHEET_NS}>`;
  const items: string[] = [];
  names.forEach((name, i) => {
    const filler = (x: string) => `<si><t>${x}</t></si>`;
    const before = xml;
    xml = padTo(xml, step * (i + 1), beforeOf(name, i), filler, "<si><t>");
    items.push(xml.slice(before.length + "<si><t>".length, xml.length - "</t></si><si><t>".length), name);
    xml += `${name}</t></si>`;
  });
  const cells = items.map((_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="s"><v>${i}</v></c></row>`);
  return {
    strings: entry("xl/sharedStrings.xml", `${xml}</sst>`),
    sheet: sheetXml(cells.join("")),
    rows: items.map((s, i) => ({ n: i + 1, cells: [s] })),
  };
}

describe("text that straddles the chunks it is inflated in", () => {
  for (const step of [16_384, 65_536])
    it(`reads every name whose bytes straddle a ${step / 1024} KB boundary of the sheet or the shared strings`, async () => {
      const sheet = await read(workbook(entry("xl/worksheets/sheet1.xml", inlineSheet(step, NAMES))));
      expect(sheet.rows.filter((r) => r.n % 2 === 0)).toEqual(
        NAMES.map((name, i) => ({ n: 2 * i + 2, cells: [name] })),
      );
      for (const stringsLast of [false, true]) {
        const shared = sharedSheet(step, NAMES);
        const read2 = await read(workbook(shared.sheet, shared.strings, { stringsLast }));
        expect(read2.rows).toEqual(shared.rows);
        expect(read2.rows.filter((r) => NAMES.includes(r.cells[0] as string)).length).toBe(NAMES.length);
      }
    });

  /** One string a row in column A, written by exceljs in one of the ways it writes xlsx. */
  async function written(names: string[], how: "stream-shared" | "stream-inline" | "book"): Promise<Buffer> {
    if (how === "book") {
      const book = new ExcelJS.Workbook();
      const ws = book.addWorksheet("名单");
      for (const name of names) ws.addRow([name]);
      return Buffer.from(await book.xlsx.writeBuffer());
    }
    const out = new PassThrough();
    const parts: Buffer[] = [];
    out.on("data", (b: Buffer) => parts.push(b));
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useSharedStrings: how === "stream-shared",
    });
    const ws = book.addWorksheet("名单");
    for (const name of names) ws.addRow([name]).commit();
    ws.commit();
    await book.commit();
    return Buffer.concat(parts);
  }

  it("reads back any list of Chinese, ASCII and emoji strings exceljs writes, character for character", async () => {
    const cjk = fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCodePoint(c));
    const ascii = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
    // Four bytes in UTF-8, two UTF-16 units: emoji, and CJK extension B (𠮷, found in real names).
    const astral = fc.oneof(
      fc.integer({ min: 0x1f300, max: 0x1f64f }).map((c) => String.fromCodePoint(c)),
      fc.integer({ min: 0x20000, max: 0x2a6d6 }).map((c) => String.fromCodePoint(c)),
    );
    const list = (unit: fc.Arbitrary<string>) =>
      fc.array(fc.string({ unit, minLength: 1, maxLength: 24, size: "max" }), {
        minLength: 1,
        maxLength: 4_000,
        size: "max",
      });
    const anyUnit = fc.oneof(
      { arbitrary: cjk, weight: 5 },
      { arbitrary: ascii, weight: 3 },
      { arbitrary: astral, weight: 2 },
    );
    // exceljs's in-memory Workbook writer hands its XML to JSZip, which encodes it to UTF-8 16 K units at a
    // time and so itself writes U+FFFD for a surrogate pair cut by that boundary: it gets the characters it
    // writes faithfully (Chinese and ASCII), the streaming writer everything.
    const cases = fc.oneof(
      fc.tuple(list(anyUnit), fc.constantFrom("stream-shared" as const, "stream-inline" as const)),
      fc.tuple(list(fc.oneof(cjk, ascii)), fc.constant("book" as const)),
    );
    // Lists whose XML runs past 64 KB: where exceljs's reader cut characters in two.
    let long = 0;
    await fc.assert(
      fc.asyncProperty(cases, async ([names, how]) => {
        const sheet = await read(await written(names, how));
        const want = names.map((s, i) => ({ n: i + 1, cells: [s.trim()] })).filter((r) => r.cells[0] !== "");
        expect(sheet.rows).toEqual(want);
        expect(sheet.rowsRead).toBe(names.length);
        if (bytes(names.join("")) + 30 * names.length > 65_536) long++;
      }),
      // A failing list of thousands of strings would take minutes to shrink: it is reported as found.
      { numRuns: 25, endOnFailure: true },
    );
    expect(long).toBeGreaterThan(5);
  });
});

describe("the shapes a sheet comes in", () => {
  it("reads rich text without its phonetic runs, inline strings, sparse columns, gaps and missing references", async () => {
    const strings = stringsXml(
      '<si><r><rPr><b/><sz val="11"/></rPr><t>张</t></r><r><t xml:space="preserve"> 三 </t></r><rPh sb="0" eb="1"><t>チョウ</t></rPh><phoneticPr fontId="1"/></si>' +
        '<si><t>李四</t><rPh sb="0" eb="2"><t>リシ</t></rPh></si>' +
        '<si><t xml:space="preserve">  王五  </t></si>' +
        "<si><t>A&amp;B &lt;c&gt; &#x4E2D;&#25991; &quot;x&apos;</t></si>" +
        "<si><t><![CDATA[<原样>]]></t></si>",
    );
    const rows =
      '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="D1" t="s"><v>1</v></c></row>' +
      '<row r="5" spans="1:4"><c r="A5" t="inlineStr"><is><r><t>赵</t></r><r><t>六</t></r><rPh><t>ロク</t></rPh></is></c>' +
      '<c r="B5" t="s"><v>2</v></c><c r="C5" t="s"><v>3</v></c><c r="D5" t="s"><v>4</v></c></row>' +
      // No r on the row (row 6) nor on A and B; E given; F after it.
      '<row><c t="inlineStr"><is><t>无引用</t></is></c><c><v>7</v></c><c r="E6"><v>8</v></c><c><v>9</v></c></row>' +
      '<row r="7"><c r="A7" t="s"><v>99</v></c></row>';
    for (const stringsLast of [false, true]) {
      const sheet = await read(workbook(sheetXml(rows), strings, { stringsLast }));
      expect(sheet.rows).toEqual([
        { n: 1, cells: ["张 三", "", "", "李四"] },
        { n: 5, cells: ["赵六", "王五", "A&B <c> 中文 \"x'", "<原样>"] },
        { n: 6, cells: ["无引用", 7, "", "", 8, 9] },
      ]);
      // Row 7 points past the table: blank, as exceljs read it; it still counts.
      expect(sheet.rowsRead).toBe(7);
      expect(sheet.cells).toBe(10);
    }
  });

  it("reads formulas by their cached value, booleans, errors, and numbers as numbers", async () => {
    const row =
      '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="str"><f>"甲"&amp;"乙"</f><v>甲乙</v></c>' +
      '<c r="C1" t="b"><f>TRUE()</f><v>1</v></c><c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>' +
      '<c r="E1"><f>NOW()</f></c><c r="F1" t="b"><v>0</v></c><c r="G1"><v>3.20613193604026E+17</v></c>' +
      '<c r="H1" s="3"/><c r="I1" t="n"><v>0.5</v></c><c r="J1" s="2"><v>45992</v></c>' +
      '<c r="K1" t="d"><v>2026-12-03T00:00:00Z</v></c><c r="L1" t="s" s="1"><v>0</v></c></row>';
    const sheet = await read(workbook(sheetXml(row), stringsXml("<si><t>320613193604026123</t></si>")));
    expect(sheet.rows).toEqual([
      {
        n: 1,
        cells: [
          2,
          "甲乙",
          "TRUE",
          "#DIV/0!",
          "",
          "FALSE",
          320613193604026000,
          "",
          0.5,
          45992,
          "2026-12-03",
          "320613193604026123",
        ],
      },
    ]);
    // The ID typed as a number stays a number (its last digits are gone: the cleaning flags it damaged).
    expect(typeof sheet.rows[0].cells[6]).toBe("number");
  });

  it("reads the first tab of the workbook, falls back to sheet1.xml, and reads prefixed element names", async () => {
    const one = sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>第一个文件</t></is></c></row>');
    const two = sheetXml(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>第一个标签</t></is></c></row>',
      "xl/worksheets/sheet2.xml",
    );
    const tabs = await read(
      workbook([one, two], undefined, { sheets: ["worksheets/sheet2.xml", "/xl/worksheets/sheet1.xml"] }),
    );
    expect(tabs.rows).toEqual([{ n: 1, cells: ["第一个标签"] }]);
    const bare = await read(zip([one]));
    expect(bare.rows).toEqual([{ n: 1, cells: ["第一个文件"] }]);
    const prefixed = entry(
      "xl/worksheets/sheet1.xml",
      `<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>前缀</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`,
    );
    expect((await read(workbook(prefixed))).rows).toEqual([{ n: 2, cells: ["", "前缀"] }]);
    await expect(read(zip([entry("xl/styles.xml", "<styleSheet/>")]))).rejects.toMatchObject({ status: 400 });
  });

  it("reads rich text written by exceljs, and a blank or number-only list as exceljs writes it", async () => {
    const book = new ExcelJS.Workbook();
    const ws = book.addWorksheet("名单");
    ws.addRow([
      { richText: [{ text: "欧阳", font: { bold: true } }, { text: "娜娜" }] },
      320613193604026,
      true,
    ]);
    ws.addRow([]);
    ws.addRow(["  前后空格  ", null, "", { formula: "1+2", result: 3 }]);
    const sheet = await read(Buffer.from(await book.xlsx.writeBuffer()));
    expect(sheet.rows).toEqual([
      { n: 1, cells: ["欧阳娜娜", 320613193604026, "TRUE"] },
      { n: 3, cells: ["前后空格", "", "", 3] },
    ]);
  });
});

/**
 * An entry that inflates far beyond what its header declares — `mb` MB of `run` — and then is broken: a
 * reader that went to its end would answer 400, so a 413 shows it stopped counting before it got there.
 */
function lyingEntry(name: string, head: string, run: string, mb: number): ZipEntry {
  const flush = { finishFlush: zlib.constants.Z_FULL_FLUSH };
  const block = Buffer.from(run.repeat(Math.ceil((1 << 20) / bytes(run))));
  const blockZ = zlib.deflateRawSync(block, { ...flush, level: 9 });
  const deflated = Buffer.concat([
    zlib.deflateRawSync(Buffer.from(head), flush),
    ...Array.from({ length: mb }, () => blockZ),
    Buffer.from([0xff, 0xff, 0xff]), // a reserved block type: inflating it fails
  ]);
  return { name, deflated, size: 4096, crc: 0 };
}

describe("zips that lie or are broken", () => {
  const header = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>';

  it("refuses a sheet that inflates past the limit (413) before inflating all of it", async () => {
    const bomb = lyingEntry(
      "xl/worksheets/sheet1.xml",
      `<?xml version="1.0"?><worksheet ${SHEET_NS}><sheetData>${header}`,
      " ",
      256,
    );
    const file = workbook(bomb);
    expect(file.length).toBeLessThan(2 * 1024 * 1024);
    const t0 = performance.now();
    await expect(read(file, { decompressedBytes: 32 * 1024 * 1024 })).rejects.toMatchObject({
      status: 413,
      limit: "decompressedBytes",
    });
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it("refuses shared strings that inflate past the limit, even those no row needs", async () => {
    const bomb = lyingEntry(
      "xl/sharedStrings.xml",
      `<?xml version="1.0"?><sst ${SHEET_NS}><si><t>网格</t></si>`,
      `<si><t>${"网格".repeat(100)}</t></si>`,
      256,
    );
    const sheet = sheetXml(`${header}<row r="2"><c r="A2" t="s"><v>0</v></c></row>`);
    for (const stringsLast of [false, true])
      await expect(
        read(workbook(sheet, bomb, { stringsLast }), { decompressedBytes: 32 * 1024 * 1024 }),
      ).rejects.toMatchObject({ status: 413, limit: "decompressedBytes" });
  });

  it("hands over the first rows before the shared strings have been read to their end", async () => {
    // 2,000 good strings, then a broken tail: the rows that need only the first ones are taken first.
    const good = Array.from({ length: 2_000 }, (_, i) => `<si><t>居民${i}</t></si>`).join("");
    const strings = lyingEntry(
      "xl/sharedStrings.xml",
      `<?xml version="1.0"?><sst ${SHEET_NS}>${good}`,
      "<si/>",
      1,
    );
    const rows = Array.from(
      { length: 10 },
      (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="s"><v>${i}</v></c></row>`,
    );
    const taken: SheetRow[] = [];
    const sink = { batchRows: 1, after: 0, take: async (r: SheetRow[]) => void taken.push(...r) };
    await expect(read(workbook(sheetXml(rows.join("")), strings), {}, sink)).rejects.toMatchObject({
      status: 400,
    });
    expect(taken.map((r) => r.cells[0])).toEqual(Array.from({ length: 10 }, (_, i) => `居民${i}`));
  });

  it("refuses a corrupt zip with 400: cut short, damaged data, a wrong checksum or size", async () => {
    const sheet = sheetXml(header);
    const file = workbook(sheet);
    await expect(read(file.subarray(0, file.length >> 1))).rejects.toMatchObject({ status: 400 });
    const damaged = {
      ...sheet,
      deflated: Buffer.concat([sheet.deflated.subarray(0, 8), Buffer.from([0xff, 0xff, 0xff, 0xff])]),
    };
    await expect(read(workbook(damaged))).rejects.toMatchObject({ status: 400 });
    await expect(read(workbook({ ...sheet, crc: (sheet.crc + 1) >>> 0 }))).rejects.toMatchObject({
      status: 400,
    });
    await expect(read(workbook({ ...sheet, size: sheet.size - 1 }))).rejects.toMatchObject({ status: 400 });
    // Malformed XML in the sheet, and bytes that are not UTF-8.
    await expect(
      read(workbook(entry("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row>"))),
    ).rejects.toMatchObject({
      status: 400,
    });
    const latin = Buffer.concat([
      Buffer.from(`<worksheet ${SHEET_NS}><sheetData><row r="1"><c t="inlineStr"><is><t>`),
      Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), // 张三 in GB18030
      Buffer.from("</t></is></c></row></sheetData></worksheet>"),
    ]);
    await expect(read(workbook(entry("xl/worksheets/sheet1.xml", latin)))).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("UTF-8"),
    });
  });
});
