import { subtreePattern } from "../../../domain/org/scope.ts";
import {
  addCounts,
  computeRates,
  DEFAULT_WEIGHTS,
  emptyCounts,
  RATE_LABELS,
  type RateCounts,
  type RateWeights,
  rankUnits,
} from "../../../domain/rates/index.ts";
import type { Actor, AppContext } from "../../context.ts";
import { audit } from "../../platform/audit.ts";
import { Invalid } from "../../platform/errors.ts";
import { authorize } from "../../platform/policy.ts";
import { getOrgUnit } from "../orgs/service.ts";

// Rates of DESIGN §3 for any unit and period, with the counts behind each. Order-level facts come from
// columns; callbacks and verifications are counted from the event log, where each one happened.

interface CountRow extends RateCounts {
  code: string;
}

/**
 * Counts for the orders under `path`, grouped by the unit at `groupDepth` (district 0, street 1,
 * community 2, grid 3), or all together when it is null. One scan of orders and one of events.
 */
async function countRows(
  ctx: AppContext,
  path: string,
  from: Date,
  to: Date,
  groupDepth: number | null,
): Promise<CountRow[]> {
  // "/a/b/c/" splits into ['', a, b, c, '']: the unit at depth d is segment d + 2.
  const key = groupDepth === null ? "'self'" : `split_part(o.org_path, '/', ${groupDepth + 2})`;
  const params = [subtreePattern(path), from, to];
  const orders = await ctx.database.query<any>(
    `select ${key} as code,
       count(*) filter (where o.dispatched_at >= $2 and o.dispatched_at < $3)::int as dispatched,
       count(*) filter (where o.dispatched_at >= $2 and o.dispatched_at < $3 and o.accepted_on_time)::int as "acceptedOnTime",
       count(*) filter (where o.resolved_at >= $2 and o.resolved_at < $3)::int as resolved,
       count(*) filter (where o.resolved_at >= $2 and o.resolved_at < $3 and (o.flow->'counts'->>'extensionsApproved')::int > 0)::int as "resolvedExtended",
       count(*) filter (where o.resolved_at >= $2 and o.resolved_at < $3 and o.resolved_on_time
         and (o.flow->'counts'->>'extensionsApproved')::int = 0)::int as "resolvedOnTime",
       count(*) filter (where o.resolved_at >= $2 and o.resolved_at < $3 and (o.flow->'counts'->>'returns')::int = 0
         and (o.flow->'counts'->>'reassigns')::int = 0 and (o.flow->'counts'->>'reopens')::int = 0)::int as "resolvedFirstTime"
     from work_orders o
     where o.org_path like $1 and (o.dispatched_at >= $2 or o.resolved_at >= $2) and least(o.dispatched_at, o.resolved_at) < $3
     group by 1`,
    params,
  );
  const events = await ctx.database.query<any>(
    `select ${key} as code,
       count(*) filter (where e.action in ('close','reopen'))::int as callbacks,
       count(*) filter (where e.action in ('close','reopen') and (e.detail->'callback'->>'solved')::boolean)::int as "callbacksSolved",
       count(*) filter (where e.action in ('close','reopen') and e.detail->'callback'->>'satisfaction' is not null)::int as "ratedCallbacks",
       count(*) filter (where e.action in ('close','reopen') and e.detail->'callback'->>'satisfaction' in ('satisfied','basically_satisfied'))::int as "ratedSatisfied",
       count(*) filter (where e.action in ('verify','rework'))::int as verified,
       count(*) filter (where e.action = 'rework')::int as reworked
     from work_order_events e join work_orders o on o.id = e.order_id
     where o.org_path like $1 and e.at >= $2 and e.at < $3 and e.action in ('close','reopen','verify','rework')
     group by 1`,
    params,
  );
  const byCode = new Map<string, CountRow>();
  for (const r of [...orders, ...events]) {
    const cur = byCode.get(r.code) ?? { ...emptyCounts(), code: r.code };
    for (const [k, v] of Object.entries(r)) if (k !== "code") (cur as any)[k] = v;
    byCode.set(r.code, cur);
  }
  return [...byCode.values()];
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
  authorize(actor, "rates.read");
  const unit = await getOrgUnit(ctx, actor, orgId);
  const depth = unit.path.split("/").filter(Boolean).length - 1;
  // One pass grouped by child unit; the unit's own figures are their sum (orders routed to the unit itself
  // form their own group), so the orders and events are read once, not twice.
  const leaf = unit.kind === "micro_grid";
  const childRows = await countRows(ctx, unit.path, period.from, period.to, leaf ? null : depth + 1);
  const self = { ...addCounts(...childRows.map(({ code: _c, ...c }) => c)), code: "self" };
  const children = await ctx.database.query<{ id: number; code: string; name: string; kind: string }>(
    "select id, code, name, kind from org_units where parent_id = $1 order by code",
    [unit.id],
  );
  const { code: _c, ...selfCounts } = self;
  return {
    unit: { id: unit.id, name: unit.name, kind: unit.kind },
    period,
    counts: selfCounts,
    rates: computeRates(selfCounts),
    labels: RATE_LABELS,
    children: children.map((c) => {
      const { code: _x, ...cc } = childRows.find((r) => r.code === c.code) ?? {
        ...emptyCounts(),
        code: c.code,
      };
      return { unit: c, counts: cc, rates: computeRates(cc) };
    }),
  };
}

