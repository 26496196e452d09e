import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_WEIGHTS, type RateWeights, rankUnits, type UnitFigures } from "./ranking.ts";
import { emptyCounts, type OrderFacts, RATE_NAMES, type RateCounts, tally } from "./rates.ts";

const SATISFACTION = ["satisfied", "basically_satisfied", "unsatisfied", null] as const;
const counts = (c: Partial<RateCounts>): RateCounts => ({ ...emptyCounts(), ...c });

/** A community whose orders are all answered on time and with `satisfied` of 10 callbacks happy. */
function community(unitId: string, satisfied: number, dispatched = 10): UnitFigures {
  return {
    unitId,
    name: `社区${unitId}`,
    counts: counts({ dispatched, acceptedOnTime: dispatched, ratedCallbacks: 10, ratedSatisfied: satisfied }),
  };
}

describe("红黑榜", () => {
  it("ranks by weighted score, top N red and bottom N black (worst first), with the figures", () => {
    const units = [
      community("A", 10),
      community("B", 4),
      community("C", 8),
      community("D", 6),
      community("E", 2),
    ];
    const list = rankUnits(units, {
      weights: { response_rate: 1, satisfaction_rate: 1 },
      topN: 2,
      bottomN: 2,
    });
    expect(list.ranking.map((r) => [r.rank, r.unitId])).toEqual([
      [1, "A"],
      [2, "C"],
      [3, "D"],
      [4, "B"],
      [5, "E"],
    ]);
    expect(list.red.map((r) => r.unitId)).toEqual(["A", "C"]);
    expect(list.black.map((r) => r.unitId)).toEqual(["E", "B"]);
    const e = list.black[0];
    // only response and satisfaction carry weight here: (1 + 0.2) / 2, explained rate by rate
    expect(e.score).toBe(0.6);
    expect(e.contributions.response_rate! + e.contributions.satisfaction_rate!).toBeCloseTo(0.6);
    expect(e.rates.satisfaction_rate).toEqual({ value: 0.2, numerator: 2, denominator: 10 });
  });

  it("breaks ties by volume, then by unit code", () => {
    const list = rankUnits([community("Z", 5, 10), community("Y", 5, 20), community("X", 5, 10)]);
    expect(list.ranking.map((r) => r.unitId)).toEqual(["Y", "X", "Z"]);
  });

  it("renormalises over the rates a unit has; lower rework is better", () => {
    const clean = { unitId: "P", name: "P", counts: counts({ verified: 10, reworked: 0 }) };
    const sloppy = { unitId: "Q", name: "Q", counts: counts({ verified: 10, reworked: 5 }) };
    const list = rankUnits([sloppy, clean]);
    expect(list.ranking.map((r) => [r.unitId, r.score])).toEqual([
      ["P", 1],
      ["Q", 0.5],
    ]);
  });

  it("keeps a unit with no figures in the ranking, unranked and off both lists", () => {
    const list = rankUnits([community("A", 9), { unitId: "N", name: "无数据", counts: emptyCounts() }], {
      topN: 5,
      bottomN: 5,
    });
    expect(list.ranking.map((r) => [r.unitId, r.rank, r.score])).toEqual([
      ["A", 1, 0.95],
      ["N", null, null],
    ]);
    expect(list.red.map((r) => r.unitId)).toEqual(["A"]);
    expect(list.black).toEqual([]);
  });

  it("refuses bad weights and duplicate units", () => {
    expect(() => rankUnits([], { weights: { solve_rate: -1 } })).toThrow(RangeError);
    const zero = Object.fromEntries(RATE_NAMES.map((n) => [n, 0])) as RateWeights;
    expect(() => rankUnits([], { weights: zero })).toThrow(RangeError);
    expect(() => rankUnits([community("A", 1), community("A", 2)])).toThrow(RangeError);
  });
});

const orderFactsArb: fc.Arbitrary<OrderFacts> = fc.record({
  dispatched: fc.boolean(),
  acceptedOnTime: fc.boolean(),
  resolved: fc.boolean(),
  extended: fc.boolean(),
  resolvedOnTime: fc.boolean(),
  firstTime: fc.boolean(),
  callback: fc.option(fc.record({ solved: fc.boolean(), satisfaction: fc.constantFrom(...SATISFACTION) })),
  verified: fc.boolean(),
  reworked: fc.boolean(),
});
const unitsArb = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 12 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.array(orderFactsArb, { maxLength: 12 }).map((orders: OrderFacts[]) => ({ id, orders })),
      ),
    ),
  )
  .map((rows): UnitFigures[] =>
    rows.map(({ id, orders }) => ({ unitId: id, name: id, counts: tally(orders) })),
  );
const weightsArb = fc
  .record(
    Object.fromEntries(RATE_NAMES.map((n) => [n, fc.integer({ min: 0, max: 10 })])) as Record<
      keyof RateWeights,
      fc.Arbitrary<number>
    >,
  )
  .filter((w) => Object.values(w).some((v) => v > 0));
const nArb = fc.integer({ min: 0, max: 8 });

describe("红黑榜 laws", () => {
  it("property: the ranking is a permutation; ranks follow the scores; red and black never overlap", () => {
    fc.assert(
      fc.property(unitsArb, weightsArb, nArb, nArb, (units, weights, topN, bottomN) => {
        const list = rankUnits(units, { weights, topN, bottomN });
        expect(list.ranking.map((r) => r.unitId).sort()).toEqual(units.map((u) => u.unitId).sort());
        const scored = list.ranking.filter((r) => r.score !== null);
        scored.forEach((r, i) => {
          expect(r.rank).toBe(i + 1);
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(1);
          if (i > 0) expect(scored[i - 1].score!).toBeGreaterThanOrEqual(r.score!);
        });
        expect(list.red.length).toBe(Math.min(topN, scored.length));
        const redIds = new Set(list.red.map((r) => r.unitId));
        for (const b of list.black) expect(redIds.has(b.unitId)).toBe(false);
      }),
    );
  });

  it("property: changing the weights never drops a unit, and input order never changes the result", () => {
    fc.assert(
      fc.property(unitsArb, weightsArb, weightsArb, (units, w1, w2) => {
        const a = rankUnits(units, { weights: w1 });
        const b = rankUnits(units, { weights: w2 });
        expect(b.ranking.length).toBe(units.length);
        expect(new Set(b.ranking.map((r) => r.unitId))).toEqual(new Set(a.ranking.map((r) => r.unitId)));
        const reversed = rankUnits([...units].reverse(), { weights: w1 });
        expect(reversed.ranking.map((r) => r.unitId)).toEqual(a.ranking.map((r) => r.unitId));
      }),
    );
  });

  it("uses the default weights when none are given", () => {
    expect(rankUnits([]).weights).toEqual(DEFAULT_WEIGHTS);
  });
});
