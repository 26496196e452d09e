import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { readersStarted, readSpreadsheet, streamSpreadsheet, warmSpreadsheetReader } from "./index.ts";
import { entry, SHEET_NS, sheetXml, workbook, type ZipEntry } from "./xlsxFixture.ts";

// Hostile uploads, built here byte by byte: a zip whose shared strings expand to 5 GB (declared honestly
// with ZIP64, and again with a header that lies), 2 million empty rows, an empty body, non-spreadsheets.
// Each must be refused with the right status while /api/health keeps answering within 500 ms.

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const HEADER_ROW =
  '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>身份证号</t></is></c><c r="C1" t="inlineStr"><is><t>人群类别</t></is></c></row>';

/**
 * Shared strings that inflate to `gb` GB from a few MB: one 1 MiB run of strings compressed once with a
 * full flush (so it stands alone) and repeated, between a head and a tail. `declare` is the size the
 * headers state: the truth, or a lie.
 */
function bombStrings(gb: number, declare: "truth" | "lie"): ZipEntry {
  const si = `<si><t>${"网格".repeat(500)}</t></si>`;
  const run = Buffer.from(si.repeat(Math.floor((1 << 20) / Buffer.byteLength(si))));
  const head = Buffer.from(`<?xml version="1.0"?><sst ${SHEET_NS}>`);
  const tail = Buffer.from("</sst>");
  const flush = { finishFlush: zlib.constants.Z_FULL_FLUSH };
  const runZ = zlib.deflateRawSync(run, { ...flush, level: 9 });
  const copies = Math.ceil((gb * 2 ** 30) / run.length);
  const deflated = Buffer.concat([
    zlib.deflateRawSync(head, flush),
    ...Array.from({ length: copies }, () => runZ),
    zlib.deflateRawSync(tail),
  ]);
  const size = head.length + copies * run.length + tail.length;
  return { name: "xl/sharedStrings.xml", deflated, size: declare === "truth" ? size : 4096, crc: 0 };
}

/** A header and then `n` empty rows, each its own <row> element. */
function emptyRows(n: number): Buffer {
  const rows = Array.from({ length: n }, (_, i) => `<row r="${i + 2}"/>`).join("");
  return workbook(sheetXml(HEADER_ROW + rows));
}

describe("the spreadsheet reader's own limits", () => {
  it("keeps one reader warm between files, and never reuses one that refused a file", async () => {
    warmSpreadsheetReader();
    const before = readersStarted();
    for (let i = 0; i < 3; i++) expect((await readSpreadsheet(emptyRows(5))).rowsRead).toBe(6);
    expect(readersStarted()).toBe(before); // the warm one read all three
    await expect(readSpreadsheet(emptyRows(50), { rows: 10 })).rejects.toMatchObject({ status: 422 });
    expect((await readSpreadsheet(emptyRows(5))).rowsRead).toBe(6);
    expect(readersStarted()).toBe(before + 1); // the refusing reader was stopped; a new one took over
    // Two files at once: each gets a reader, and the answers do not cross.
    const [a, b] = await Promise.all([readSpreadsheet(emptyRows(3)), readSpreadsheet(emptyRows(7))]);
    expect([a.rowsRead, b.rowsRead]).toEqual([4, 8]);
  });

  it("keeps the warm place for the default reader after a list import's larger one", async () => {
    warmSpreadsheetReader();
    // A refused file stops the warm reader: the place is empty when the import's reader comes back.
    await expect(readSpreadsheet(emptyRows(50), { rows: 10 })).rejects.toMatchObject({ status: 422 });
    const gen = streamSpreadsheet(emptyRows(5), {}, { batchRows: 100 });
    while (!(await gen.next()).done);
    const before = readersStarted();
    for (let i = 0; i < 3; i++) expect((await readSpreadsheet(emptyRows(5))).rowsRead).toBe(6);
    expect(readersStarted()).toBe(before + 1); // one started, then kept warm for the other two
  });

  it("stops a worker that runs past its time, and one that runs out of its heap", async () => {
    const sheet = emptyRows(10);
    await expect(readSpreadsheet(sheet, { ms: 1 })).rejects.toMatchObject({
      status: 422,
      details: { limit: "ms" },
    });
    // 60 MB of distinct strings in a 24 MB heap: the thread dies, the caller gets a 422 naming memory.
    const many = Array.from({ length: 300_000 }, (_, i) => `<si><t>${"居民".repeat(50)}${i}</t></si>`).join(
      "",
    );
    const strings = entry("xl/sharedStrings.xml", `<?xml version="1.0"?><sst ${SHEET_NS}>${many}</sst>`);
    // A row that needs the last of them: shared strings are parsed only as far as the rows refer.
    const heavy = workbook(
      sheetXml(`${HEADER_ROW}<row r="2"><c r="A2" t="s"><v>299999</v></c></row>`),
      strings,
    );
    await expect(readSpreadsheet(heavy, { heapMb: 24, decompressedBytes: 1 << 30 })).rejects.toMatchObject({
      status: 422,
      details: { limit: "heapMb" },
    });
    // The same reader, with room, reads it.
    const ok = await readSpreadsheet(emptyRows(10));
    expect(ok).toMatchObject({
      format: "xlsx",
      rowsRead: 11,
      rows: [{ n: 1, cells: ["姓名", "身份证号", "人群类别"] }],
    });
  });
});