const WEIGHTS_KEY = "ranking_weights";

export async function getWeights(ctx: AppContext): Promise<RateWeights> {
  const [row] = await ctx.database.query<{ value: RateWeights }>(
    "select value from system_settings where key = $1",
    [WEIGHTS_KEY],
  );
  return { ...DEFAULT_WEIGHTS, ...(row?.value ?? {}) };
}

export async function setWeights(ctx: AppContext, actor: Actor, weights: Partial<RateWeights>) {
  authorize(actor, "category.manage");
  const merged = { ...(await getWeights(ctx)), ...weights };
  if (Object.values(merged).every((w) => w === 0))
    throw Invalid("至少一个权重须大于 0", [{ field: "weights", message: "权重: 至少一个大于 0" }]);
  const before = await getWeights(ctx);
  await ctx.database.query(
    "insert into system_settings (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value, updated_at = now()",
    [WEIGHTS_KEY, JSON.stringify(merged)],
  );
  await audit(ctx.database.db, actor, {
    action: "update",
    entity: "ranking_weights",
    orgPath: actor.orgPath,
    before,
    after: merged,
  });
  return merged;
}

/** 红黑榜: communities in the caller's scope ranked by the weighted score of the month's rates. */
export async function redBlackList(ctx: AppContext, actor: Actor, month: string, topN = 5, bottomN = 5) {
  authorize(actor, "rates.read");
  const period = parsePeriod(undefined, undefined, month);
  const communities = await ctx.database.query<{ id: number; code: string; name: string; path: string }>(
    "select id, code, name, path from org_units where kind = 'community' and path like $1 order by code",
    [subtreePattern(actor.orgPath)],
  );
  const rows = new Map(
    (await countRows(ctx, actor.orgPath, period.from, period.to, 2)).map((r) => [r.code, r]),
  );
  const units = communities.map((c) => {
    const { code: _x, ...counts } = rows.get(c.code) ?? { ...emptyCounts(), code: c.code };
    return { unitId: c.code, name: c.name, counts };
  });
  const weights = await getWeights(ctx);
  const list = rankUnits(units, { weights, topN, bottomN });
  // Rows carry the org id too, so a page can link a rank to that community's rates.
  const orgId = new Map(communities.map((c) => [c.code, c.id]));
  const withId = <T extends { unitId: string }>(rows: T[]) =>
    rows.map((r) => ({ ...r, orgId: orgId.get(r.unitId) }));
  return {
    month,
    ...list,
    ranking: withId(list.ranking),
    red: withId(list.red),
    black: withId(list.black),
    labels: RATE_LABELS,
  };
}
