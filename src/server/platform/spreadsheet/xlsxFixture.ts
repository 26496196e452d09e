// Workbooks built byte by byte for the reader's tests (spreadsheet.test.ts, xlsx.test.ts): zips written by
// hand (APPNOTE 6.3) so a test can say exactly what a header declares, where an entry lies and what it holds.
import zlib from "node:zlib";

export interface ZipEntry {
  name: string;
  /** Raw deflate data and what it inflates to (size and CRC as the header will declare them). */
  deflated: Buffer;
  size: number;
  crc: number;
}

export const entry = (name: string, text: string | Buffer): ZipEntry => {
  const data = Buffer.from(text);
  return { name, deflated: zlib.deflateRawSync(data), size: data.length, crc: zlib.crc32(data) };
};

/** A zip archive written by hand (APPNOTE 6.3), with ZIP64 sizes for entries of 4 GB and more. */
export function zip(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const big = e.size >= 0xffffffff;
    const extra = Buffer.alloc(big ? 20 : 0);
    if (big) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(BigInt(e.size), 4);
      extra.writeBigUInt64LE(BigInt(e.deflated.length), 12);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(big ? 45 : 20, 4);
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(big ? 0xffffffff : e.deflated.length, 18);
    local.writeUInt32LE(big ? 0xffffffff : e.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    parts.push(local, name, extra, e.deflated);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(45, 4);
    cd.writeUInt16LE(big ? 45 : 20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(e.crc >>> 0, 16);
    cd.writeUInt32LE(big ? 0xffffffff : e.deflated.length, 20);
    cd.writeUInt32LE(big ? 0xffffffff : e.size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt16LE(extra.length, 30);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name, extra);
    offset += 30 + name.length + extra.length + e.deflated.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, end]);
}

export const SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
export const REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

const relationships = (rels: string) =>
  `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}</Relationships>`;

/**
 * The parts every workbook has, around a given sheet and shared-strings entry (before the sheet in zip
 * order, as Excel saves; `stringsLast` after it, as exceljs's streaming writer does). `sheets` lists the
 * tabs in workbook order, each the path of its part under xl/.
 */
export function workbook(
  sheet: ZipEntry | ZipEntry[],
  sharedStrings?: ZipEntry,
  opts: { stringsLast?: boolean; sheets?: string[] } = {},
): Buffer {
  const sheetEntries = Array.isArray(sheet) ? sheet : [sheet];
  const tabs = opts.sheets ?? ["worksheets/sheet1.xml"];
  const strings = sharedStrings ? [sharedStrings] : [];
  return zip([
    entry(
      "[Content_Types].xml",
      `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
    ),
    entry(
      "_rels/.rels",
      relationships(`<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>`),
    ),
    entry(
      "xl/workbook.xml",
      `<?xml version="1.0"?><workbook ${SHEET_NS} xmlns:r="${REL_NS}"><sheets>${tabs.map((_, i) => `<sheet name="台账${i + 1}" sheetId="${i + 1}" r:id="rIdSheet${i + 1}"/>`).join("")}</sheets></workbook>`,
    ),
    entry(
      "xl/_rels/workbook.xml.rels",
      relationships(
        `${tabs.map((t, i) => `<Relationship Id="rIdSheet${i + 1}" Type="${REL_NS}/worksheet" Target="${t}"/>`).join("")}<Relationship Id="rIdStrings" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>`,
      ),
    ),
    ...(opts.stringsLast ? [] : strings),
    ...sheetEntries,
    ...(opts.stringsLast ? strings : []),
  ]);
}

export const sheetXml = (rows: string, name = "xl/worksheets/sheet1.xml") =>
  entry(name, `<?xml version="1.0"?><worksheet ${SHEET_NS}><sheetData>${rows}</sheetData></worksheet>`);

export const stringsXml = (items: string) =>
  entry("xl/sharedStrings.xml", `<?xml version="1.0"?><sst ${SHEET_NS}>${items}</sst>`);
