// 红黑榜: the monthly ranking of communities (or departments) by a weighted score of their rates.
// Only rates a unit actually has (non-null) count, with the weights renormalised over them, so a unit
// with no callbacks is neither helped nor hurt by a missing satisfaction rate. A unit with no rate at
// all stays in the ranking, unranked, and is never red- or black-listed.
import {
  computeRates,
  LOWER_IS_BETTER,
  RATE_NAMES,
  type Rate,
  type RateCounts,
  type RateName,
} from "./rates.ts";

export type RateWeights = Record<RateName, number>;

export const DEFAULT_WEIGHTS: RateWeights = {
  response_rate: 0.2,
  on_time_rate: 0.2,
  first_time_rate: 0.1,
  solve_rate: 0.2,
  satisfaction_rate: 0.2,
  rework_rate: 0.05,
  extension_rate: 0.05,
};

export interface UnitFigures {
  unitId: string;
  name: string;
  counts: RateCounts;
}

export interface RankedUnit {
  /** 1-based place among scored units; null when the unit had nothing to score. */
  rank: number | null;
  unitId: string;
  name: string;
  /** 0..1, rounded to 6 places so equal figures tie exactly. */
  score: number | null;
  rates: Record<RateName, Rate>;
  /** Each rate's share of the score (weight share × rate, or × (1 − rate) where lower is better). */
  contributions: Partial<Record<RateName, number>>;
  counts: RateCounts;
}

export interface RankingOptions {
  weights?: Partial<RateWeights>;
  topN?: number;
  bottomN?: number;
}

export interface RedBlackList {
  weights: RateWeights;
  ranking: RankedUnit[];
  red: RankedUnit[];
  /** Worst first. */
  black: RankedUnit[];
}

function checkedWeights(partial: Partial<RateWeights> = {}): RateWeights {
  const w = { ...DEFAULT_WEIGHTS, ...partial };
  for (const name of RATE_NAMES) {
    if (!Number.isFinite(w[name]) || w[name] < 0) throw new RangeError(`weight of ${name} must be ≥ 0`);
  }
  if (RATE_NAMES.every((n) => w[n] === 0)) throw new RangeError("at least one weight must be positive");
  return w;
}

function score(rates: Record<RateName, Rate>, w: RateWeights): Pick<RankedUnit, "score" | "contributions"> {
  const used = RATE_NAMES.filter((n) => rates[n].value !== null && w[n] > 0);
  const total = used.reduce((s, n) => s + w[n], 0);
  if (total === 0) return { score: null, contributions: {} };
  const contributions: Partial<Record<RateName, number>> = {};
  let sum = 0;
  for (const n of used) {
    const v = rates[n].value!;
    const part = (w[n] / total) * (LOWER_IS_BETTER.has(n) ? 1 - v : v);
    contributions[n] = part;
    sum += part;
  }
  return { score: Math.round(sum * 1e6) / 1e6, contributions };
}

/** Higher score first; ties go to the unit that handled more orders, then to the lower unit code. */
function compare(a: RankedUnit, b: RankedUnit): number {
  if (a.score !== b.score) {
    if (a.score === null) return 1;
    if (b.score === null) return -1;
    return b.score - a.score;
  }
  if (a.counts.dispatched !== b.counts.dispatched) return b.counts.dispatched - a.counts.dispatched;
  return a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0;
}

export function rankUnits(units: readonly UnitFigures[], opts: RankingOptions = {}): RedBlackList {
  const weights = checkedWeights(opts.weights);
  const ids = new Set(units.map((u) => u.unitId));
  if (ids.size !== units.length) throw new RangeError("each unit may appear only once");
  const ranking = units
    .map((u): RankedUnit => {
      const rates = computeRates(u.counts);
      return {
        rank: null,
        unitId: u.unitId,
        name: u.name,
        rates,
        counts: u.counts,
        ...score(rates, weights),
      };
    })
    .sort(compare);
  ranking.forEach((r, i) => {
    if (r.score !== null) r.rank = i + 1;
  });
  const scored = ranking.filter((r) => r.score !== null);
  const red = scored.slice(0, Math.max(0, opts.topN ?? 10));
  // never both red and black when there are few units
  const black = scored.slice(Math.max(red.length, scored.length - Math.max(0, opts.bottomN ?? 10))).reverse();
  return { weights, ranking, red, black };
}
