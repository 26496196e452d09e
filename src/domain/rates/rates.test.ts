import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addCounts,
  computeRates,
  emptyCounts,
  type OrderFacts,
  RATE_LABELS,
  RATE_NAMES,
  type RateCounts,
  ratio,
  tally,
} from "./rates.ts";

const counts = (c: Partial<RateCounts>): RateCounts => ({ ...emptyCounts(), ...c });

const orderFactsArb: fc.Arbitrary<OrderFacts> = fc.record({
  dispatched: fc.boolean(),
  acceptedOnTime: fc.boolean(),
  resolved: fc.boolean(),
  extended: fc.boolean(),
  resolvedOnTime: fc.boolean(),
  firstTime: fc.boolean(),
  callback: fc.option(
    fc.record({
      solved: fc.boolean(),
      satisfaction: fc.constantFrom(
        "satisfied" as const,
        "basically_satisfied" as const,
        "unsatisfied" as const,
        null,
      ),
    }),
  ),
  verified: fc.boolean(),
  reworked: fc.boolean(),
});

describe("rates", () => {
  it("give value, numerator and denominator; an empty denominator gives null", () => {
    expect(ratio(3, 4)).toEqual({ value: 0.75, numerator: 3, denominator: 4 });
    expect(ratio(0, 0)).toEqual({ value: null, numerator: 0, denominator: 0 });
    expect(computeRates(emptyCounts()).satisfaction_rate.value).toBeNull();
  });

  it("refuse counts that cannot be right", () => {
    expect(() => ratio(5, 4)).toThrow(RangeError);
    expect(() => ratio(-1, 4)).toThrow(RangeError);
    expect(() => ratio(1.5, 4)).toThrow(RangeError);
    expect(() => computeRates(counts({ resolved: 2, resolvedExtended: 3 }))).toThrow(RangeError);
  });

  it("on-time rate leaves approved deferrals out of the denominator; extension rate counts them", () => {
    const r = computeRates(counts({ resolved: 10, resolvedExtended: 2, resolvedOnTime: 6 }));
    expect(r.on_time_rate).toEqual({ value: 0.75, numerator: 6, denominator: 8 });
    expect(r.extension_rate).toEqual({ value: 0.2, numerator: 2, denominator: 10 });
  });

  it("satisfaction counts 满意 and 基本满意 over rated callbacks only", () => {
    const c = tally([
      { ...base(), callback: { solved: true, satisfaction: "satisfied" } },
      { ...base(), callback: { solved: true, satisfaction: "basically_satisfied" } },
      { ...base(), callback: { solved: false, satisfaction: "unsatisfied" } },
      { ...base(), callback: { solved: true, satisfaction: null } },
    ]);
    const r = computeRates(c);
    expect(r.satisfaction_rate).toEqual({ value: 2 / 3, numerator: 2, denominator: 3 });
    expect(r.solve_rate).toEqual({ value: 0.75, numerator: 3, denominator: 4 });
  });

  it("has a Chinese label for each rate", () => {
    expect(RATE_NAMES.map((n) => RATE_LABELS[n])).toEqual([
      "响应率",
      "按时办结率",
      "首次办结率",
      "解决率",
      "满意率",
      "返工率",
      "延期率",
    ]);
  });

  it("property: every rate from real orders is within 0..1 (or null with a zero denominator)", () => {
    fc.assert(
      fc.property(fc.array(orderFactsArb, { maxLength: 50 }), (orders) => {
        for (const r of Object.values(computeRates(tally(orders)))) {
          if (r.denominator === 0) expect(r.value).toBeNull();
          else {
            expect(r.value).toBeGreaterThanOrEqual(0);
            expect(r.value).toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });

  it("property: counts roll up — the tally of two groups is the sum of their tallies", () => {
    fc.assert(
      fc.property(fc.array(orderFactsArb), fc.array(orderFactsArb), (a, b) => {
        expect(tally([...a, ...b])).toEqual(addCounts(tally(a), tally(b)));
      }),
    );
  });
});

function base(): OrderFacts {
  return {
    dispatched: true,
    acceptedOnTime: true,
    resolved: true,
    extended: false,
    resolvedOnTime: true,
    firstTime: true,
    callback: null,
    verified: false,
    reworked: false,
  };
}
