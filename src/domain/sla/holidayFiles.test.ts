import fs from "node:fs";
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { addWorkingDays, CALENDAR_WORKDAYS } from "./calendar.ts";
import { conflictingDays, parseHolidayIcs, parseHolidayTable } from "./holidayFiles.ts";
import {
  builtInHolidays,
  HOLIDAY_DATA_LAST_YEAR,
  holidayDataCovers,
  holidayName,
  installHolidays,
} from "./holidays.ts";
import { dayFromKey, formatShanghai, shanghaiTime } from "./time.ts";

// 2027's arrangement as the State Council would publish it (春节 6–12 February, working Sundays around it).
const SPRING_2027 = `开始日期,结束日期,名称,类型
2027-02-06,2027-02-12,春节,休
2027-02-14,,春节,班
2027-02-20,,春节,班`;

afterEach(() => installHolidays([]));

describe("holiday arrangements entered by an administrator", () => {
  it("reads a pasted table, day by day", () => {
    const { entries, errors } = parseHolidayTable(SPRING_2027);
    expect(errors).toEqual([]);
    expect(entries.filter((e) => e.kind === "holiday").map((e) => e.day)).toEqual([
      "2027-02-06",
      "2027-02-07",
      "2027-02-08",
      "2027-02-09",
      "2027-02-10",
      "2027-02-11",
      "2027-02-12",
    ]);
    expect(entries.filter((e) => e.kind === "workday").map((e) => e.day)).toEqual([
      "2027-02-14",
      "2027-02-20",
    ]);
  });

  it("names each bad line in Chinese", () => {
    const { errors } = parseHolidayTable(
      "2027-02-30,,春节,休\n2027-02-06,2027-02-01,春节,休\n2027-02-06,,,休\n2027-02-06,,春节,放",
    );
    expect(errors.map((e) => e.at)).toEqual(["第 1 行", "第 2 行", "第 3 行", "第 4 行"]);
    expect(errors[0].message).toContain("真实日期");
  });

  it("reads the iCalendar file chinese-days publishes, and matches the package's own table", () => {
    const require = createRequire(import.meta.url);
    const ics = fs.readFileSync(require.resolve("chinese-days/dist/holidays.ics"), "utf8");
    const { entries, errors } = parseHolidayIcs(ics);
    expect(errors).toEqual([]);
    const y = HOLIDAY_DATA_LAST_YEAR;
    const fromIcs = entries
      .filter((e) => e.day.startsWith(`${y}-`))
      .sort((a, b) => a.day.localeCompare(b.day));
    expect(fromIcs.map((e) => [e.day, e.kind])).toEqual(builtInHolidays(y).map((e) => [e.day, e.kind]));
    expect(parseHolidayIcs("not a calendar").errors[0].message).toContain("iCalendar");
  });

  it("once installed, the 12345 clock skips 春节 2027 and counts its working Sundays", () => {
    expect(holidayDataCovers(2027)).toBe(HOLIDAY_DATA_LAST_YEAR >= 2027);
    // Friday 5 February 2027, 10:00, five working days.
    const start = shanghaiTime(2027, 2, 5, 10);
    const without = formatShanghai(addWorkingDays(CALENDAR_WORKDAYS, start, 5));
    installHolidays(parseHolidayTable(SPRING_2027).entries);
    expect(holidayDataCovers(2027)).toBe(true);
    expect(holidayName(dayFromKey("2027-02-08"))).toBe("春节");
    // Fri 5 (rest of the day), then the working Sunday 14, Mon 15 … Thu 18 → due Thu 18 at 10:00.
    expect(formatShanghai(addWorkingDays(CALENDAR_WORKDAYS, start, 5))).toBe("2027-02-18 10:00");
    expect(without).not.toBe("2027-02-18 10:00");
  });

  it("finds a day given two meanings", () => {
    expect(
      conflictingDays([
        { day: "2027-02-14", kind: "workday", name: "春节" },
        { day: "2027-02-14", kind: "holiday", name: "春节" },
      ]),
    ).toEqual(["2027-02-14"]);
  });
});
