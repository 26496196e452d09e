import type { AppContext, Principal } from "../../context.ts";
import { scopeWhere } from "../../platform/access.ts";
import { NotFound } from "../../platform/errors.ts";
import { breadcrumb, getOrgUnit } from "../orgs/index.ts";
import { residentPolicy } from "./policy.ts";
import {
  type BuildingRow,
  type HouseholdRow,
  type Population,
  presentBuilding,
  presentHousehold,
  presentResident,
  type ResidentRow,
} from "./presenter.ts";
import { RESIDENT_COLUMNS } from "./service.ts";

// Households and buildings: the registry's places, read with the caller's subtree in the query.

export async function getHousehold(ctx: AppContext, who: Principal, id: number) {
  residentPolicy.authorize(who, "read");
  const params: unknown[] = [id];
  const [h] = await ctx.database.query<HouseholdRow>(
    `select id, building_id as "buildingId", org_unit_id as "orgUnitId", org_path as "orgPath", unit_no as "unitNo", room_no as "roomNo", address
     from households h where h.id = $1 and ${scopeWhere(who, "h.org_path", params)}`,
    params,
  );
  if (!h) throw NotFound("户不存在");
  const members = await ctx.database.query<ResidentRow>(
    `select ${RESIDENT_COLUMNS} from residents r where r.household_id = $1 order by (r.relation_to_head = 'head') desc, r.birth_date`,
    [id],
  );
  return {
    household: presentHousehold(h),
    members: members.map((m) => presentResident(m, ctx.crypto)),
    breadcrumb: await breadcrumb(ctx, who, h.orgPath),
  };
}

export async function getBuilding(ctx: AppContext, who: Principal, id: number) {
  residentPolicy.authorize(who, "read");
  const params: unknown[] = [id];
  const [b] = await ctx.database.query<BuildingRow>(
    `select id, org_unit_id as "orgUnitId", org_path as "orgPath", name, address, floors, units
     from buildings b where b.id = $1 and ${scopeWhere(who, "b.org_path", params)}`,
    params,
  );
  if (!b) throw NotFound("楼栋不存在");
  const households = await ctx.database.query<{
    id: number;
    unitNo: number | null;
    roomNo: string | null;
    address: string;
    members: number;
    tags: string[];
  }>(
    `select h.id, h.unit_no as "unitNo", h.room_no as "roomNo", h.address,
       (select count(*)::int from residents r where r.household_id = h.id) as members,
       (select coalesce(array_agg(distinct t), '{}') from residents r, unnest(r.tags) t where r.household_id = h.id) as tags
     from households h where h.building_id = $1 order by h.unit_no nulls first, h.id`,
    [id],
  );
  return {
    building: presentBuilding(b),
    households: households.map((h) => ({
      id: h.id,
      unitNo: h.unitNo,
      roomNo: h.roomNo,
      address: h.address,
      members: h.members,
      tags: h.tags,
    })),
    breadcrumb: await breadcrumb(ctx, who, b.orgPath),
  };
}

/** The buildings of a unit the caller may see (404 for a unit outside the subtree). */
export async function listBuildings(ctx: AppContext, who: Principal, orgId: number) {
  residentPolicy.authorize(who, "read");
  const unit = await getOrgUnit(ctx, who, orgId);
  const params: unknown[] = [];
  const items = await ctx.database.query<{ id: number; name: string; address: string; households: number }>(
    `select b.id, b.name, b.address, (select count(*)::int from households h where h.building_id = b.id) as households
     from buildings b where ${scopeWhere({ orgPath: unit.path }, "b.org_path", params)} order by b.id limit 500`,
    params,
  );
  return { items };
}

/** People, households, buildings and key-population counts under a unit the caller may see. */
export async function populationOf(ctx: AppContext, who: Principal, orgId: number): Promise<Population> {
  residentPolicy.authorize(who, "stats");
  const unit = await getOrgUnit(ctx, who, orgId);
  const params: unknown[] = [];
  const rw = scopeWhere({ orgPath: unit.path }, "org_path", params);
  const [counts] = await ctx.database.query<{ residents: number; households: number; buildings: number }>(
    `select (select count(*)::int from residents where ${rw}) as residents,
            (select count(*)::int from households where ${rw}) as households,
            (select count(*)::int from buildings where ${rw}) as buildings`,
    params,
  );
  const tagRows = await ctx.database.query<{ tag: string; n: number }>(
    `select t as tag, count(*)::int as n from residents, unnest(tags) t where ${rw} group by t`,
    params,
  );
  return {
    residents: counts.residents,
    households: counts.households,
    buildings: counts.buildings,
    tags: Object.fromEntries(tagRows.map((r) => [r.tag, r.n])),
  };
}

/**
 * Residents per unit one level below `unit` (the command map's "per 1,000 residents"), keyed by the child's
 * org code. Counts only; the caller has found the unit in its scope.
 */
export async function residentsByChild(
  ctx: AppContext,
  unit: { path: string },
): Promise<Map<string, number>> {
  const depth = unit.path.split("/").filter(Boolean).length - 1;
  const params: unknown[] = [];
  const rows = await ctx.database.query<{ code: string; n: number }>(
    `select split_part(org_path, '/', ${depth + 3}) as code, count(*)::int as n from residents
     where ${scopeWhere({ orgPath: unit.path }, "org_path", params, { collate: "C" })} group by 1`,
    params,
  );
  return new Map(rows.filter((r) => r.code).map((r) => [r.code, r.n]));
}
