import { subtreePattern } from "../../../domain/org/scope.ts";
import type { Actor, AppContext } from "../../context.ts";
import { getOrgUnit } from "../orgs/index.ts";
import { carePolicy } from "./policy.ts";
import { presentStaff, STAFF_ROLES, type StaffRow } from "./presenter.ts";

// Staff a care plan can be assigned to: the responsible grid worker (or grid head) and the family doctor.

/**
 * Active accounts that can look after key residents of a unit (the caller's own by default).
 *
 * An account serves the residents of its own subtree (updatePlan refuses anyone else), so the list
 * holds staff whose unit lies inside the unit or above it on its path. Pass a resident's unit and
 * the list is exactly who may be assigned to that resident; pass a community and it is the
 * community's staff plus the family doctors covering it.
 *
 * Grid workers and heads are further kept to the caller's own subtree: a grid worker sees their
 * grid's colleagues, never another grid's or the community's. Family doctors above the caller are
 * listed, because a community signs its residents up with the street's health centre 社区卫生服务中心,
 * whose doctors sit above the community in the org tree. A unit outside the caller's scope is 403,
 * like every other `?org=` of the care module.
 */
export async function listStaff(
  ctx: AppContext,
  actor: Actor,
  f: { org?: number; role?: string[]; limit: number },
) {
  carePolicy.authorize(actor, "read");
  const unit =
    f.org === undefined
      ? { id: actor.orgUnitId, name: actor.orgName, kind: actor.orgKind, path: actor.orgPath }
      : await getOrgUnit(ctx, actor, f.org);
  const roles = f.role?.length ? f.role : [...STAFF_ROLES];
  const list = await ctx.database.query<StaffRow>(
    `select a.id, a.display_name as "displayName", a.role, o.id as "orgUnitId", o.name as "orgName", o.kind as "orgKind",
       a.work_phone as "workPhone"
     from accounts a join org_units o on o.id = a.org_unit_id
     where not a.disabled and a.role = any($1::text[])
       and (o.path like $2 or $3 like o.path || '%')
       and (a.role = 'doctor' or o.path like $4)
     order by o.depth desc, o.code, a.role, a.display_name, a.id
     limit ${f.limit}`,
    [roles, subtreePattern(unit.path), unit.path, subtreePattern(actor.orgPath)],
  );
  return { org: { id: unit.id, name: unit.name, kind: unit.kind }, items: list.map(presentStaff) };
}
