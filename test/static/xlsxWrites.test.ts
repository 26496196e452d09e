import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// exceljs's own writeBuffer turns a four-byte character (𠮷, an emoji) into U+FFFD where JSZip's 16 K pieces
// cut it: the server writes an in-memory workbook only through platform/spreadsheet/write.ts.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src");

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

it("no server code writes a workbook with exceljs's writeBuffer except workbookBuffer", () => {
  const offenders = files(path.join(root, "server"))
    .filter((f) => /\.xlsx\.write(Buffer)?\(/.test(fs.readFileSync(f, "utf8")))
    .map((f) => path.relative(root, f));
  expect(offenders).toEqual(["server/platform/spreadsheet/write.ts"]);
});
