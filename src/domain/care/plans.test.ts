import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KEY_TAGS, type KeyTag } from "../people/generate.ts";
import {
  type CarePlanConfig,
  firstVisitDue,
  nextVisitDue,
  periodOf,
  planFrequency,
  planVisitStatus,
  VISIT_FREQUENCIES,
  type VisitFrequency,
  visitStatus,
} from "./plans.ts";
import { dayOfDate, shanghaiDayNumber } from "./shanghai.ts";

const at = (iso: string) => new Date(iso);
const rank = (f: VisitFrequency | undefined) => (f ? VISIT_FREQUENCIES.indexOf(f) : VISIT_FREQUENCIES.length);

describe("visit frequency", () => {
  it("follows the category defaults, most frequent wins", () => {
    expect(planFrequency(["living_alone"])?.frequency).toBe("weekly");
    expect(planFrequency(["aged_80_plus"])?.frequency).toBe("monthly");
    expect(planFrequency(["low_income"])?.frequency).toBe("quarterly");
    expect(planFrequency(["low_income", "aged_80_plus", "empty_nest"])).toEqual({
      frequency: "weekly",
      decidedBy: "empty_nest",
      label: "每周（空巢）",
    });
    expect(planFrequency([])).toBeNull();
  });
  it("takes a community's overrides", () => {
    const config: CarePlanConfig = { frequencies: { aged_80_plus: "weekly", low_income: "monthly" } };
    expect(planFrequency(["aged_80_plus"], config)?.frequency).toBe("weekly");
    expect(planFrequency(["low_income"], config)?.label).toBe("每月（低保）");
    expect(planFrequency(["chronic_disease"], config)?.frequency).toBe("monthly");
  });
});

describe("due dates in Shanghai calendar periods", () => {
  it("owes a weekly visit by the Sunday of the next Monday-start week", () => {
    // Sunday 23:59 in Shanghai is still last week; one minute later is a new week.
    expect(nextVisitDue(at("2026-06-28T15:59:00Z"), "weekly")).toEqual({
      opens: "2026-06-29",
      dueBy: "2026-07-05",
    });
    expect(nextVisitDue(at("2026-06-28T16:00:00Z"), "weekly")).toEqual({
      opens: "2026-07-06",
      dueBy: "2026-07-12",
    });
  });
  it("uses calendar months, half-months and quarters", () => {
    expect(nextVisitDue(at("2026-01-31T15:30:00Z"), "monthly")).toEqual({
      opens: "2026-02-01",
      dueBy: "2026-02-28",
    });
    expect(nextVisitDue(at("2026-01-31T16:30:00Z"), "monthly").dueBy).toBe("2026-03-31");
    expect(nextVisitDue(at("2028-01-10T02:00:00Z"), "monthly").dueBy).toBe("2028-02-29");
    expect(nextVisitDue(at("2026-02-10T02:00:00Z"), "semimonthly")).toEqual({
      opens: "2026-02-16",
      dueBy: "2026-02-28",
    });
    expect(nextVisitDue(at("2026-02-20T02:00:00Z"), "semimonthly")).toEqual({
      opens: "2026-03-01",
      dueBy: "2026-03-15",
    });
    expect(nextVisitDue(at("2026-03-31T10:00:00Z"), "quarterly")).toEqual({
      opens: "2026-04-01",
      dueBy: "2026-06-30",
    });
    expect(nextVisitDue(at("2026-12-20T10:00:00Z"), "quarterly").dueBy).toBe("2027-03-31");
  });
  it("gives a new plan the current period unless it is nearly over", () => {
    expect(firstVisitDue(at("2026-07-01T02:00:00Z"), "weekly").dueBy).toBe("2026-07-05"); // Wednesday
    expect(firstVisitDue(at("2026-07-04T02:00:00Z"), "weekly").dueBy).toBe("2026-07-12"); // Saturday
    expect(firstVisitDue(at("2026-07-04T02:00:00Z"), "weekly", { dueSoonDays: { weekly: 0 } }).dueBy).toBe(
      "2026-07-05",
    );
  });
});

