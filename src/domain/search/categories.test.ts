import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CategoryEntry, categoryScore, normaliseCategoryQuery, searchCategories } from "./categories.ts";

const cat = (
  code: string,
  name: string,
  initials: string,
  pinyin: string,
  synonyms: string[] = [],
  parentCode: string | null = null,
): CategoryEntry => ({ code, name, initials, pinyin, synonyms, parentCode });

const LIST = [
  cat("sanitation", "环境卫生", "hjws", "huanjingweisheng", ["垃圾", "脏乱"]),
  cat("municipal", "市政设施", "szss", "shizhengsheshi"),
  cat(
    "municipal_lighting",
    "路灯照明",
    "ldzm",
    "ludengzhaoming",
    ["楼道灯", "路灯不亮", "照明"],
    "municipal",
  ),
  cat("utilities", "水电气维修", "sdqwx", "shuidianqiweixiu"),
  cat("utilities_water", "供水", "gs", "gongshui", ["停水", "水压低", "爆管"], "utilities"),
  cat("utilities_power", "供电", "gd", "gongdian", ["停电"], "utilities"),
  cat("noise", "噪声扰民", "zsrm", "zaoshengraomin", ["装修噪音"]),
];
const codes = (q: string) => searchCategories(q, LIST).map((h) => h.category.code);

describe("category search", () => {
  it("finds a category by what the caller said", () => {
    expect(codes("楼道灯")).toEqual(["municipal_lighting"]);
    expect(codes("楼道灯不亮")).toEqual(["municipal_lighting"]);
    expect(codes("水")[0]).toBe("utilities");
    expect(codes("水")).toContain("utilities_water");
    expect(codes("停水")).toEqual(["utilities_water"]);
    expect(codes("供")).toEqual(["utilities_water", "utilities_power"]);
  });

  it("reads pinyin initials and full pinyin", () => {
    expect(codes("ldzm")).toEqual(["municipal_lighting"]);
    expect(codes("gongshui")).toEqual(["utilities_water"]);
    expect(codes("GS")).toEqual(["utilities_water"]);
  });

  it("offers a parent's subcategories after it", () => {
    expect(codes("水电气")).toEqual(["utilities", "utilities_water", "utilities_power"]);
  });

  it("offers nothing the text does not match (Enter cannot pick it)", () => {
    expect(codes("楼道灯")).not.toContain("sanitation");
    expect(codes("xyz")).toEqual([]);
    expect(codes("火箭")).toEqual([]);
  });

  it("every offered category matches the query itself or through its parent", () => {
    const byCode = new Map(LIST.map((c) => [c.code, c]));
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), (raw) => {
        const q = normaliseCategoryQuery(raw);
        for (const h of searchCategories(raw, LIST)) {
          const c = h.category;
          const parent = c.parentCode ? byCode.get(c.parentCode) : undefined;
          expect(!q || categoryScore(q, c) !== null || (parent && categoryScore(q, parent) !== null)).toBe(
            true,
          );
        }
      }),
    );
  });
});
