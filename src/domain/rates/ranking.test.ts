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
      community("F", 5),
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
      [4, "F"],
      [5, "B"],
      [6, "E"],
    ]);
    expect(list.red.map((r) => r.unitId)).toEqual(["A", "C"]);
    expect(list.black.map((r) => r.unitId)).toEqual(["E", "B"]);
    expect(list.note).toEqual({ red: null, black: null });
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
    const six = ["A", "B", "C", "D", "E", "F"].map((id, i) => community(id, 9 - i));
    const list = rankUnits([...six, { unitId: "N", name: "无数据", counts: emptyCounts() }], {
      topN: 5,
      bottomN: 5,
    });
    expect(list.ranking.map((r) => [r.unitId, r.rank])).toEqual([
      ["A", 1],
      ["B", 2],
      ["C", 3],
      ["D", 4],
      ["E", 5],
      ["F", 6],
      ["N", null],
    ]);
    expect(list.ranking[0].score).toBe(0.95);
    expect(list.ranked).toBe(6);
    // A third of the six ranked units, not five: the unscored one does not count towards the share.
    expect(list.red.map((r) => r.unitId)).toEqual(["A", "B"]);
    expect(list.black.map((r) => r.unitId)).toEqual(["F", "E"]);
  });

  it("names nobody when fewer than 6 units are ranked, and says why", () => {
    const five = ["A", "B", "C", "D", "E"].map((id, i) => community(id, 9 - i));
    const list = rankUnits(five, { topN: 5, bottomN: 5 });
    expect(list.ranking.filter((r) => r.rank !== null)).toHaveLength(5);
    expect([list.red, list.black]).toEqual([[], []]);
    expect(list.limit).toEqual({ red: 0, black: 0 });
    expect(list.note).toEqual({ red: "too_few_units", black: "too_few_units" });
  });

  it("leaves a tie at the cut off whole: 10 communities, three sharing 3rd place", () => {
    // Scores: A 1.0, B .95, then C, D, E tied, then F…J falling. A third of 10 is 3.
    const sat = { A: 10, B: 9, C: 8, D: 8, E: 8, F: 7, G: 6, H: 5, I: 4, J: 3 };
    const list = rankUnits(
      Object.entries(sat).map(([id, n]) => community(id, n)),
      { topN: 5, bottomN: 5 },
    );
    expect(list.limit).toEqual({ red: 3, black: 3 });
    expect(list.red.map((r) => r.unitId)).toEqual(["A", "B"]);
    expect(list.note.red).toBe("tie_at_cut");
    expect(list.black.map((r) => r.unitId)).toEqual(["J", "I", "H"]);
    expect(list.note.black).toBeNull();
  });

  it("with 10 communities all on one score, nobody is on either list", () => {
    const list = rankUnits(
      Array.from({ length: 10 }, (_, i) => community(`U${i}`, 7)),
      { topN: 5, bottomN: 5 },
    );
    expect([list.red, list.black]).toEqual([[], []]);
    expect(list.note).toEqual({ red: "tie_at_cut", black: "tie_at_cut" });
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
  .uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 20 })
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
        const redIds = new Set(list.red.map((r) => r.unitId));
        for (const b of list.black) expect(redIds.has(b.unitId)).toBe(false);
      }),
    );
  });

  it("property: the list rules — a minimum of 6, at most N and a third, ties whole, no score on both", () => {
    fc.assert(
      fc.property(unitsArb, weightsArb, nArb, nArb, (units, weights, topN, bottomN) => {
        const list = rankUnits(units, { weights, topN, bottomN });
        const scored = list.ranking.filter((r) => r.score !== null);
        if (scored.length < 6) {
          expect(list.red).toEqual([]);
          expect(list.black).toEqual([]);
          return;
        }
        const third = Math.floor(scored.length / 3);
        expect(list.red.length).toBeLessThanOrEqual(Math.min(topN, third));
        expect(list.black.length).toBeLessThanOrEqual(Math.min(bottomN, third));
        // Red is the head of the ranking, black its tail, worst first.
        expect(list.red).toEqual(scored.slice(0, list.red.length));
        expect(list.black).toEqual([...scored].reverse().slice(0, list.black.length));
        // Whole ties: every unit on a list beats every unit of its side that is not on it.
        const redIds = new Set(list.red.map((r) => r.unitId));
        const blackIds = new Set(list.black.map((r) => r.unitId));
        for (const r of list.red)
          for (const u of scored) if (!redIds.has(u.unitId)) expect(r.score!).toBeGreaterThan(u.score!);
        for (const b of list.black)
          for (const u of scored) if (!blackIds.has(u.unitId)) expect(b.score!).toBeLessThan(u.score!);
        const redScores = new Set(list.red.map((r) => r.score));
        for (const b of list.black) expect(redScores.has(b.score)).toBe(false);
        // Only a split tie or the caps make a list shorter than asked.
        if (list.red.length < Math.min(topN, third)) expect(list.note.red).toBe("tie_at_cut");
        if (list.black.length < Math.min(bottomN, third)) expect(list.note.black).toBe("tie_at_cut");
      }),
      { numRuns: 300 },
    );
  });

  it("property: with 10 communities nobody is on both lists, whatever their scores", () => {
    const ten = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 10, maxLength: 10 });
    fc.assert(
      fc.property(ten, nArb, nArb, (sat, topN, bottomN) => {
        const list = rankUnits(
          sat.map((n, i) => community(`C${i}`, n)),
          { topN, bottomN },
        );
        expect(list.red.length + list.black.length).toBeLessThanOrEqual(6);
        const red = new Set(list.red.map((r) => r.unitId));
        expect(list.black.filter((b) => red.has(b.unitId))).toEqual([]);
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
