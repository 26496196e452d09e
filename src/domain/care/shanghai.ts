// Civil time in Asia/Shanghai without asking the machine's time zone: China has kept UTC+8 all year
// since 1991, so shifting the instant by eight hours and reading UTC fields gives the wall clock.

const OFFSET_MS = 8 * 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

/** Days since 1970-01-01 in Shanghai; plain integers make "days overdue" simple subtraction. */
export function shanghaiDayNumber(at: Date): number {
  return Math.floor((at.getTime() + OFFSET_MS) / DAY_MS);
}

/** Minutes since local midnight, 0..1439. */
export function shanghaiMinuteOfDay(at: Date): number {
  const ms = (((at.getTime() + OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.floor(ms / 60_000);
}

export function shanghaiDate(at: Date): string {
  return dateOfDay(shanghaiDayNumber(at));
}

export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** "YYYY-MM-DD" → day number, or null if it is not a real calendar date. */
export function dayOfDate(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

/** The instant a Shanghai day starts (00:00 +08:00), plus an optional number of minutes. */
export function shanghaiInstant(day: number, minutes = 0): Date {
  return new Date(day * DAY_MS - OFFSET_MS + minutes * 60_000);
}

/** ISO weekday, Monday = 1 … Sunday = 7 (Chinese calendars start the week on Monday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** Year, month (1–12) and day of month of a day number. */
export function civilParts(day: number): { year: number; month: number; dayOfMonth: number } {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, dayOfMonth: d.getUTCDate() };
}

/** Day number of (year, month, dayOfMonth); month may overflow (13 → January next year). */
export function dayOfParts(year: number, month: number, dayOfMonth: number): number {
  return Date.UTC(year, month - 1, dayOfMonth) / DAY_MS;
}
