// 重点工程序时进度: a key project's milestones (序时节点) carry weights that add up to 100 %. Progress is the
// weight of the milestones done; the plan at a day is the weight of those due by then. A milestone whose
// day has passed unmet puts the project behind schedule, by the days since the earliest such one.

export interface Milestone {
  weight: number;
  /** YYYY-MM-DD */
  due: string;
  /** YYYY-MM-DD, when it was met; null while open. */
  doneOn: string | null;
}

export const WEIGHT_TOTAL = 100;

/** null when the weights are whole percents summing to 100; otherwise what is wrong, in words. */
export function weightProblem(weights: readonly number[]): string | null {
  if (weights.length === 0) return "至少需要一个序时节点";
  if (weights.some((w) => !Number.isInteger(w) || w <= 0)) return "每个节点的权重应为正整数（百分比）";
  const sum = weights.reduce((a, b) => a + b, 0);
  return sum === WEIGHT_TOTAL ? null : `节点权重合计应为 100%，实为 ${sum}%`;
}

const dayMs = 86_400_000;
const toDay = (d: string) => Date.parse(`${d}T00:00:00Z`);

export interface Schedule {
  /** Weight done, 0..100. */
  actual: number;
  /** Weight due by the day, 0..100. */
  planned: number;
  behind: boolean;
  /** Days since the earliest unmet milestone's day; 0 when on schedule. */
  delayDays: number;
  /** Milestones past their day and unmet. */
  overdue: number;
}

/** The schedule of a project's milestones on `today` (YYYY-MM-DD). A milestone due today is not yet late. */
export function schedule(ms: readonly Milestone[], today: string): Schedule {
  const t = toDay(today);
  let actual = 0;
  let planned = 0;
  let earliest: number | null = null;
  let overdue = 0;
  for (const m of ms) {
    const due = toDay(m.due);
    if (m.doneOn) actual += m.weight;
    if (due <= t) planned += m.weight;
    if (!m.doneOn && due < t) {
      overdue++;
      earliest = earliest === null ? due : Math.min(earliest, due);
    }
  }
  return {
    actual,
    planned,
    behind: overdue > 0,
    delayDays: earliest === null ? 0 : Math.round((t - earliest) / dayMs),
    overdue,
  };
}
