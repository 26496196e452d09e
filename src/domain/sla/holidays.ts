// Chinese statutory holidays and adjusted working days 调休 from chinese-days' published data.
// We read its JSON rather than call isWorkday(): the library keys its tables through the host's local
// time zone, so west of UTC it answers for the wrong day. The JSON is keyed by plain "YYYY-MM-DD".
import data from "chinese-days/dist/chinese-days.json" with { type: "json" };
import { dayKey, weekdayOf } from "./time.ts";

const holidays: Record<string, string> = data.holidays;
const adjustedWorkdays: Record<string, string> = data.workdays;

/** Last year the data covers; later years fall back to plain Mon–Fri (as chinese-days itself does). */
export const HOLIDAY_DATA_LAST_YEAR = Math.max(...Object.keys(holidays).map((k) => Number(k.slice(0, 4))));

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
  const raw = holidays[key] ?? adjustedWorkdays[key];
  return raw ? (raw.split(",")[1] ?? null) : null;
}
