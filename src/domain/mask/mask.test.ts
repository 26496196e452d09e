import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isTextable,
  maskEmail,
  maskIdCard,
  maskPhone,
  normaliseContactPhone,
  normalisePhone,
} from "./mask.ts";

describe("masking", () => {
  it("masks ID numbers and phones as the design shows", () => {
    expect(maskIdCard("320613199001011234")).toBe("3206**********1234");
    expect(maskPhone("13812345678")).toBe("138****5678");
    // Short or mistyped numbers as rosters hold them never come out whole.
    expect(maskPhone("1380000")).toBe("*******");
    expect(maskPhone("85123456")).toBe("****3456");
    expect(maskPhone("0513-1234")).toBe("0513-****");
    expect(maskPhone("1381234567")).toBe("******4567");
  });
  it("normalises phone input and rejects bad numbers", () => {
    expect(normalisePhone("+86 138-1234-5678")).toBe("13812345678");
    expect(normalisePhone("0086 13812345678")).toBe("13812345678");
    expect(normalisePhone("12812345678")).toBeNull();
    expect(normalisePhone("1381234567")).toBeNull();
  });
  it("takes landlines with their area code, from any common spelling", () => {
    expect(normalisePhone("0513-85123456")).toBe("0513-85123456");
    expect(normalisePhone("(0513) 8512 3456")).toBe("0513-85123456");
    expect(normalisePhone("+86 513 8512 3456")).toBe("0513-85123456");
    expect(normalisePhone("010-12345678")).toBeNull(); // a Beijing number never starts with 1
    expect(normalisePhone("010-62345678")).toBe("010-62345678");
    expect(normalisePhone("025 8321 1234")).toBe("025-83211234");
    expect(normalisePhone("85123456")).toBeNull(); // no area code
    expect(maskPhone("0513-85123456")).toBe("0513-****3456");
  });
  it("takes numbers abroad in E.164, and keeps a third party's unplaceable contact number as its digits", () => {
    expect(normalisePhone("+1 (202) 555-0143")).toBe("+12025550143");
    expect(normalisePhone("0044 20 7946 0958")).toBe("+442079460958");
    expect(normalisePhone("+1 555")).toBeNull();
    expect(normalisePhone("111111111")).toBeNull();
    expect(normaliseContactPhone("111111111")).toBe("111111111");
    expect(normaliseContactPhone("0513-85123456")).toBe("0513-85123456");
    expect(normaliseContactPhone("call me")).toBeNull();
    expect(normaliseContactPhone("0513-85123456 转 8012")).toBe("0513-85123456");
    expect(normaliseContactPhone("+1 (202) 555-0143 ext. 12")).toBe("+12025550143");
    expect(normaliseContactPhone("13812345678#3")).toBe("13812345678");
    expect(normaliseContactPhone("n/a")).toBeNull();
    expect(maskPhone("+12025550143")).toBe("+12*****0143");
    expect(maskPhone("111111111")).toBe("*****1111");
    expect(isTextable("13812345678")).toBe(true);
    expect(isTextable("0513-85123456")).toBe(true);
    expect(isTextable("+12025550143")).toBe(false);
    expect(isTextable("111111111")).toBe(false);
    expect(maskEmail("reporter@example.org")).toBe("r*******@example.org");
    expect(maskEmail("a@b.cn")).toBe("a***@b.cn");
  });
  it("a normalised number normalises to itself and masks to its own tail", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.stringMatching(/^1[3-9]\d{9}$/),
          fc.stringMatching(/^0[3-9]\d\d-[2-9]\d{6,7}$/),
          fc.stringMatching(/^0(10|2\d)-[2-9]\d{7}$/),
        ),
        (p) => {
          expect(normalisePhone(p)).toBe(p);
          expect(maskPhone(p).slice(-4)).toBe(p.slice(-4));
          expect(maskPhone(p)).toMatch(/\*{3,}/);
        },
      ),
    );
  });
});
