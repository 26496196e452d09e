import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../helpers/app.ts";

// Every export writes would-be formulas as text: a resident named `=cmd|' /c calc'!A1` must not run
// anything in the spreadsheet that opens the resident export (CSV) or the care ledger (xlsx).

const HOSTILE = ["=cmd|' /c calc'!A1", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3", "\t=1+1"];

describe.each(DB_KINDS)("exports on %s", (kind) => {
  let t: TestApp;
  let ids: number[];
  beforeAll(async () => {
    t = await createTestApp(kind);
    // Key residents (tagged) of grid 1, so that both exports hold them.
    ids = (
      await t.ctx.database.query<{ id: number }>(
        "select r.id from residents r join org_units u on r.org_path like u.path || '%' where u.code = '320613019010-G01' and r.tags <> '{}' order by r.id limit $1",
        [HOSTILE.length],
      )
    ).map((r) => r.id);
    for (const [i, id] of ids.entries())
      await t.ctx.database.query("update residents set name = $1 where id = $2", [HOSTILE[i], id]);
  });
  afterAll(() => t?.close());

  it("writes them as text in the resident CSV export", async () => {
    const h = await t.login("demo-community");
    const r = await t.app.inject({ url: "/api/residents/export", headers: h });
    expect(r.statusCode).toBe(200);
    const rows: string[][] = parse(r.body.replace(/^\ufeff/, ""), { relax_column_count: true });
    const names = rows.slice(1).map((row) => row[0]);
    for (const hostile of HOSTILE) expect(names).toContain(`'${hostile}`);
    for (const cell of rows.slice(1).flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("writes them as text in the care ledger's xlsx export", async () => {
    const h = await t.login("demo-community");
    const r = await t.app.inject({ url: "/api/care/ledger/export", headers: h });
    expect(r.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as any);
    const cells: unknown[] = [];
    wb.worksheets[0].eachRow((row, n) => {
      if (n > 1) row.eachCell((c) => cells.push(c.value));
    });
    expect(cells.length).toBeGreaterThan(0);
    for (const hostile of HOSTILE) expect(cells).toContain(`'${hostile}`);
    for (const c of cells) {
      expect(typeof c === "object" && c !== null && "formula" in c).toBe(false);
      if (typeof c === "string") expect(c).not.toMatch(/^[=+\-@\t\r]/);
    }
  });
});
