import { describe, expect, it } from "vitest";
import { surname } from "../people/names.ts";
import { createRng } from "../people/random.ts";
import { SURNAMES } from "../people/surnames.ts";
import { buildingLevel, publicText } from "./publicText.ts";

describe("publicText", () => {
  it("masks phones, landlines and ID numbers", () => {
    const s = publicText("请回电 13812345678 或 0513-85123456，身份证 320613195001011234，+86 139 1234 5678");
    expect(s).not.toMatch(/\d{5,}/);
    expect(s).not.toContain("1234");
  });
  it("masks flats and units but keeps the building", () => {
    expect(publicText("12幢 1单元 201室 楼道灯不亮")).toBe("12幢 ** ** 楼道灯不亮");
    expect(publicText("3-2-301 漏水")).toBe("** 漏水");
  });
  it("masks names we know and forms of address", () => {
    expect(publicText("张建国反映王女士家噪音", ["张建国"])).toBe("**反映*女士家噪音");
  });
  it("masks only a surname before a form of address, compound ones whole", () => {
    expect(publicText("李阿姨和欧阳先生说，顾师傅明天来修")).toBe("*阿姨和**先生说，*师傅明天来修");
    expect(publicText("独居老人家中无人，保安师傅、物业阿姨、退休老师都说多层住宅老人多")).toBe(
      "独居老人家中无人，保安师傅、物业阿姨、退休老师都说多层住宅老人多",
    );
    expect(publicText("小区阿姨反映出租车师傅乱停车，旁边阿姨向老师求助")).toBe(
      "小区阿姨反映出租车师傅乱停车，旁边阿姨向老师求助",
    );
  });
  it("knows every surname the demo district's residents are given", () => {
    const rng = createRng(7);
    for (let i = 0; i < 20_000; i++) {
      const s = surname(rng);
      expect(SURNAMES.has(s), s).toBe(true);
      expect(publicText(`${s}阿姨`)).toBe(`${"*".repeat(s.length)}阿姨`);
    }
  });
  it("leaves ordinary text alone", () => {
    expect(publicText("路灯不亮，已三天")).toBe("路灯不亮，已三天");
  });
});

describe("buildingLevel", () => {
  it("cuts an address to the building", () => {
    expect(buildingLevel("苏阳社区 12幢 1单元 201室")).toBe("苏阳社区 12幢");
    expect(buildingLevel("苏阳社区 5幢 302室")).toBe("苏阳社区 5幢");
    expect(buildingLevel(null)).toBeNull();
  });
});
