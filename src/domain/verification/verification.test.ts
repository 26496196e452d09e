import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { composeIdCard } from "../idcard/idcard.ts";
import { bestFuzzy, type Candidate, classify, matchScore, similarity } from "./match.ts";
import { cleanIdNumber, cleanRow, duplicateKey, findHeader, type Mapping, skipReason } from "./rows.ts";

const ID = composeIdCard("320613", "1956-03-04", 123);
const fullWidth = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const M: Mapping = { name: 1, idNumber: 2, phone: 3, address: 4, community: 5, street: null };

describe("cleaning a received list", () => {
  it("finds the header under a merged title, by Chinese words, and maps each column", () => {
    const h = findHeader([
      { n: 1, cells: ["2026年11月 公安推送人员核查名单"] },
      { n: 2, cells: ["序号", "姓 名", "证件号码", "联系电话", "现住址", "所属社区"] },
    ]);
    expect(h).toEqual({ n: 2, mapping: M });
    expect(findHeader([{ n: 1, cells: ["序号", "备注"] }])).toBeNull();
  });

  it("skips repeated headers, 合计 lines and titles, but not people", () => {
    expect(skipReason(["序号", "姓名", "身份证号"], M)).toBe("header");
    expect(skipReason(["合计", "", "", "", "", ""], M)).toBe("total");
    expect(skipReason(["", "小 计：32 人"], M)).toBe("total");
    expect(skipReason(["苏阳社区第二网格名单（续）"], M)).toBe("title");
    expect(skipReason([1, "张三", ID], M)).toBeNull();
    expect(skipReason(["", "", ID], M)).toBeNull();
  });

  it("makes full-width digits, a lowercase x, spaces and 15-digit numbers plain, and keeps the original", () => {
    const x = composeIdCard("110105", "1949-12-31", 2); // ends in X
    expect(x.endsWith("X")).toBe(true);
    expect(cleanIdNumber(fullWidth(ID)).id).toBe(ID);
    expect(cleanIdNumber(x.toLowerCase()).id).toBe(x);
    expect(cleanIdNumber(` ${ID.slice(0, 6)} ${ID.slice(6, 14)}-${ID.slice(14)} `).id).toBe(ID);
    const old = `${ID.slice(0, 6)}${ID.slice(8, 17)}`;
    expect(cleanIdNumber(old)).toMatchObject({ status: "ok", birthDate: "1956-03-04" });
    expect(cleanIdNumber(Number(old)).status).toBe("ok"); // 15 digits survive as a number
    const r = cleanRow(
      7,
      [1, " 张　三 ", fullWidth(ID), "+86 138-1234-5678", "苏阳新村 3 幢", "苏阳社区"],
      M,
    );
    expect(r).toMatchObject({ n: 7, name: "张三", phone: "13812345678", address: "苏阳新村 3 幢" });
    expect(r.original).toMatchObject({
      name: " 张　三 ",
      idNumber: fullWidth(ID),
      phone: "+86 138-1234-5678",
    });
  });

  it("flags numbers a spreadsheet rounded as damaged, keeping only the birth date", () => {
    expect(cleanIdNumber(Number(ID))).toMatchObject({ status: "damaged", id: null, birthDate: "1956-03-04" });
    expect(cleanIdNumber("3.20613195603041E+17")).toMatchObject({
      status: "damaged",
      birthDate: "1956-03-04",
    });
    expect(cleanIdNumber(`${ID.slice(0, 15)}000`).status).toMatch(/damaged|ok/);
    expect(cleanIdNumber(`${ID.slice(0, 17)}${ID[17] === "1" ? "2" : "1"}`).status).toBe("checksum");
    expect(cleanIdNumber("").status).toBe("missing");
    expect(cleanIdNumber("12345").status).toBe("format");
  });

  it("property: a valid number survives any full-width, case and spacing it was typed with", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1920-01-01"), max: new Date("2020-12-31"), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        fc.array(fc.boolean(), { minLength: 18, maxLength: 18 }),
        fc.array(fc.constantFrom("", " ", "　", "-"), { minLength: 18, maxLength: 18 }),
        (date, seq, wide, gaps) => {
          const id = composeIdCard("320613", date.toISOString().slice(0, 10), seq);
          const typed = [...id]
            .map((c, i) => (wide[i] ? fullWidth(c) : c.toLowerCase()) + (i < 17 ? gaps[i] : ""))
            .join("");
          const r = cleanIdNumber(typed);
          expect(r.id).toBe(id);
          expect(r.birthDate).toBe(date.toISOString().slice(0, 10));
        },
      ),
    );
  });

  it("property: an 18-digit number stored as a number is never accepted", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 20_000 }), (seq, day) => {
        const birth = new Date(Date.UTC(1930, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
        const id = composeIdCard("320613", birth, seq);
        if (id.endsWith("X")) return;
        expect(cleanIdNumber(Number(id)).status).toBe("damaged");
      }),
    );
  });

  it("keys duplicates by ID number, or name and phone", () => {
    const a = cleanRow(3, ["", "张三", ID, "13812345678"], M);
    const b = cleanRow(4, ["", "张三", fullWidth(ID), ""], M);
    expect(duplicateKey(a)).toBe(duplicateKey(b));
    const c = cleanRow(5, ["", "李四", "", "138 1234 5678"], M);
    expect(duplicateKey(c)).toBe("np:李四|13812345678");
  });
});

