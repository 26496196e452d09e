// 红黑榜: the monthly ranking of communities (or departments) by a weighted score of their rates.
// Only rates a unit actually has (non-null) count, with the weights renormalised over them, so a unit
// with no callbacks is neither helped nor hurt by a missing satisfaction rate. A unit with no rate at
// all stays in the ranking, unranked, and is never red- or black-listed.
//
// Who goes on a list is a rule, not a slice (LIST_RULES): a list names a few units that stand out, so
// - with fewer than 6 ranked units there is no list at all (naming 1 of 3 is not standing out);
// - each list holds at most N units and at most a third of the ranked ones, so the two never meet;
// - units with the same score stand or fall together: when the cut would split a tie, the whole tie is
//   left off (a list may come out shorter, even empty), and a tied score is never on both lists.
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

/** The rules every red/black list follows. */
export const LIST_RULES = {
  /** Fewer ranked units than this: no list. */
  minUnits: 6,
  /** A list holds at most this share of the ranked units (rounded down). */
  maxShare: 1 / 3,
} as const;

/** Why a list is shorter than asked, for the page to say so. */
export type ListNote =
  /** Too few ranked units for any list. */
  | "too_few_units"
  /** The cut would have split a tie: the tied units were left off together. */
  | "tie_at_cut"
  | null;

export interface RedBlackList {
  weights: RateWeights;
  ranking: RankedUnit[];
  red: RankedUnit[];
  /** Worst first. */
  black: RankedUnit[];
  /** How many units had a score (the ones the rules count). */
  ranked: number;
  /** The most either list may hold this time: min(N, a third of the ranked units), 0 when too few. */
  limit: { red: number; black: number };
  note: { red: ListNote; black: ListNote };
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

/**
 * The first `limit` of `ordered` (best first for red, worst first for black), less the whole tie the cut
 * would split: if the last unit in and the first unit out share a score, every unit with that score stays
 * out.
 */
export function takeWithoutSplittingTies(
  ordered: readonly RankedUnit[],
  limit: number,
): { list: RankedUnit[]; tieAtCut: boolean } {
  if (limit <= 0) return { list: [], tieAtCut: false };
  const list = ordered.slice(0, limit);
  const next = ordered[limit];
  if (!next || list.length === 0 || list[list.length - 1].score !== next.score)
    return { list, tieAtCut: false };
  return { list: list.filter((u) => u.score !== next.score), tieAtCut: true };
}

/** The most a list may hold: none below the minimum, else N but never more than a third. */
export function listLimit(ranked: number, n: number): number {
  if (ranked < LIST_RULES.minUnits) return 0;
  return Math.max(0, Math.min(Math.floor(n), Math.floor(ranked * LIST_RULES.maxShare)));
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
  const limit = {
    red: listLimit(scored.length, opts.topN ?? 10),
    black: listLimit(scored.length, opts.bottomN ?? 10),
  };
  const red = takeWithoutSplittingTies(scored, limit.red);
  const black = takeWithoutSplittingTies([...scored].reverse(), limit.black);
  const noteOf = (asked: number | undefined, cut: { tieAtCut: boolean }): ListNote =>
    (asked ?? 10) > 0 && scored.length < LIST_RULES.minUnits
      ? "too_few_units"
      : cut.tieAtCut
        ? "tie_at_cut"
        : null;
  return {
    weights,
    ranking,
    red: red.list,
    black: black.list,
    ranked: scored.length,
    limit,
    note: { red: noteOf(opts.topN, red), black: noteOf(opts.bottomN, black) },
  };
}
