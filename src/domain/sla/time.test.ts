import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dayFromKey,
  dayKey,
  dayStartMs,
  formatShanghai,
  shanghaiDay,
  shanghaiTime,
  weekdayOf,
} from "./time.ts";

describe("Shanghai wall-clock math", () => {
  it("is UTC+8 regardless of the host time zone", () => {
    const t = shanghaiTime(2026, 2, 14, 8, 30);
    expect(t.toISOString()).toBe("2026-02-14T00:30:00.000Z");
    expect(formatShanghai(new Date("2026-02-13T16:00:00Z"))).toBe("2026-02-14 00:00");
    expect(dayKey(shanghaiDay(new Date("2026-02-13T16:00:00Z").getTime()))).toBe("2026-02-14");
    expect(dayKey(shanghaiDay(new Date("2026-02-13T15:59:59Z").getTime()))).toBe("2026-02-13");
  });

  it("knows the weekday", () => {
    expect(weekdayOf(dayFromKey("2026-02-14"))).toBe(6);
    expect(weekdayOf(dayFromKey("2026-02-15"))).toBe(0);
    expect(weekdayOf(dayFromKey("1970-01-01"))).toBe(4);
  });

  it("property: a day's midnight maps back to that day, and keys round-trip", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30_000 }), (day) => {
        expect(shanghaiDay(dayStartMs(day))).toBe(day);
        expect(shanghaiDay(dayStartMs(day) - 1)).toBe(day - 1);
        expect(dayFromKey(dayKey(day))).toBe(day);
      }),
    );
  });
});
