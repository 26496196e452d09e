// The city scope of the command center: every district's month side by side, read from the city database
// (CITY_DATABASE_URL) that the districts' publications feed (`gridkeeper city …`, src/cli/city.ts). The
// figures are the same rollups each district reads for itself, summed per district code (the first segment of
// the org path); the rates come from the rates module's formulas over those sums.
import pg from "pg";
import {
  addCounts,
  computeRates,
  emptyCounts,
  RATE_LABELS,
  type RateCounts,
} from "../../../domain/rates/index.ts";
import { shanghaiDate } from "../../../domain/sla/index.ts";
import type { Actor, AppContext } from "../../context.ts";
import { AppError, NotFound } from "../../platform/errors.ts";
import { parsePeriod, RATE_COUNT_SUMS } from "../rates/index.ts";
import { commandPolicy } from "./policy.ts";

const pools = new WeakMap<AppContext, pg.Pool>();

function cityPool(ctx: AppContext): pg.Pool {
  const url = ctx.config.cityDatabaseUrl;
  if (!url) throw NotFound("未配置市级汇总库（CITY_DATABASE_URL）");
  let pool = pools.get(ctx);
  if (!pool) {
    pool = new pg.Pool({
      connectionString: url,
      max: 4,
      connectionTimeoutMillis: 3000,
      options: "-c jit=off",
    });
    // A connection the city server drops (restart) is discarded; the next read opens another.
    pool.on("error", () => {});
    pools.set(ctx, pool);
  }
  return pool;
}

export async function closeCityPool(ctx: AppContext) {
  const pool = pools.get(ctx);
  pools.delete(ctx);
  await pool?.end().catch(() => {});
}

interface DistrictFigures {
  code: string;
  name: string;
  /** When the city last heard from the district's publication (null: not connected now). */
  receivedAt: Date | null;
  counts: RateCounts;
  received: number;
  closed: number;
  volunteers: { members: number; minutes: number; tasks: number; points: number };
  campaigns: { records: number; done: number };
}

const byCode = <T extends { code: string }>(rows: T[]) => new Map(rows.map((r) => [r.code, r]));
const CODE = "split_part(org_path, '/', 2)";

/** The month's figures of each district the city holds, and the city's as their sums. */
export async function cityMonth(ctx: AppContext, actor: Actor, month: string) {
  commandPolicy.authorize(actor, "city");
  const period = parsePeriod(undefined, undefined, month);
  const pool = cityPool(ctx);
  const from = shanghaiDate(period.from);
  const to = shanghaiDate(period.to);
  // Each statement's rows are typed where they are kept (rows).
  const q = async (text: string, params: unknown[] = []): Promise<any[]> =>
    (await pool.query(text, params)).rows;
  let rows: [
    { code: string; name: string; received_at: Date | null }[],
    ({ code: string } & RateCounts)[],
    { code: string; received: number; closed: number }[],
    { code: string; members: number; minutes: number; tasks: number; points: number }[],
    { code: string; records: number; done: number }[],
  ];
  try {
    rows = await Promise.all([
      q(
        `select d.code, d.name, (select max(last_msg_receipt_time) from pg_stat_subscription s
           where s.subname = d.subscription) as received_at from city_districts d order by d.code`,
      ),
      // One row per district and day (city_rates_daily, kept by a trigger from the replicated grid rows).
      q(
        `select district as code, ${RATE_COUNT_SUMS} from city_rates_daily
         where day >= $1::date and day < $2::date group by 1`,
        [from, to],
      ),
      q(
        `select ${CODE} as code, sum(received)::int as received, sum(closed)::int as closed from order_flow_daily
         where day >= $1::date and day < $2::date group by 1`,
        [from, to],
      ),
      q(
        `select ${CODE} as code, count(distinct account_id)::int as members, sum(minutes)::int as minutes,
           sum(tasks)::int as tasks, sum(points)::int as points from points_monthly where month = $1 group by 1`,
        [month],
      ),
      // Each campaign counted once, at its top level (the rollups repeat a record at every level below the
      // campaign's own unit); campaign ids repeat across districts, so the district code is part of the match.
      q(
        `select ${CODE} as code, sum(c.records)::int as records, sum(c.done)::int as done
         from campaign_day_rollups c
         join (select campaign_id, ${CODE} as code, min(depth) as depth from campaign_rollups group by 1, 2) top
           on top.campaign_id = c.campaign_id and top.code = split_part(c.org_path, '/', 2) and top.depth = c.depth
         where c.day >= $1::date and c.day < $2::date group by 1`,
        [from, to],
      ),
    ]);
  } catch {
    // The city server down or unreachable: the district's own dashboards are not affected.
    throw new AppError(503, "city_unavailable", "市级汇总库暂时无法读取，请稍后再试");
  }
  const [districts, rates, flow, vols, camps] = rows;
  const [r, f, v, c] = [byCode(rates), byCode(flow), byCode(vols), byCode(camps)];
  const figures: DistrictFigures[] = districts.map((d) => {
    const { code: _, ...counts } = r.get(d.code) ?? { code: d.code, ...emptyCounts() };
    const vol = v.get(d.code);
    return {
      code: d.code,
      name: d.name,
      receivedAt: d.received_at,
      counts: addCounts(counts),
      received: f.get(d.code)?.received ?? 0,
      closed: f.get(d.code)?.closed ?? 0,
      volunteers: {
        members: vol?.members ?? 0,
        minutes: vol?.minutes ?? 0,
        tasks: vol?.tasks ?? 0,
        points: vol?.points ?? 0,
      },
      campaigns: { records: c.get(d.code)?.records ?? 0, done: c.get(d.code)?.done ?? 0 },
    };
  });
  const sum = (f: (d: DistrictFigures) => number) => figures.reduce((a, d) => a + f(d), 0);
  const cityCounts = addCounts(...figures.map((d) => d.counts));
  return {
    month,
    labels: RATE_LABELS,
    districts: figures.map((d) => ({ ...d, rates: computeRates(d.counts) })),
    city: {
      counts: cityCounts,
      rates: computeRates(cityCounts),
      received: sum((d) => d.received),
      closed: sum((d) => d.closed),
      volunteers: {
        members: sum((d) => d.volunteers.members),
        minutes: sum((d) => d.volunteers.minutes),
        tasks: sum((d) => d.volunteers.tasks),
        points: sum((d) => d.volunteers.points),
      },
      campaigns: { records: sum((d) => d.campaigns.records), done: sum((d) => d.campaigns.done) },
    },
  };
}
