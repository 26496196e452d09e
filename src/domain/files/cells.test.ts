import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, safeCell, safeCells } from "./cells.ts";

describe("spreadsheet cells", () => {
  it("write a would-be formula as text", () => {
    expect(safeCell("=cmd|'/c calc'!A1")).toBe("'=cmd|'/c calc'!A1");
    for (const s of ["+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠A1"])
      expect(safeCell(s)).toBe(`'${s}`);
    expect(safeCell("王小明")).toBe("王小明");
    expect(safeCell("1+1")).toBe("1+1");
    expect(safeCell(-5)).toBe(-5);
    expect(safeCell(null)).toBe(null);
  });

  it("make every string of a row safe and leave the rest", () => {
    expect(safeCells({ name: '=HYPERLINK("x")', age: 80, tags: "独居" })).toEqual({
      name: '\'=HYPERLINK("x")',
      age: 80,
      tags: "独居",
    });
  });

  it("quote CSV fields that need it", () => {
    expect(csvCell('=A1,"b"')).toBe(`"'=A1,""b"""`);
    expect(csvCell("a\rb")).toBe('"a\rb"');
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(undefined)).toBe("");
  });

  it("property: no safe cell starts a formula, and a safe cell is the text with at most an apostrophe before it", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const c = safeCell(s) as string;
        expect(/^[=+\-@\t\r＝＋－＠]/.test(c)).toBe(false);
        expect(c === s || c === `'${s}`).toBe(true);
      }),
    );
  });
});
