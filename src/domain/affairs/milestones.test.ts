import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { schedule, weightProblem } from "./milestones.ts";

describe("key-project milestones", () => {
  it("weights must be whole percents summing to 100", () => {
    expect(weightProblem([30, 30, 40])).toBeNull();
    expect(weightProblem([30, 30, 30])).toContain("90%");
    expect(weightProblem([])).not.toBeNull();
    expect(weightProblem([50, 50.5, -0.5])).not.toBeNull();
  });
  it("a passed milestone unmet puts the project behind by the days since it", () => {
    const ms = [
      { weight: 20, due: "2026-10-01", doneOn: "2026-09-28" },
      { weight: 30, due: "2026-11-01", doneOn: null },
      { weight: 50, due: "2026-12-31", doneOn: null },
    ];
    expect(schedule(ms, "2026-11-01")).toMatchObject({
      behind: false,
      delayDays: 0,
      actual: 20,
      planned: 50,
    });
    expect(schedule(ms, "2026-11-11")).toMatchObject({ behind: true, delayDays: 10, overdue: 1 });
  });
  it("progress and plan stay within 0..100, and a project with all met is never behind", () => {
    const ms = fc.array(
      fc.record({
        weight: fc.integer({ min: 1, max: 100 }),
        due: fc
          .integer({ min: 0, max: 365 })
          .map((d) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10)),
        done: fc.boolean(),
      }),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(ms, fc.integer({ min: 0, max: 400 }), (list, d) => {
        const total = list.reduce((a, m) => a + m.weight, 0);
        const weights = list.map((m) => Math.round((m.weight / total) * 100));
        const today = new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
        const s = schedule(
          list.map((m, i) => ({ weight: weights[i], due: m.due, doneOn: m.done ? m.due : null })),
          today,
        );
        const all = schedule(
          list.map((m, i) => ({ weight: weights[i], due: m.due, doneOn: m.due })),
          today,
        );
        return s.actual >= 0 && s.planned >= 0 && s.delayDays >= 0 && !all.behind && all.delayDays === 0;
      }),
    );
  });
});