describe("visit status", () => {
  const due = { opens: "2026-06-29", dueBy: "2026-07-05" };
  const noonOn = (d: string) => at(`${d}T04:00:00Z`);
  it("moves from scheduled to due soon, due and overdue by Shanghai day", () => {
    expect(visitStatus(due, noonOn("2026-06-27"), 2)).toMatchObject({
      state: "scheduled",
      windowOpen: false,
    });
    expect(visitStatus(due, noonOn("2026-06-30"), 2)).toMatchObject({ state: "scheduled", windowOpen: true });
    expect(visitStatus(due, noonOn("2026-07-03"), 2)).toMatchObject({ state: "due_soon", daysLeft: 2 });
    expect(visitStatus(due, noonOn("2026-07-05"), 2)).toMatchObject({ state: "due", label: "今日到期" });
    // 00:30 Monday in Shanghai is still Sunday in UTC: it is overdue by one day.
    expect(visitStatus(due, at("2026-07-05T16:30:00Z"), 2)).toMatchObject({
      state: "overdue",
      daysOverdue: 1,
      label: "已逾期 1 天",
    });
    expect(visitStatus(due, noonOn("2026-07-15"), 2).daysOverdue).toBe(10);
  });
  it("starts from the last visit, or the plan start if never visited", () => {
    const plan = { frequency: "weekly" as const, startedAt: at("2026-06-01T02:00:00Z"), lastVisitAt: null };
    expect(planVisitStatus(plan, noonOn("2026-06-10"))).toMatchObject({ state: "overdue", daysOverdue: 3 });
    const visited = { ...plan, lastVisitAt: at("2026-06-09T02:00:00Z") };
    expect(planVisitStatus(visited, noonOn("2026-06-10"))).toMatchObject({
      state: "scheduled",
      dueBy: "2026-06-21",
    });
  });
});

describe("care plan properties", () => {
  const tags = fc.subarray([...KEY_TAGS]);
  const frequency = fc.constantFrom(...VISIT_FREQUENCIES);
  const config = fc.record({
    frequencies: fc.dictionary(fc.constantFrom(...KEY_TAGS), frequency) as fc.Arbitrary<
      Partial<Record<KeyTag, VisitFrequency>>
    >,
  });
  const instant = fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true });

  it("adding a tag never makes visits less frequent", () => {
    fc.assert(
      fc.property(tags, fc.constantFrom(...KEY_TAGS), config, (ts, extra, cfg) => {
        const before = planFrequency(ts, cfg)?.frequency;
        const after = planFrequency([...ts, extra], cfg)?.frequency;
        expect(rank(after)).toBeLessThanOrEqual(rank(before));
      }),
    );
  });
  it("the next visit is due after the last one, within two periods, never moving backwards", () => {
    fc.assert(
      fc.property(instant, fc.nat(400 * 86_400_000), frequency, (last, later, f) => {
        const due = nextVisitDue(last, f);
        const lastDay = shanghaiDayNumber(last);
        const opens = dayOfDate(due.opens)!;
        const dueBy = dayOfDate(due.dueBy)!;
        expect(opens).toBeGreaterThan(lastDay);
        expect(dueBy).toBeGreaterThanOrEqual(opens);
        expect(dueBy - lastDay).toBeLessThan(
          2 * (periodOf(lastDay, f).end - periodOf(lastDay, f).start + 1) + 31,
        );
        const next = nextVisitDue(new Date(last.getTime() + later), f);
        expect(dayOfDate(next.dueBy)!).toBeGreaterThanOrEqual(dueBy);
      }),
    );
  });
  it("periods tile the calendar", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50_000 }), frequency, (day, f) => {
        const p = periodOf(day, f);
        expect(p.start).toBeLessThanOrEqual(day);
        expect(p.end).toBeGreaterThanOrEqual(day);
        expect(periodOf(p.end + 1, f).start).toBe(p.end + 1);
        expect(periodOf(p.start - 1, f).end).toBe(p.start - 1);
      }),
    );
  });
  it("overdue exactly when the deadline has passed", () => {
    fc.assert(
      fc.property(instant, instant, frequency, (last, now, f) => {
        const s = visitStatus(nextVisitDue(last, f), now, 3);
        expect(s.state === "overdue").toBe(s.daysOverdue > 0);
        expect(s.daysOverdue).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
