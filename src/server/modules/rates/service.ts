import type { OrgKind } from "../../../domain/org/scope.ts";
import {
  addCounts,
  computeRates,
  DEFAULT_WEIGHTS,
  emptyCounts,
  RATE_LABELS,
  type RankedUnit,
  type RateCounts,
  type RateWeights,
  rankUnits,
} from "../../../domain/rates/index.ts";
import { shanghaiDate } from "../../../domain/sla/index.ts";
import type { Actor, AppContext } from "../../context.ts";
import { scopeWhere } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { Invalid } from "../../platform/errors.ts";
import { getOrgUnit, unitLabelSql } from "../orgs/index.ts";
import { ratesPolicy } from "./policy.ts";
import { LIST_RULES_OUT, presentRankedUnit } from "./presenter.ts";

// Rates of DESIGN §3 for any unit and period, with the counts behind each. The counts come from
// rate_counts_daily, which triggers keep per Shanghai day and routed unit in the writing transaction
// (migration 0005): a district month reads a few thousand rows, not a million orders and their events.

interface CountRow extends RateCounts {
  code: string;
}

/** The sums of rate_counts_daily's columns named as RateCounts (the city database sums the same table). */
export const COUNT_COLUMNS = (Object.keys(emptyCounts()) as (keyof RateCounts)[])
  .map((k) => `sum(${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)})::int as "${k}"`)
  .join(", ");

/**
 * Counts for the orders under `path`, grouped by the unit at `groupDepth` (district 0, street 1,
 * community 2, grid 3), or all together when it is null. Periods are whole Shanghai days.
 */
async function countRows(
  ctx: AppContext,
  path: string,
  from: Date,
  to: Date,
  groupDepth: number | null,
): Promise<CountRow[]> {
  // "/a/b/c/" splits into ['', a, b, c, '']: the unit at depth d is segment d + 2.
  const key = groupDepth === null ? "'self'" : `split_part(org_path, '/', ${groupDepth + 2})`;
  const params: unknown[] = [];
  const scope = scopeWhere({ orgPath: path }, "org_path", params);
  return ctx.database.query<CountRow>(
    `select ${key} as code, ${COUNT_COLUMNS} from rate_counts_daily
     where ${scope} and day >= $${params.push(shanghaiDate(from))}::date and day < $${params.push(shanghaiDate(to))}::date group by 1`,
    params,
  );
}

export function parsePeriod(from?: string, to?: string, month?: string): { from: Date; to: Date } {
  // Periods are Asia/Shanghai calendar days.
  const day = (s: string) => new Date(`${s}T00:00:00+08:00`);
  if (month) {
    if (!/^\d{4}-\d{2}$/.test(month))
      throw Invalid("月份格式应为 YYYY-MM", [{ field: "month", message: "月份: 格式应为 YYYY-MM" }]);
    const start = day(`${month}-01`);
    const [y, m] = month.split("-").map(Number);
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
    return { from: start, to: day(`${next}-01`) };
  }
  if (!from || !to) throw Invalid("请给出统计周期", [{ field: "from", message: "开始日期: 必填" }]);
  const f = day(from);
  const t = new Date(day(to).getTime() + 86_400_000); // inclusive end day
  if (Number.isNaN(f.getTime()) || Number.isNaN(t.getTime()) || f >= t) {
    throw Invalid("统计周期无效", [{ field: "to", message: "结束日期: 须不早于开始日期" }]);
  }
  return { from: f, to: t };
}

export async function ratesFor(
  ctx: AppContext,
  actor: Actor,
  orgId: number,
  period: { from: Date; to: Date },
) {
  ratesPolicy.authorize(actor, "read");
  return unitRates(ctx, await getOrgUnit(ctx, actor, orgId), period);
}

/**
 * The rates of a unit the caller has already found in its scope (the scheduled daily report, working as the
 * system, finds its units itself).
 */
