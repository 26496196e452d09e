import chineseDays from "chinese-days";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addBusinessDuration,
  addWorkingDays,
  CALENDAR_24X7,
  CALENDAR_WORKDAYS,
  elapsedBusinessMinutes,
  isWorkingTime,
  nextWorkingTime,
  workdaysCalendar,
} from "./calendar.ts";
import { chineseDayKind, HOLIDAY_DATA_LAST_YEAR, holidayName, isChineseWorkday } from "./holidays.ts";
import { dayFromKey, dayKey, formatShanghai, shanghaiTime } from "./time.ts";

const W = CALENDAR_WORKDAYS;
const at = (y: number, m: number, d: number, h = 0, mi = 0) => shanghaiTime(y, m, d, h, mi);
const kind = (key: string) => chineseDayKind(dayFromKey(key));

describe("chinese-days data (2026 State Council notice 国办发明电〔2025〕)", () => {
  it("春节 2026: Feb 15–23 off, Saturdays Feb 14 and Feb 28 are 调休 working days", () => {
    for (let d = 15; d <= 23; d++) expect(kind(`2026-02-${d}`)).toBe("holiday");
    expect(kind("2026-02-14")).toBe("adjusted_workday");
    expect(kind("2026-02-28")).toBe("adjusted_workday");
    expect(kind("2026-02-13")).toBe("workday");
    expect(kind("2026-02-24")).toBe("workday");
    expect(kind("2026-02-21")).toBe("holiday");
    expect(holidayName(dayFromKey("2026-02-14"))).toBe("春节");
  });

  it("other 调休 days: 国庆 2026 (Sun Sep 20, Sat Oct 10 worked) and 2025 (Sun Sep 28, Sat Oct 11)", () => {
    for (const k of ["2026-09-20", "2026-10-10", "2025-09-28", "2025-10-11", "2026-01-04", "2026-05-09"]) {
      expect(kind(k)).toBe("adjusted_workday");
    }
    for (let d = 1; d <= 7; d++) expect(kind(`2026-10-0${d}`)).toBe("holiday");
    expect(kind("2026-09-19")).toBe("weekend");
  });

  it("covers years up to 2026; later years are plain Mon–Fri", () => {
    expect(HOLIDAY_DATA_LAST_YEAR).toBeGreaterThanOrEqual(2026);
    if (HOLIDAY_DATA_LAST_YEAR === 2026) {
      expect(kind("2027-01-01")).toBe("workday"); // no 2027 data in this chinese-days release
    }
  });

  // chinese-days' own isWorkday() reads through local time; it is only trustworthy at or east of UTC.
  it.skipIf(new Date().getTimezoneOffset() > 0)("agrees with chinese-days' isWorkday() for 2024–2026", () => {
    for (let day = dayFromKey("2024-01-01"); day <= dayFromKey("2026-12-31"); day++) {
      expect(isChineseWorkday(day), dayKey(day)).toBe(chineseDays.isWorkday(dayKey(day)));
    }
  });
});

