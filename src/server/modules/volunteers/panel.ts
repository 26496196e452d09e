// The volunteers' line of the command center: how many members serve a unit, how many registrations wait
// for the community, how many members checked in on a task today, and how many wishes wait for someone.
// Counts only.
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { AppContext } from "../../context.ts";

/** For a unit the caller has already found in its scope and may read the volunteer roll of. */
export async function volunteerPanel(ctx: AppContext, unit: { path: string }, now = new Date()) {
  const since = new Date(
    `${new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10)}T00:00:00+08:00`,
  );
  const [row] = await ctx.database.query<{
    members: number;
    pending: number;
    activeToday: number;
    openWishes: number;
  }>(
    `select
       (select count(*)::int from volunteer_members where org_path like $1 and state = 'confirmed') as members,
       (select count(*)::int from volunteer_members where org_path like $1 and state = 'pending') as pending,
       (select count(distinct member_id)::int from volunteer_claims
         where org_path like $1 and check_in_at >= $2) as "activeToday",
       (select count(*)::int from volunteer_wishes where org_path like $1 and state = 'published') as "openWishes"`,
    [subtreePattern(unit.path), since],
  );
  return row;
}
