// The care line of the command center: how many key residents a unit looks after, how many visits are due
// or overdue, and how many alerts are still open. Counts only — no names, no readings.
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { Actor, AppContext } from "../../context.ts";
import { getOrgUnit } from "../orgs/index.ts";
import { carePolicy } from "./policy.ts";
import { planStates } from "./visits.ts";

export async function carePanel(ctx: AppContext, actor: Actor, org: number, now = new Date()) {
  carePolicy.authorize(actor, "read");
  return unitCarePanel(ctx, await getOrgUnit(ctx, actor, org), now);
}

/**
 * The care line of a unit the caller has already found in its scope and may read care figures of (a care
 * role's dashboard, or the scheduled daily report working as the system).
 */
export async function unitCarePanel(ctx: AppContext, unit: { path: string }, now = new Date()) {
  const [states, [alerts]] = await Promise.all([
    planStates(ctx, unit.path, now),
    ctx.database.query<{ open: number; critical: number }>(
      `select count(*)::int as open, count(*) filter (where level = 'critical')::int as critical
       from care_alerts where state = 'open' and org_path like $1`,
      [subtreePattern(unit.path)],
    ),
  ]);
  const counts = { overdue: 0, due: 0, due_soon: 0, scheduled: 0 };
  for (const { s } of states) counts[s.status.state]++;
  return {
    keyResidents: states.length,
    visitsOverdue: counts.overdue,
    visitsDue: counts.due,
    visitsDueSoon: counts.due_soon,
    alertsOpen: alerts.open,
    alertsCritical: alerts.critical,
  };
}

/**
 * Overdue visits per unit one level below `unit` (the map's shading), keyed by the child's org code; one
 * pass over the plans.
 */
export async function overdueVisitsByChild(
  ctx: AppContext,
  unit: { path: string },
  now = new Date(),
): Promise<Map<string, number>> {
  const depth = unit.path.split("/").filter(Boolean).length;
  const byChild = new Map<string, number>();
  for (const { row, s } of await planStates(ctx, unit.path, now)) {
    if (s.status.state !== "overdue") continue;
    const code = row.orgPath.split("/").filter(Boolean)[depth];
    if (code) byChild.set(code, (byChild.get(code) ?? 0) + 1);
  }
  return byChild;
}
