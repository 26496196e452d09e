import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { composeIdCard, parseIdCard, upgrade15 } from "./idcard.ts";

describe("GB 11643 ID numbers", () => {
  it("accepts a known valid number and reads birth date and gender", () => {
    const r = parseIdCard("11010519491231002X");
    expect(r).toEqual({
      ok: true,
      info: { id: "11010519491231002X", areaCode: "110105", birthDate: "1949-12-31", gender: "female" },
    });
  });

  it("rejects a wrong checksum, a bad date and a bad format", () => {
    expect(parseIdCard("110105194912310021")).toEqual({ ok: false, error: "checksum" });
    expect(parseIdCard("110105194902300021")).toEqual({ ok: false, error: "birth_date" });
    expect(parseIdCard("1101051949")).toEqual({ ok: false, error: "format" });
    expect(parseIdCard("' OR 1=1 --")).toEqual({ ok: false, error: "format" });
  });

  it("rejects a birth date in the future", () => {
    const id = composeIdCard("320613", "2030-01-01", 1);
    expect(parseIdCard(id, new Date("2026-11-24"))).toEqual({ ok: false, error: "birth_date" });
  });

  it("upgrades 15-digit numbers to 18 digits", () => {
    expect(upgrade15("110105491231002")).toBe("11010519491231002X");
    const r = parseIdCard("110105491231002");
    expect(r.ok && r.info.id).toBe("11010519491231002X");
  });

  it("property: composed numbers round-trip and any single-digit change breaks the checksum", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1900-01-01"), max: new Date("2025-12-31"), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 16 }),
        fc.integer({ min: 1, max: 9 }),
        (date, seq, pos, delta) => {
          const birth = date.toISOString().slice(0, 10);
          const id = composeIdCard("320613", birth, seq);
          const r = parseIdCard(id);
          expect(r.ok).toBe(true);
          if (r.ok) {
            expect(r.info.birthDate).toBe(birth);
            expect(r.info.gender).toBe(seq % 2 === 1 ? "male" : "female");
          }
          const digit = (Number(id[pos]) + delta) % 10;
          const changed = id.slice(0, pos) + digit + id.slice(pos + 1);
          const r2 = parseIdCard(changed);
          expect(r2.ok && r2.info.id === changed).toBe(false);
        },
      ),
    );
  });
});
