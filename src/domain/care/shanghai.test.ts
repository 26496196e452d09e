import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  civilParts,
  dateOfDay,
  dayOfDate,
  isoWeekday,
  shanghaiDate,
  shanghaiDayNumber,
  shanghaiInstant,
  shanghaiMinuteOfDay,
} from "./shanghai.ts";

describe("Shanghai civil time", () => {
  it("reads the wall clock at UTC+8 whatever the machine's zone", () => {
    const at = new Date("2026-06-28T16:30:00Z"); // 00:30 on Monday 29 June in Shanghai
    expect(shanghaiDate(at)).toBe("2026-06-29");
    expect(shanghaiMinuteOfDay(at)).toBe(30);
    expect(isoWeekday(shanghaiDayNumber(at))).toBe(1);
    expect(shanghaiDate(new Date("2026-06-28T15:59:59Z"))).toBe("2026-06-28");
    expect(isoWeekday(shanghaiDayNumber(new Date("2026-06-28T15:59:59Z")))).toBe(7);
    expect(shanghaiInstant(dayOfDate("2026-06-29")!, 8 * 60).toISOString()).toBe("2026-06-29T00:00:00.000Z");
    expect(shanghaiMinuteOfDay(new Date("1969-12-31T23:00:00Z"))).toBe(7 * 60);
  });
  it("rejects dates that are not on the calendar", () => {
    expect(dayOfDate("2026-02-29")).toBeNull();
    expect(dayOfDate("2028-02-29")).not.toBeNull();
    expect(dayOfDate("2026-7-1")).toBeNull();
    expect(civilParts(dayOfDate("2026-12-31")!)).toEqual({ year: 2026, month: 12, dayOfMonth: 31 });
  });
  it("property: a date round-trips and the day starts at local midnight", () => {
    fc.assert(
      fc.property(fc.integer({ min: -20_000, max: 80_000 }), (day) => {
        expect(dayOfDate(dateOfDay(day))).toBe(day);
        const start = shanghaiInstant(day);
        expect(shanghaiDayNumber(start)).toBe(day);
        expect(shanghaiMinuteOfDay(start)).toBe(0);
        expect(shanghaiDayNumber(new Date(start.getTime() - 1))).toBe(day - 1);
      }),
    );
  });
});