describe("matching and classifying", () => {
  const cand: Candidate = {
    id: 9,
    name: "张三",
    birthDate: "1956-03-04",
    address: "秦灶街道苏阳新村3幢201室",
    community: "苏阳社区",
    street: "秦灶街道",
  };

  it("scores name, birth date and address; a homophone still matches with the address", () => {
    const row = { name: "张三", birthDate: "1956-03-04", address: "苏阳新村3幢201" };
    expect(matchScore(row, cand)).toBeGreaterThanOrEqual(0.85);
    expect(bestFuzzy({ ...row, name: "章三" }, [cand])?.candidate.id).toBe(9);
    expect(bestFuzzy({ ...row, birthDate: "1956-03-05" }, [cand])).toBeNull();
    expect(bestFuzzy({ ...row, address: "城东街道海港路" }, [cand])).toBeNull();
  });

  it("property: similarity is symmetric, within 0..1 and 1 for the same text", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const s = similarity(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(similarity(b, a)).toBeCloseTo(s, 10);
        if (/[a-z0-9]/i.test(a)) expect(similarity(a, a)).toBe(1);
      }),
    );
  });

  it("classifies: found, routed to the registered community, not found, duplicate, invalid", () => {
    const row = (cells: unknown[]) => cleanRow(3, cells as string[], M);
    const m = { candidate: cand, by: "id" as const, score: 1 };
    expect(classify(row(["", "张三", ID, "", "", "苏阳"]), null, m).class).toBe("found");
    const routed = classify(row(["", "张三", ID, "", "", "观音山社区"]), null, m);
    expect(routed.class).toBe("routed");
    expect(routed.reasons[0]).toContain("苏阳社区");
    expect(classify(row(["", "张三", ID]), null, null).class).toBe("not_found");
    expect(classify(row(["", "张三", ID]), 2, m)).toMatchObject({
      class: "duplicate",
      reasons: ["与第 2 行重复"],
    });
    const bad = classify(row(["", "张三", Number(ID)]), null, null);
    expect(bad.class).toBe("invalid");
    expect(bad.reasons[0]).toContain("后几位已丢失");
    // A damaged number whose person is found by name, birth date and address: found, flagged.
    const fuzzy = classify(row(["", "张三", Number(ID)]), null, { candidate: cand, by: "fuzzy", score: 0.9 });
    expect(fuzzy.class).toBe("found");
    expect(fuzzy.reasons.join()).toContain("相似度 90%");
  });
});
