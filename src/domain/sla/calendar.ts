// Business calendars: which stretches of each Shanghai day count towards an SLA clock.
// Durations are added and measured in milliseconds internally so that elapsed(start, add(start, d)) == d
// holds exactly; the public API speaks minutes.
import { isChineseWorkday } from "./holidays.ts";
import { dayStartMs, MINUTE_MS, shanghaiDay } from "./time.ts";

export type CalendarId = "24x7" | "workdays";

/** [start, end) in minutes after Shanghai midnight. */
export type Window = readonly [number, number];

export interface Calendar {
  readonly id: CalendarId;
  /** Length of one full day of this calendar — what "N days" means in a policy. */
  readonly minutesPerDay: number;
  /** Working windows of a Shanghai day, sorted and disjoint. */
  windows(day: number): readonly Window[];
}

const WHOLE_DAY: readonly Window[] = [[0, 24 * 60]];

export const CALENDAR_24X7: Calendar = { id: "24x7", minutesPerDay: 24 * 60, windows: () => WHOLE_DAY };

/** Office hours 08:30–12:00 and 13:30–17:30 (7.5 hours a day). */
export const OFFICE_HOURS: readonly Window[] = [
  [8 * 60 + 30, 12 * 60],
  [13 * 60 + 30, 17 * 60 + 30],
];

/** A working-day calendar; the default honours statutory holidays and 调休 via chinese-days. */
export function workdaysCalendar(
  hours: readonly Window[] = OFFICE_HOURS,
  isWorkday: (day: number) => boolean = isChineseWorkday,
): Calendar {
  const minutesPerDay = hours.reduce((sum, [s, e]) => sum + (e - s), 0);
  if (minutesPerDay <= 0) throw new RangeError("a working day needs at least one working window");
  return { id: "workdays", minutesPerDay, windows: (day) => (isWorkday(day) ? hours : []) };
}

export const CALENDAR_WORKDAYS: Calendar = workdaysCalendar();

export function getCalendar(id: CalendarId): Calendar {
  return id === "24x7" ? CALENDAR_24X7 : CALENDAR_WORKDAYS;
}

// No real calendar goes a year without a working window; the bound turns a broken one into an error.
const MAX_SCAN_DAYS = 366 * 3;

/** The instant by which `ms` of business time has passed since `start` (ms epoch). */
export function addBusinessMs(cal: Calendar, start: number, ms: number): number {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`duration must be ≥ 0, got ${ms}`);
  if (ms === 0) return start;
  if (cal.id === "24x7") return start + ms;
  let remaining = ms;
  const first = shanghaiDay(start);
  for (let day = first; day < first + MAX_SCAN_DAYS; day++) {
    const base = dayStartMs(day);
    for (const [s, e] of cal.windows(day)) {
      const from = Math.max(base + s * MINUTE_MS, start);
      const to = base + e * MINUTE_MS;
      if (from >= to) continue;
      // `<=` so a budget that ends with a window ends at its close (17:30), not at the next opening.
      if (remaining <= to - from) return from + remaining;
      remaining -= to - from;
    }
  }
  throw new RangeError(`calendar ${cal.id} has no working time within ${MAX_SCAN_DAYS} days`);
}

/** Business ms between two instants (0 when `to` is not after `from`). */
export function elapsedBusinessMs(cal: Calendar, from: number, to: number): number {
  if (to <= from) return 0;
  if (cal.id === "24x7") return to - from;
  let total = 0;
  for (let day = shanghaiDay(from); dayStartMs(day) < to; day++) {
    const base = dayStartMs(day);
    for (const [s, e] of cal.windows(day)) {
      const lo = Math.max(base + s * MINUTE_MS, from);
      const hi = Math.min(base + e * MINUTE_MS, to);
      if (hi > lo) total += hi - lo;
    }
  }
  return total;
}

export function addBusinessDuration(cal: Calendar, start: Date, minutes: number): Date {
  return new Date(addBusinessMs(cal, start.getTime(), Math.round(minutes * MINUTE_MS)));
}

/**
 * N working days from `start`. A working day is one full day of the calendar's working time, so an
 * order received inside office hours is due at the same clock time on the Nth working day after.
 */
export function addWorkingDays(cal: Calendar, start: Date, days: number): Date {
  return addBusinessDuration(cal, start, days * cal.minutesPerDay);
}

export function elapsedBusinessMinutes(cal: Calendar, from: Date, to: Date): number {
  return elapsedBusinessMs(cal, from.getTime(), to.getTime()) / MINUTE_MS;
}

export function isWorkingTime(cal: Calendar, at: Date): boolean {
  const t = at.getTime();
  const day = shanghaiDay(t);
  const minute = (t - dayStartMs(day)) / MINUTE_MS;
  return cal.windows(day).some(([s, e]) => minute >= s && minute < e);
}

/** `at` itself when it is working time, else the next opening. */
export function nextWorkingTime(cal: Calendar, at: Date): Date {
  if (isWorkingTime(cal, at)) return at;
  const t = at.getTime();
  const first = shanghaiDay(t);
  for (let day = first; day < first + MAX_SCAN_DAYS; day++) {
    for (const [s] of cal.windows(day)) {
      const open = dayStartMs(day) + s * MINUTE_MS;
      if (open >= t) return new Date(open);
    }
  }
  throw new RangeError(`calendar ${cal.id} has no working time within ${MAX_SCAN_DAYS} days`);
}
