import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CREDIT_CHARSET, checkCreditCode, composeCreditCode, creditCheckChar } from "./creditCode.ts";

describe("unified social credit code (GB 32100-2015)", () => {
  it("accepts published codes", () => {
    // 福建 example from the standard's commentary, and 华为技术有限公司's code.
    for (const c of ["91350100M000100Y43", "914403001922038216"])
      expect(checkCreditCode(c)).toEqual({ ok: true, code: c });
    expect(checkCreditCode(" 91350100m000100y43 ").ok).toBe(true);
  });
  it("names the check character when it is wrong", () => {
    const r = checkCreditCode("91350100M000100Y44");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe("check");
      expect(r.expected).toBe("3");
      expect(r.message).toContain("校验位");
    }
  });
  it("refuses wrong lengths and letters outside the alphabet", () => {
    expect(checkCreditCode("91350100M000100Y4")).toMatchObject({ ok: false, reason: "length" });
    expect(checkCreditCode("91350100M000100O43")).toMatchObject({ ok: false, reason: "charset" });
  });
  const body = fc
    .array(fc.constantFrom(...CREDIT_CHARSET.split("")), { minLength: 17, maxLength: 17 })
    .map((a) => a.join(""));
  it("round-trips: any 17 characters plus their check character validate", () => {
    fc.assert(fc.property(body, (b) => checkCreditCode(composeCreditCode(b)).ok));
  });
  it("catches any single changed character", () => {
    fc.assert(
      fc.property(body, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 30 }), (b, pos, shift) => {
        const code = composeCreditCode(b);
        const v = CREDIT_CHARSET.indexOf(code[pos]);
        const changed = code.slice(0, pos) + CREDIT_CHARSET[(v + shift) % 31] + code.slice(pos + 1);
        return !checkCreditCode(changed).ok;
      }),
    );
  });
  it("check character is always from the alphabet", () => {
    fc.assert(fc.property(body, (b) => CREDIT_CHARSET.includes(creditCheckChar(b))));
  });
});
