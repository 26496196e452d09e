// The campaigns' line of the command center: the running door-to-door campaigns under a unit, how far they
// have come, and the units one level down furthest behind. Read from the tallies each sync keeps.
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { AppContext } from "../../context.ts";

/** For a unit the caller has already found in its scope and may read campaigns of. */
export async function campaignPanel(ctx: AppContext, unit: { path: string }) {
  const depth = unit.path.split("/").filter(Boolean).length;
  const params = [subtreePattern(unit.path)];
  const running = `t.campaign_id in (select id from campaigns where state = 'running')`;
  const [[totals], below] = await Promise.all([
    ctx.database.query<{
      campaigns: number;
      target: number;
      visited: number;
      done: number;
      revisit: number;
      refused: number;
    }>(
      `select count(distinct t.campaign_id)::int as campaigns, coalesce(sum(t.target), 0)::int as target,
         coalesce(sum(t.visited), 0)::int as visited, coalesce(sum(t.done), 0)::int as done,
         coalesce(sum(t.revisit), 0)::int as revisit, coalesce(sum(t.refused), 0)::int as refused
       from campaign_tallies t where t.org_path like $1 and ${running}`,
      params,
    ),
    ctx.database.query<{ code: string; name: string; target: number; visited: number }>(
      `select c.code, c.name, x.target, x.visited from (
         select split_part(t.org_path, '/', ${depth + 2}) as code, sum(t.target)::int as target,
           sum(t.visited)::int as visited
         from campaign_tallies t where t.org_path like $1 and ${running} group by 1
       ) x join org_units c on c.code = x.code
       where x.target > 0 order by x.visited::float / x.target, c.code limit 5`,
      params,
    ),
  ]);
  return { ...totals, behind: below };
}