describe("streamed reads", () => {
  const csv = (n: number) =>
    Buffer.from(`姓名,身份证号\n${Array.from({ length: n }, (_, i) => `居民${i},${i}`).join("\n")}\n`);

  it("hands over rows in batches past the whole-sheet row limit, skips what a resumed read has", async () => {
    const seen: number[] = [];
    const gen = streamSpreadsheet(csv(70_000), {}, { batchRows: 2_000 });
    let batches = 0;
    let r = await gen.next();
    while (!r.done) {
      batches++;
      expect(r.value.length).toBeLessThanOrEqual(2_000);
      for (const row of r.value) seen.push(row.n);
      r = await gen.next();
    }
    expect(r.value).toEqual({ format: "csv", rowsRead: 70_001, cells: 140_002 });
    expect(batches).toBe(36);
    expect(seen.length).toBe(70_001);
    expect(seen.at(-1)).toBe(70_001);
    const rest: number[] = [];
    for await (const rows of streamSpreadsheet(emptyRowsWithData(), {}, { batchRows: 3, after: 4 }))
      rest.push(...rows.map((x) => x.n));
    expect(rest).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it("stops the thread when the consumer breaks off, and refuses over its limits", async () => {
    for await (const rows of streamSpreadsheet(csv(10_000), {}, { batchRows: 100 })) {
      expect(rows.length).toBe(100);
      break;
    }
    const before = readersStarted();
    await expect(
      (async () => {
        for await (const _ of streamSpreadsheet(csv(1_000), { rows: 500 }, { batchRows: 100 })) void _;
      })(),
    ).rejects.toMatchObject({ status: 422, details: { limit: "rows" } });
    expect((await readSpreadsheet(emptyRows(2))).rowsRead).toBe(3);
    expect(readersStarted()).toBeGreaterThan(before);
  });
});

/** A header and nine rows with a value each (xlsx). */
function emptyRowsWithData(): Buffer {
  const rows = Array.from(
    { length: 9 },
    (_, i) => `<row r="${i + 2}"><c r="A${i + 2}" t="inlineStr"><is><t>r${i}</t></is></c></row>`,
  ).join("");
  return workbook(sheetXml(HEADER_ROW + rows));
}

describe.each(DB_KINDS)("hostile uploads on %s", (kind) => {
  let t: TestApp;
  let community: Awaited<ReturnType<TestApp["login"]>>;

  beforeAll(async () => {
    t = await createTestApp(kind);
    community = await t.login("demo-community");
  });
  afterAll(() => t?.close());

  /** Posts a file while /api/health is asked every 20 ms; returns the answer and the slowest health check. */
  async function upload(body: Buffer, type = XLSX) {
    let stop = false;
    let slowest = 0;
    let checks = 0;
    const watch = (async () => {
      while (!stop) {
        const t0 = performance.now();
        const h = await t.app.inject({ url: "/api/health" });
        expect(h.statusCode).toBe(200);
        slowest = Math.max(slowest, performance.now() - t0);
        checks++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const res = await t.app.inject({
      method: "POST",
      url: "/api/care/ledger/import",
      headers: { ...community, "content-type": type },
      payload: body,
    });
    stop = true;
    await watch;
    return { res, slowest, checks };
  }

  it("refuses a 5 GB shared-strings bomb by its declared size, before inflating any of it", async () => {
    const bomb = workbook(sheetXml(HEADER_ROW), bombStrings(5, "truth"));
    expect(bomb.length).toBeLessThan(20 * 1024 * 1024);
    const { res, slowest, checks } = await upload(bomb);
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().error).toMatchObject({
      code: "payload_too_large",
      details: { limit: "decompressedBytes" },
    });
    expect(res.json().error.message).toContain("解压后超过");
    expect(res.json().error.message).toContain("decompressed-size limit");
    expect(checks).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(500);
  });

  it("refuses the same bomb when its header lies about the size, counting what inflates", async () => {
    const { res, slowest } = await upload(workbook(sheetXml(HEADER_ROW), bombStrings(5, "lie")));
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().error.details.limit).toBe("decompressedBytes");
    expect(slowest).toBeLessThan(500);
  });

  it("counts blank rows: 2 million empty rows, or one row numbered 2,000,000, are over the row limit", async () => {
    const many = emptyRows(2_000_000);
    const a = await upload(many);
    expect(a.res.statusCode, a.res.body).toBe(422);
    expect(a.res.json().error.details.limit).toBe("rows");
    expect(a.res.json().error.message).toContain("空行也计入");
    expect(a.slowest).toBeLessThan(500);
    const far = workbook(
      sheetXml(`${HEADER_ROW}<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>x</t></is></c></row>`),
    );
    const b = await upload(far);
    expect(b.res.statusCode).toBe(422);
    expect(b.res.json().error.details.limit).toBe("rows");
    const csv = await upload(Buffer.from(`姓名,身份证号,人群类别\n${"\n".repeat(2_000_000)}`), "text/csv");
    expect(csv.res.statusCode).toBe(422);
    expect(csv.res.json().error.details.limit).toBe("rows");
  });

  it("answers 400 at once for an empty body and for files that are not spreadsheets", async () => {
    for (const [body, type] of [
      [Buffer.alloc(0), XLSX],
      [Buffer.alloc(0), "text/csv"],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), XLSX],
      [Buffer.from("PK\u0003\u0004 not really a zip"), XLSX],
      [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), XLSX],
    ] as const) {
      const { res, slowest } = await upload(body, type);
      expect(res.statusCode, `${type} ${body.subarray(0, 4).toString("hex")}: ${res.body}`).toBe(400);
      expect(res.json().error.details.fields[0].field).toBe("file");
      expect(slowest).toBeLessThan(500);
    }
  });
});
