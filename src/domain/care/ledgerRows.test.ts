import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { composeIdCard } from "../idcard/idcard.ts";
import { KEY_TAGS, TAG_LABELS } from "../people/tags.ts";
import {
  checkLedgerRows,
  cleanIdNumber,
  findHeader,
  ledgerRowChecker,
  parseTags,
  tagsToAdd,
} from "./ledgerRows.ts";

const validId = fc
  .record({
    area: fc.constantFrom("320613", "320684", "110101"),
    day: fc.date({ min: new Date("1920-01-01"), max: new Date("2020-12-31"), noInvalidDate: true }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ area, day, seq }) => composeIdCard(area, day.toISOString().slice(0, 10), seq));

const fullWidth = (s: string) =>
  s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x20 + 0xff00));

describe("ledger ID cells", () => {
  it("takes a valid ID back unchanged, whatever spaces or case surround it", () => {
    fc.assert(
      fc.property(validId, fc.constantFrom("", " ", "\t"), (id, pad) => {
        expect(cleanIdNumber(`${pad}${id.toLowerCase()}${pad}`)).toEqual({ ok: true, id });
      }),
    );
  });

  it("says digits were lost when an 18-digit ID was stored as a number, never 'bad checksum'", () => {
    fc.assert(
      fc.property(
        validId.filter((id) => !id.endsWith("X")),
        (id) => {
          const r = cleanIdNumber(Number(id));
          expect(r.ok).toBe(false);
          if (!r.ok) {
            expect(r.message).toContain("存成了数字");
            expect(r.message).toContain("「文本」格式");
            expect(r.message).not.toContain("校验位");
          }
        },
      ),
    );
  });

  it("recognises Excel's scientific notation and trailing zeros of a truncated number", () => {
    const sci = cleanIdNumber("3.20613E+17");
    expect(sci.ok || sci.message).toContain("科学计数法「3.20613E+17」");
    // The first of these IDs whose truncation to ...000 no longer passes the checksum.
    const truncated = [...Array(10).keys()]
      .map((seq) => `${composeIdCard("320613", "1950-01-01", seq * 100).slice(0, 15)}000`)
      .find((t) => !cleanIdNumber(t).ok)!;
    expect(cleanIdNumber(truncated)).toMatchObject({
      ok: false,
      message: expect.stringContaining("末尾的 000"),
    });
  });

  it("names full-width digits as such instead of 'wrong format'", () => {
    fc.assert(
      fc.property(validId, (id) => {
        const r = cleanIdNumber(fullWidth(id));
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.message).toContain("全角");
          expect(r.message).toContain("半角");
        }
      }),
    );
  });

  it("says how many digits there are and which part is wrong", () => {
    expect(cleanIdNumber("32061319500101")).toEqual({
      ok: false,
      message: "身份证号应为 18 位（或 15 位旧号），这里是 14 位",
    });
    expect(cleanIdNumber("320613195013011234")).toMatchObject({
      message: expect.stringContaining("出生日期"),
    });
    expect(cleanIdNumber("")).toMatchObject({ message: "身份证号为空" });
  });
});

describe("ledger tag labels", () => {
  it("reads every label we print, and its code", () => {
    for (const t of KEY_TAGS) {
      expect(parseTags(TAG_LABELS[t]).tags).toEqual([t]);
      expect(parseTags(t).tags).toEqual([t]);
    }
  });

  it("maps common synonyms and full-width signs", () => {
    expect(parseTags("残疾人").tags).toEqual(["severe_disability"]);
    expect(parseTags("独居老人，高龄８０＋").tags).toEqual(["living_alone", "aged_80_plus"]);
    expect(parseTags("低保户 / 慢性病患者").tags).toEqual(["low_income", "chronic_disease"]);
  });

  it("lists the accepted labels when one is unknown", () => {
    const { good, errors } = checkLedgerRows(
      [{ n: 2, cells: ["张三", composeIdCard("320613", "1950-01-01", 11), "富豪"] }],
      {
        row: 1,
        columns: { name: 0, idNumber: 1, tags: 2 },
      },
    );
    expect(good).toEqual([]);
    expect(errors[0].messages[0]).toBe(
      "人群类别「富豪」无法识别，可填：独居、空巢、高龄80+、失能、重残、慢病、低保、孕产妇、留守儿童（多个用顿号分隔）",
    );
  });
});

describe("ledger rows", () => {
  it("finds the header below title rows and names missing columns", () => {
    expect(
      findHeader([
        { n: 1, cells: ["苏阳社区独居老人台账"] },
        { n: 2, cells: ["序号", "姓名", "身份证号码", "类别"] },
      ]),
    ).toEqual({
      ok: true,
      row: 2,
      columns: { name: 1, idNumber: 2, tags: 3 },
    });
    expect(findHeader([{ n: 1, cells: ["姓名", "备注"] }])).toEqual({
      ok: false,
      message: "第 1 行表头缺少：身份证号、人群类别",
    });
  });

  it("flags a repeated ID with the row it repeats", () => {
    const id = composeIdCard("320613", "1950-01-01", 11);
    const { errors } = checkLedgerRows(
      [
        { n: 2, cells: ["张三", id, "独居"] },
        { n: 5, cells: ["张三", ` ${id.toLowerCase()} `, "空巢"] },
      ],
      { row: 1, columns: { name: 0, idNumber: 1, tags: 2 } },
    );
    expect(errors).toEqual([{ row: 5, messages: ["身份证号与第 2 行重复"] }]);
  });

  it("checks a sheet in slices exactly as in one piece (a repeat across slices is still caught)", () => {
    const header = { row: 1, columns: { name: 0, idNumber: 1, tags: 2 } };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.constantFrom("独居", "空巢", "富豪", "")), {
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 25 }),
        (people, slice) => {
          const rows = people.map(([p, tag], i) => ({
            n: i + 2,
            cells: [`居民${p}`, composeIdCard("320613", "1950-01-01", p), tag],
          }));
          const checker = ledgerRowChecker(header);
          for (let i = 0; i < rows.length; i += slice) checker.check(rows.slice(i, i + slice));
          expect(checker.result()).toEqual(checkLedgerRows(rows, header));
        },
      ),
    );
  });

  it("adds only tags a resident lacks, so an unchanged row adds none", () => {
    fc.assert(
      fc.property(fc.subarray([...KEY_TAGS]), fc.subarray([...KEY_TAGS]), (current, wanted) => {
        const add = tagsToAdd(current, wanted);
        expect(add.every((t) => !current.includes(t) && wanted.includes(t))).toBe(true);
        expect(tagsToAdd([...current, ...add], wanted)).toEqual([]);
      }),
    );
  });
});
