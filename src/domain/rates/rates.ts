// The rate formulas of DESIGN §3, used everywhere (dashboard, reports, red/black list). Each rate keeps
// the counts behind it so a figure can always be explained; an empty denominator gives null, not 0.

export interface RateCounts {
  /** Orders dispatched in the period … */
  dispatched: number;
  /** … of which accepted within the accept target. */
  acceptedOnTime: number;
  /** Orders resolved in the period … */
  resolved: number;
  /** … of which had an approved extension or deferral 延期/缓办 … */
  resolvedExtended: number;
  /** … of which, among those without one, resolved within the resolve target. */
  resolvedOnTime: number;
  /** … of which resolved without return, reassignment or reopen. */
  resolvedFirstTime: number;
  callbacks: number;
  callbacksSolved: number;
  /** Callbacks where the resident gave a rating … */
  ratedCallbacks: number;
  /** … of which 满意 or 基本满意. */
  ratedSatisfied: number;
  /** Orders checked at verification 核查 … */
  verified: number;
  /** … of which sent back for rework 返工. */
  reworked: number;
}

export const RATE_NAMES = [
  "response_rate",
  "on_time_rate",
  "first_time_rate",
  "solve_rate",
  "satisfaction_rate",
  "rework_rate",
  "extension_rate",
] as const;
export type RateName = (typeof RATE_NAMES)[number];

/** The five rates of DESIGN §3 that pages and reports lead with (rework and extension are their footnotes). */
export const MAIN_RATES = [
  "response_rate",
  "on_time_rate",
  "first_time_rate",
  "solve_rate",
  "satisfaction_rate",
] as const satisfies readonly RateName[];

export const RATE_LABELS: Record<RateName, string> = {
  response_rate: "响应率",
  on_time_rate: "按时办结率",
  first_time_rate: "首次办结率",
  solve_rate: "解决率",
  satisfaction_rate: "满意率",
  rework_rate: "返工率",
  extension_rate: "延期率",
};

/** For these a lower rate is the better result. */
export const LOWER_IS_BETTER: ReadonlySet<RateName> = new Set(["rework_rate", "extension_rate"]);

export interface Rate {
  value: number | null;
  numerator: number;
  denominator: number;
}

/** numerator ÷ denominator, refusing counts that cannot both be right (a part larger than its whole). */
export function ratio(numerator: number, denominator: number): Rate {
  for (const n of [numerator, denominator]) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`counts must be whole numbers ≥ 0, got ${n}`);
  }
  if (numerator > denominator)
    throw new RangeError(`numerator ${numerator} exceeds denominator ${denominator}`);
  return { value: denominator === 0 ? null : numerator / denominator, numerator, denominator };
}

export function computeRates(c: RateCounts): Record<RateName, Rate> {
  return {
    response_rate: ratio(c.acceptedOnTime, c.dispatched),
    // approved deferrals leave the denominator (按期结案率, as 金华 and 福州 count it)
    on_time_rate: ratio(c.resolvedOnTime, c.resolved - c.resolvedExtended),
    first_time_rate: ratio(c.resolvedFirstTime, c.resolved),
    solve_rate: ratio(c.callbacksSolved, c.callbacks),
    satisfaction_rate: ratio(c.ratedSatisfied, c.ratedCallbacks),
    rework_rate: ratio(c.reworked, c.verified),
    extension_rate: ratio(c.resolvedExtended, c.resolved),
  };
}

export function emptyCounts(): RateCounts {
  return {
    dispatched: 0,
    acceptedOnTime: 0,
    resolved: 0,
    resolvedExtended: 0,
    resolvedOnTime: 0,
    resolvedFirstTime: 0,
    callbacks: 0,
    callbacksSolved: 0,
    ratedCallbacks: 0,
    ratedSatisfied: 0,
    verified: 0,
    reworked: 0,
  };
}

/** Sum of counts — rolls grids up into communities and streets (rates themselves never average). */
export function addCounts(...all: RateCounts[]): RateCounts {
  const sum = emptyCounts();
  for (const c of all) for (const k of Object.keys(sum) as (keyof RateCounts)[]) sum[k] += c[k];
  return sum;
}

/** What one order contributes, as the service knows it. */
export interface OrderFacts {
  dispatched: boolean;
  acceptedOnTime: boolean;
  resolved: boolean;
  extended: boolean;
  resolvedOnTime: boolean;
  /** No return, reassignment or reopen. */
  firstTime: boolean;
  callback: {
    solved: boolean;
    satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied" | null;
  } | null;
  verified: boolean;
  reworked: boolean;
}

/** Counts from order facts — the definitions above, order by order. */
export function tally(orders: Iterable<OrderFacts>): RateCounts {
  const c = emptyCounts();
  for (const o of orders) {
    if (o.dispatched) {
      c.dispatched++;
      if (o.acceptedOnTime) c.acceptedOnTime++;
    }
    if (o.resolved) {
      c.resolved++;
      if (o.extended) c.resolvedExtended++;
      else if (o.resolvedOnTime) c.resolvedOnTime++;
      if (o.firstTime) c.resolvedFirstTime++;
    }
    if (o.callback) {
      c.callbacks++;
      if (o.callback.solved) c.callbacksSolved++;
      if (o.callback.satisfaction) {
        c.ratedCallbacks++;
        if (o.callback.satisfaction !== "unsatisfied") c.ratedSatisfied++;
      }
    }
    if (o.verified) {
      c.verified++;
      if (o.reworked) c.reworked++;
    }
  }
  return c;
}
