import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CallerCandidate, classifyLookup, MATCH_KINDS, matchCaller, rankCallers } from "./callers.ts";

const person = (id: number, name: string, initials: string, phone: string | null, address: string) => ({
  id,
  name,
  initials,
  phone,
  address,
});

describe("the desk's lookup box", () => {
  it("reads what an agent types", () => {
    expect(classifyLookup("5678")).toEqual({ kind: "phone_tail", digits: "5678" });
    expect(classifyLookup("45678")).toEqual({ kind: "phone_tail", digits: "45678" });
    expect(classifyLookup("138 1234 5678")).toEqual({ kind: "phone", value: "13812345678" });
    expect(classifyLookup("+86 138 1234 5678")).toEqual({ kind: "phone", value: "13812345678" });
    expect(classifyLookup("0513-85123456")).toEqual({ kind: "phone", value: "0513-85123456" });
    expect(classifyLookup("11010519491231002X")).toEqual({ kind: "id_number", value: "11010519491231002X" });
    expect(classifyLookup("ZXM")).toEqual({ kind: "initials", value: "zxm" });
    expect(classifyLookup(" 张晓明 ")).toEqual({ kind: "text", value: "张晓明" });
    expect(classifyLookup("苏阳社区   12幢")).toEqual({ kind: "text", value: "苏阳社区 12幢" });
    // Too few digits would match thousands; nothing is searched.
    expect(classifyLookup("567")).toBeNull();
    expect(classifyLookup("   ")).toBeNull();
  });

  it("ranks a phone tail above a name, a name above initials, initials above an address", () => {
    const people = [
      person(1, "王芳", "wf", "13900001111", "苏阳社区5幢"),
      person(2, "张晓明", "zxm", "13812345678", "苏阳社区12幢301"),
      person(3, "张晓", "zx", "13700005678", "苏阳社区3幢"),
      person(4, "李张", "lz", null, "张家巷7号"),
    ];
    const byText = rankCallers(classifyLookup("张晓")!, people);
    expect(byText.items.map((r) => [r.candidate.id, r.match])).toEqual([
      [3, "name_exact"],
      [2, "name_prefix"],
    ]);
    const tail = rankCallers(classifyLookup("5678")!, people);
    expect(tail.items.map((r) => r.candidate.id)).toEqual([3, 2]);
    expect(rankCallers(classifyLookup("45678")!, people).items.map((r) => r.candidate.id)).toEqual([2]);
    expect(rankCallers(classifyLookup("zx")!, people).items.map((r) => [r.candidate.id, r.match])).toEqual([
      [3, "initials_exact"],
      [2, "initials_prefix"],
    ]);
    expect(
      rankCallers(classifyLookup("张家巷")!, people).items.map((r) => [r.candidate.id, r.match]),
    ).toEqual([[4, "address"]]);
  });

  it("never counts an ID-number match as a phone match", () => {
    const q = classifyLookup("1002")!;
    const c = { ...person(1, "王芳", "wf", "13900001111", "x"), idMatched: true };
    expect(matchCaller(q, c)).toBeNull();
  });

  it("shows at most the limit and says how many more", () => {
    const many = Array.from({ length: 23 }, (_, i) => person(i + 1, `张${i}`, "z", null, "苏阳社区"));
    const r = rankCallers(classifyLookup("张")!, many, 10);
    expect(r.items).toHaveLength(10);
    expect(r.more).toBe(13);
  });

  it("returns only matches, each once, best kind first", () => {
    const candidate = fc.record({
      id: fc.integer({ min: 1, max: 30 }),
      name: fc.constantFrom("张三", "张三丰", "李四", "王五"),
      initials: fc.constantFrom("zs", "zsf", "ls", "ww"),
      phone: fc.option(fc.constantFrom("13812345678", "13900005678", "0513-85123456"), { nil: null }),
      address: fc.constantFrom("苏阳社区1幢", "张家巷2号", "城中街道"),
    });
    const query = fc.constantFrom("5678", "3456", "张三", "zs", "张家巷", "苏阳", "李");
    fc.assert(
      fc.property(
        fc.array(candidate, { maxLength: 40 }),
        query,
        fc.integer({ min: 1, max: 12 }),
        (cs, raw, limit) => {
          const q = classifyLookup(raw)!;
          const { items, more } = rankCallers(q, cs as CallerCandidate[], limit);
          const ids = items.map((i) => i.candidate.id);
          expect(new Set(ids).size).toBe(ids.length);
          for (const i of items) expect(matchCaller(q, i.candidate)).toBe(i.match);
          const ranks = items.map((i) => MATCH_KINDS.indexOf(i.match));
          expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
          const firstOf = new Map<number, CallerCandidate>();
          for (const c of cs) if (!firstOf.has(c.id)) firstOf.set(c.id, c);
          const matching = [...firstOf.values()].filter((c) => matchCaller(q, c)).length;
          expect(items.length + more).toBe(matching);
        },
      ),
    );
  });
});
