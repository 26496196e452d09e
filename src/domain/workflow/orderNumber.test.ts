import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NUMBER_TAIL_RANGE, numberTail, orderNumber } from "./orderNumber.ts";

describe("order numbers", () => {
  it("are the day, the id padded to six digits and a three-digit tail", () => {
    expect(orderNumber("20261124", 42, numberTail(7))).toBe("20261124000042007");
    expect(orderNumber("20261124", 1234567, "999")).toBe("202611241234567999");
  });

  it("fit the public page's pattern up to a billion orders", () => {
    expect(orderNumber("20261124", 999_999_999, "123")).toMatch(/^\d{8,20}$/);
  });

  it("property: a number ends in its tail, and two ids of a day never share a number", () => {
    const day = fc.integer({ min: 20200101, max: 20991231 }).map(String);
    const id = fc.integer({ min: 1, max: 999_999_999 });
    const tail = fc.integer({ min: 0, max: NUMBER_TAIL_RANGE - 1 }).map(numberTail);
    fc.assert(
      fc.property(day, id, tail, (d, i, t) => {
        const n = orderNumber(d, i, t);
        expect(n.startsWith(d) && n.endsWith(t) && Number(n.slice(8, -3)) === i).toBe(true);
      }),
    );
    fc.assert(
      fc.property(day, id, id, tail, tail, (d, a, b, ta, tb) => {
        fc.pre(a !== b);
        expect(orderNumber(d, a, ta)).not.toBe(orderNumber(d, b, tb));
      }),
    );
  });
});