describe("working-hours calendar", () => {
  it("counts 08:30–12:00 and 13:30–17:30 only", () => {
    expect(W.minutesPerDay).toBe(450);
    expect(isWorkingTime(W, at(2026, 3, 2, 8, 29))).toBe(false);
    expect(isWorkingTime(W, at(2026, 3, 2, 8, 30))).toBe(true);
    expect(isWorkingTime(W, at(2026, 3, 2, 12, 0))).toBe(false);
    expect(isWorkingTime(W, at(2026, 3, 2, 13, 30))).toBe(true);
    expect(isWorkingTime(W, at(2026, 3, 2, 17, 30))).toBe(false);
    expect(isWorkingTime(W, at(2026, 2, 14, 9))).toBe(true); // 调休 Saturday
    expect(isWorkingTime(W, at(2026, 2, 16, 9))).toBe(false); // 春节 Monday
  });

  it("skips lunch, nights, weekends and holidays", () => {
    const f = (d: Date) => formatShanghai(d);
    expect(f(addBusinessDuration(W, at(2026, 3, 2, 11, 0), 90))).toBe("2026-03-02 14:00");
    expect(f(addBusinessDuration(W, at(2026, 3, 6, 17, 0), 60))).toBe("2026-03-09 09:00");
    expect(f(addBusinessDuration(W, at(2026, 3, 2, 7, 0), 30))).toBe("2026-03-02 09:00");
    // a budget that ends with a window ends at its close, not at the next opening
    expect(f(addBusinessDuration(W, at(2026, 3, 2, 13, 30), 240))).toBe("2026-03-02 17:30");
    expect(f(addBusinessDuration(W, at(2026, 2, 13, 17, 0), 60))).toBe("2026-02-14 09:00");
    expect(f(addBusinessDuration(W, at(2026, 2, 14, 17, 0), 60))).toBe("2026-02-24 09:00");
    expect(elapsedBusinessMinutes(W, at(2026, 2, 13, 8, 0), at(2026, 2, 25, 0, 0))).toBe(3 * 450);
    expect(f(nextWorkingTime(W, at(2026, 2, 15, 10)))).toBe("2026-02-24 08:30");
  });

  it("N working days land at the same clock time on the Nth working day", () => {
    expect(formatShanghai(addWorkingDays(W, at(2026, 2, 13, 10), 5))).toBe("2026-02-27 10:00");
    expect(formatShanghai(addWorkingDays(W, at(2026, 2, 12, 15), 2))).toBe("2026-02-14 15:00");
    expect(formatShanghai(addWorkingDays(W, at(2026, 2, 12, 15), 3))).toBe("2026-02-24 15:00");
    expect(formatShanghai(addWorkingDays(CALENDAR_24X7, at(2026, 2, 15, 10), 2))).toBe("2026-02-17 10:00");
  });

  it("rejects a negative duration and a calendar with no working time", () => {
    expect(() => addBusinessDuration(W, at(2026, 3, 2), -1)).toThrow(RangeError);
    const never = workdaysCalendar(undefined, () => false);
    expect(() => addBusinessDuration(never, at(2026, 3, 2), 1)).toThrow(RangeError);
  });

  it("does not depend on the host time zone", () => {
    const saved = process.env.TZ;
    try {
      const results = ["UTC", "America/Los_Angeles", "Asia/Shanghai", "Pacific/Kiritimati"].map((tz) => {
        process.env.TZ = tz;
        return formatShanghai(addWorkingDays(W, at(2026, 2, 13, 16, 30), 1));
      });
      expect(new Set(results)).toEqual(new Set(["2026-02-14 16:30"]));
    } finally {
      process.env.TZ = saved;
    }
  });
});

// Minute-aligned instants within the years the holiday data covers.
const instant = fc
  .integer({ min: at(2024, 1, 1).getTime() / 60_000, max: at(2026, 12, 1).getTime() / 60_000 })
  .map((m) => new Date(m * 60_000));
const calendar = fc.constantFrom(W, CALENDAR_24X7);
const minutes = fc.integer({ min: 0, max: 20 * 450 });

describe("calendar laws", () => {
  it("property: elapsed(start, start + d) == d and the end is never before the start", () => {
    fc.assert(
      fc.property(calendar, instant, minutes, (cal, start, d) => {
        const end = addBusinessDuration(cal, start, d);
        expect(end.getTime()).toBeGreaterThanOrEqual(start.getTime());
        expect(elapsedBusinessMinutes(cal, start, end)).toBe(d);
      }),
    );
  });

  it("property: adding more time, or starting later, never gives an earlier end", () => {
    fc.assert(
      fc.property(calendar, instant, minutes, minutes, (cal, start, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(addBusinessDuration(cal, start, hi) >= addBusinessDuration(cal, start, lo)).toBe(true);
        const later = new Date(start.getTime() + b * 60_000);
        expect(addBusinessDuration(cal, later, a) >= addBusinessDuration(cal, start, a)).toBe(true);
      }),
    );
  });

  it("property: elapsed time is additive over a split point", () => {
    fc.assert(
      fc.property(calendar, instant, instant, instant, (cal, x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p.getTime() - q.getTime());
        const whole = elapsedBusinessMinutes(cal, a, c);
        expect(whole).toBe(elapsedBusinessMinutes(cal, a, b) + elapsedBusinessMinutes(cal, b, c));
      }),
      { numRuns: 50 },
    );
  });
});