export async function unitRates(
  ctx: AppContext,
  unit: { id: number; name: string; kind: OrgKind; path: string },
  period: { from: Date; to: Date },
) {
  const depth = unit.path.split("/").filter(Boolean).length - 1;
  // One pass grouped by child unit; the unit's own figures are their sum (orders routed to the unit itself
  // form their own group), so the orders and events are read once, not twice.
  const leaf = unit.kind === "micro_grid";
  const childRows = await countRows(ctx, unit.path, period.from, period.to, leaf ? null : depth + 1);
  const selfCounts = addCounts(...childRows.map(countsOf));
  const children = await ctx.database.query<{ id: number; code: string; name: string; kind: OrgKind }>(
    "select id, code, name, kind from org_units where parent_id = $1 order by code",
    [unit.id],
  );
  const byCode = new Map(childRows.map((r) => [r.code, countsOf(r)]));
  return {
    unit: { id: unit.id, name: unit.name, kind: unit.kind },
    period,
    counts: selfCounts,
    rates: computeRates(selfCounts),
    labels: RATE_LABELS,
    children: children.map((c) => {
      const cc = byCode.get(c.code) ?? emptyCounts();
      return {
        unit: { id: c.id, code: c.code, name: c.name, kind: c.kind },
        counts: cc,
        rates: computeRates(cc),
      };
    }),
  };
}

const WEIGHTS_KEY = "ranking_weights";

/** A count row without its grouping key: the counts alone, named one by one. */
const countsOf = (r: RateCounts): RateCounts => addCounts(r);

/** The weights the ranking uses now (a district-wide setting). */
export async function readWeights(ctx: AppContext, actor: Actor): Promise<RateWeights> {
  ratesPolicy.authorize(actor, "readWeights");
  return getWeights(ctx);
}

export async function getWeights(ctx: AppContext): Promise<RateWeights> {
  const [row] = await ctx.database.query<{ value: RateWeights }>(
    "select value from system_settings where key = $1",
    [WEIGHTS_KEY],
  );
  return { ...DEFAULT_WEIGHTS, ...(row?.value ?? {}) };
}

export async function setWeights(ctx: AppContext, actor: Actor, weights: Partial<RateWeights>) {
  ratesPolicy.authorize(actor, "manageWeights");
  const merged = { ...(await getWeights(ctx)), ...weights };
  if (Object.values(merged).every((w) => w === 0))
    throw Invalid("至少一个权重须大于 0", [{ field: "weights", message: "权重: 至少一个大于 0" }]);
  const before = await getWeights(ctx);
  await ctx.database.query(
    "insert into system_settings (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value, updated_at = now()",
    [WEIGHTS_KEY, JSON.stringify(merged)],
  );
  await audit.record(ctx.database.db, actor, {
    action: "update",
    entity: "ranking_weights",
    orgPath: actor.orgPath,
    before,
    after: merged,
  });
  return merged;
}

/**
 * 红黑榜: communities in the caller's scope ranked by the weighted score of the month's rates; who goes on a
 * list follows the domain's rules (domain/rates/ranking.ts: a minimum of units, a third at most, ties whole).
 */
/** The levels a red/black list can rank, and the org-path depth each sits at. */
export const RANKING_LEVELS = { street: 1, community: 2, grid: 3 } as const;
export type RankingLevel = keyof typeof RANKING_LEVELS;

export async function redBlackList(
  ctx: AppContext,
  actor: Actor,
  month: string,
  topN = 5,
  bottomN = 5,
  level: RankingLevel = "community",
) {
  ratesPolicy.authorize(actor, "read");
  const period = parsePeriod(undefined, undefined, month);
  const params: unknown[] = [level];
  // Grids are named with their community ("苏阳社区·第1网格"): a bare "第1网格" names twenty places.
  const communities = await ctx.database.query<{ id: number; code: string; name: string }>(
    `select o.id, o.code, ${level === "grid" ? unitLabelSql("o") : "o.name"} as name from org_units o
     where o.kind = $1 and ${scopeWhere(actor, "o.path", params)} order by o.code`,
    params,
  );
  const rows = new Map(
    (await countRows(ctx, actor.orgPath, period.from, period.to, RANKING_LEVELS[level])).map((r) => [
      r.code,
      countsOf(r),
    ]),
  );
  const units = communities.map((c) => ({
    unitId: c.code,
    name: c.name,
    counts: rows.get(c.code) ?? emptyCounts(),
  }));
  const list = rankUnits(units, { weights: await getWeights(ctx), topN, bottomN });
  // Rows carry the org id too, so a page can link a rank to that community's rates.
  const orgId = new Map(communities.map((c) => [c.code, c.id]));
  const present = (rows: RankedUnit[]) => rows.map((r) => presentRankedUnit(r, orgId.get(r.unitId) ?? null));
  return {
    month,
    level,
    weights: list.weights,
    labels: RATE_LABELS,
    ranking: present(list.ranking),
    red: present(list.red),
    black: present(list.black),
    ranked: list.ranked,
    limit: list.limit,
    note: list.note,
    rules: LIST_RULES_OUT,
    canManageWeights: ratesPolicy.can(actor, "manageWeights"),
  };
}
