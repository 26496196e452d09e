// Chinese statutory holidays and adjusted working days 调休: chinese-days' published data, and on top of it the
// days an administrator entered or imported (the State Council publishes each next year's arrangement in
// November or December, usually before the package has it). An entered day wins over the package's.
// We read the package's JSON rather than call isWorkday(): the library keys its tables through the host's
// local time zone, so west of UTC it answers for the wrong day. The JSON is keyed by plain "YYYY-MM-DD".
import data from "chinese-days/dist/chinese-days.json" with { type: "json" };
import { dayKey, weekdayOf } from "./time.ts";

const holidays: Record<string, string> = data.holidays;
const adjustedWorkdays: Record<string, string> = data.workdays;

/** Last year the package's data covers; later years fall back to plain Mon–Fri unless entered. */
export const HOLIDAY_DATA_LAST_YEAR = Math.max(...Object.keys(holidays).map((k) => Number(k.slice(0, 4))));

/** One day of an arrangement: a day off (休) or a working weekend day (班), with its holiday's name. */
export interface HolidayEntry {
  day: string;
  kind: "holiday" | "workday";
  name: string;
}

/** The entered days, by "YYYY-MM-DD". Installed by the server from its table; empty in a bare domain. */
let entered = new Map<string, HolidayEntry>();

/**
 * Makes these entered days the ones the calendars honour (replacing the previous set). The server calls it
 * at start and after each change; a day's kind is cached, so the cache starts again.
 */
export function installHolidays(entries: readonly HolidayEntry[]): void {
  entered = new Map(entries.map((e) => [e.day, e]));
  kindCache.clear();
}

/** Whether a year's arrangement is known (in the package or entered): without it 春节 counts as working days. */
export function holidayDataCovers(year: number): boolean {
  if (year <= HOLIDAY_DATA_LAST_YEAR) return true;
  const prefix = `${year}-`;
  for (const e of entered.values()) if (e.day.startsWith(prefix) && e.kind === "holiday") return true;
  return false;
}

/** The package's days of a year, as entries (for showing what is built in beside what was entered). */
export function builtInHolidays(year: number): HolidayEntry[] {
  const prefix = `${year}-`;
  const of = (table: Record<string, string>, kind: HolidayEntry["kind"]) =>
    Object.entries(table)
      .filter(([k]) => k.startsWith(prefix))
      .map(([day, raw]) => ({ day, kind, name: raw.split(",")[1] ?? raw }));
  return [...of(holidays, "holiday"), ...of(adjustedWorkdays, "workday")].sort((a, b) =>
    a.day.localeCompare(b.day),
  );
}

export type DayKind = "workday" | "adjusted_workday" | "holiday" | "weekend";

// SLA clocks ask about the same few days for every order; formatting a date key each time dominated
// the cost of computing a deadline, so each day's answer is kept (a day's kind never changes).
const kindCache = new Map<number, DayKind>();

export function chineseDayKind(day: number): DayKind {
  let kind = kindCache.get(day);
  if (kind === undefined) {
    kind = dayKindOf(day);
    if (kindCache.size > 20_000) kindCache.clear();
    kindCache.set(day, kind);
  }
  return kind;
}

function dayKindOf(day: number): DayKind {
  const key = dayKey(day);
  const own = entered.get(key);
  if (own) return own.kind === "workday" ? "adjusted_workday" : "holiday";
  if (adjustedWorkdays[key]) return "adjusted_workday";
  if (holidays[key]) return "holiday";
  const wd = weekdayOf(day);
  return wd === 0 || wd === 6 ? "weekend" : "workday";
}

export function isChineseWorkday(day: number): boolean {
  const kind = chineseDayKind(day);
  return kind === "workday" || kind === "adjusted_workday";
}

/** Chinese name of the holiday a day belongs to (also for its 调休 working days), e.g. "春节". */
export function holidayName(day: number): string | null {
  const key = dayKey(day);
  const own = entered.get(key);
  if (own) return own.name;
  const raw = holidays[key] ?? adjustedWorkdays[key];
  return raw ? (raw.split(",")[1] ?? null) : null;
}
