import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addRating, emptyTally, quarterOf, SATISFACTIONS, satisfactionRate, sumTallies } from "./ratings.ts";

describe("practical-project ratings", () => {
  it("counts 满意 and 基本满意 as satisfied", () => {
    let t = emptyTally();
    for (const s of ["satisfied", "basically_satisfied", "unsatisfied", "satisfied"] as const)
      t = addRating(t, s);
    expect(satisfactionRate(t)).toBe(0.75);
    expect(satisfactionRate(emptyTally())).toBeNull();
  });
  it("stays within 0..1 and a unit's tally is the sum of its projects'", () => {
    const ratings = fc.array(fc.constantFrom(...SATISFACTIONS), { maxLength: 50 });
    fc.assert(
      fc.property(fc.array(ratings, { maxLength: 5 }), (projects) => {
        const tallies = projects.map((rs) => rs.reduce(addRating, emptyTally()));
        const unit = sumTallies(tallies);
        const flat = projects.flat().reduce(addRating, emptyTally());
        const r = satisfactionRate(unit);
        return JSON.stringify(unit) === JSON.stringify(flat) && (r === null || (r >= 0 && r <= 1));
      }),
    );
  });
  it("quarters", () => {
    expect(quarterOf("2026-12-01")).toBe("2026Q4");
    expect(quarterOf("2026-01-31")).toBe("2026Q1");
  });
});
