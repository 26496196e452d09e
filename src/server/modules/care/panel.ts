// The care line of the command center: how many key residents a unit looks after, how many visits are due
// or overdue, and how many alerts are still open. Counts only — no names, no readings.
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { Actor, AppContext } from "../../context.ts";
import { getOrgUnit } from "../orgs/index.ts";
import { carePolicy } from "./policy.ts";
import { dueVisits } from "./visits.ts";

export async function carePanel(ctx: AppContext, actor: Actor, org: number, now = new Date()) {
  carePolicy.authorize(actor, "read");
  const unit = await getOrgUnit(ctx, actor, org);
  const due = await dueVisits(ctx, actor, { org, state: "all", limit: 0 }, now);
  const [alerts] = await ctx.database.query<{ open: number; critical: number }>(
    `select count(*)::int as open, count(*) filter (where level = 'critical')::int as critical
     from care_alerts where state = 'open' and org_path like $1`,
    [subtreePattern(unit.path)],
  );
  const { overdue = 0, due: dueNow = 0, due_soon = 0, scheduled = 0 } = due.counts;
  return {
    keyResidents: overdue + dueNow + due_soon + scheduled,
    visitsOverdue: overdue,
    visitsDue: dueNow,
    visitsDueSoon: due_soon,
    alertsOpen: alerts.open,
    alertsCritical: alerts.critical,
  };
}
