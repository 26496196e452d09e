// Wall-clock math for Asia/Shanghai done by hand: China has kept UTC+8 without DST since 1991, so a
// fixed offset is exact for every date we handle and nothing depends on the server's TZ setting.
// A "day" below is the number of Shanghai calendar days since 1970-01-01.

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
const OFFSET_MS = 8 * 60 * MINUTE_MS;

/** Shanghai calendar day containing the instant `t` (epoch ms). */
export function shanghaiDay(t: number): number {
  return Math.floor((t + OFFSET_MS) / DAY_MS);
}

/** Epoch ms of Shanghai midnight at the start of `day`. */
export function dayStartMs(day: number): number {
  return day * DAY_MS - OFFSET_MS;
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** "YYYY-MM-DD" of a Shanghai day — the key format of chinese-days' data. */
export function dayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** "YYYY-MM-DD" of the Shanghai calendar day an instant falls on. */
export function shanghaiDate(at: Date): string {
  return dayKey(shanghaiDay(at.getTime()));
}

export function dayFromKey(key: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${key}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

/** The instant at the given Shanghai wall-clock time (month 1–12). */
export function shanghaiTime(year: number, month: number, date: number, hour = 0, minute = 0): Date {
  return new Date(Date.UTC(year, month - 1, date, hour, minute) - OFFSET_MS);
}

/** "YYYY-MM-DD HH:mm" in Shanghai time, for messages and tests. */
export function formatShanghai(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}
