// 评单: residents rate a practical project 满意 / 基本满意 / 不满意, once per phone. Satisfaction is the
// share rating 满意 or 基本满意 among those who rated (DESIGN §3's 满意率), null before anyone has.

export const SATISFACTIONS = ["satisfied", "basically_satisfied", "unsatisfied"] as const;
export type Satisfaction = (typeof SATISFACTIONS)[number];

export interface Tally {
  satisfied: number;
  basic: number;
  unsatisfied: number;
}

export const emptyTally = (): Tally => ({ satisfied: 0, basic: 0, unsatisfied: 0 });

export function addRating(t: Tally, s: Satisfaction): Tally {
  return {
    satisfied: t.satisfied + (s === "satisfied" ? 1 : 0),
    basic: t.basic + (s === "basically_satisfied" ? 1 : 0),
    unsatisfied: t.unsatisfied + (s === "unsatisfied" ? 1 : 0),
  };
}

export const rated = (t: Tally) => t.satisfied + t.basic + t.unsatisfied;

/** 满意率, 0..1 rounded to 4 places, or null with no ratings. */
export function satisfactionRate(t: Tally): number | null {
  const n = rated(t);
  return n === 0 ? null : Math.round(((t.satisfied + t.basic) / n) * 10_000) / 10_000;
}

/** Tallies summed (a unit's projects into the unit's). */
export const sumTallies = (ts: readonly Tally[]): Tally =>
  ts.reduce(
    (a, t) => ({
      satisfied: a.satisfied + t.satisfied,
      basic: a.basic + t.basic,
      unsatisfied: a.unsatisfied + t.unsatisfied,
    }),
    emptyTally(),
  );

/** "2026Q4" for a day; quarters archive the lists. */
export function quarterOf(d: Date | string): string {
  const s = typeof d === "string" ? d : d.toISOString().slice(0, 10);
  const [y, m] = s.split("-").map(Number);
  return `${y}Q${Math.floor((m - 1) / 3) + 1}`;
}
export const QUARTER_PATTERN = "^20\\d\\dQ[1-4]$";
