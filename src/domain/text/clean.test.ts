import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanText, hasControl } from "./clean.ts";

describe("cleanText", () => {
  it("drops NUL and other controls, keeps tab and newlines", () => {
    expect(cleanText("a\u0000b\u0007c\td\ne\r\n")).toBe("abc\td\ne\r\n");
  });
  it("replaces lone surrogates", () => {
    expect(cleanText("x\ud800y")).toBe("x\ufffdy");
    expect(cleanText("😀")).toBe("😀");
  });
  it("is idempotent and leaves text without controls well-formed", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const c = cleanText(s);
        expect(cleanText(c)).toBe(c);
        expect(c.isWellFormed()).toBe(true);
        expect(hasControl(c.replace(/[\t\n\r]/g, ""))).toBe(false);
      }),
    );
    // A hundred strings take milliseconds, unless the machine's two cores are shared with a whole suite.
  }, 30_000);
});
