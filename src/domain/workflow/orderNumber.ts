// An order's number, as residents type it on the public status page: the Shanghai day it was received,
// its id zero-padded to at least six digits, and three random digits. The random tail makes the numbers of
// one day impossible to walk in sequence (a guesser must also hit one tail in a thousand, and each wrong
// guess counts against the address). Numbers made before the tail existed stay valid as they were stored.

export const NUMBER_TAIL_DIGITS = 3;
/** Tails are drawn from [0, NUMBER_TAIL_RANGE). */
export const NUMBER_TAIL_RANGE = 10 ** NUMBER_TAIL_DIGITS;

export const numberTail = (n: number) => String(n).padStart(NUMBER_TAIL_DIGITS, "0");

/** The number the intake statement makes in SQL (day_key || lpad(id, 6) || tail), for seeds and tests. */
export function orderNumber(dayKey: string, id: number, tail: string): string {
  return `${dayKey}${String(id).padStart(6, "0")}${tail}`;
}
