import { describe, expect, it } from "vitest";
import { maskIdCard, maskPhone, normalisePhone } from "./mask.ts";

describe("masking", () => {
  it("masks ID numbers and phones as the design shows", () => {
    expect(maskIdCard("320613199001011234")).toBe("3206**********1234");
    expect(maskPhone("13812345678")).toBe("138****5678");
  });
  it("normalises phone input and rejects bad numbers", () => {
    expect(normalisePhone("+86 138-1234-5678")).toBe("13812345678");
    expect(normalisePhone("12812345678")).toBeNull();
    expect(normalisePhone("1381234567")).toBeNull();
  });
});
