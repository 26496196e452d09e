import { subtreePattern } from "../../../domain/org/scope.ts";
import type { Actor, AppContext } from "../../context.ts";
import { visibleOr404 } from "../../platform/access.ts";
import { authorize } from "../../platform/policy.ts";
import { breadcrumb } from "../orgs/index.ts";
import { presentResident, type ResidentRow } from "./presenter.ts";
import { RESIDENT_COLUMNS } from "./service.ts";

// Households and buildings: the registry's places, read in the caller's scope.

interface HouseholdRow {
  id: number;
  buildingId: number;
  orgUnitId: number;
  orgPath: string;
  unitNo: number | null;
  roomNo: string | null;
  address: string;
}

export async function getHousehold(ctx: AppContext, actor: Actor, id: number) {
  authorize(actor, "resident.read");
  const [h] = await ctx.database.query<HouseholdRow>(
    `select id, building_id as "buildingId", org_unit_id as "orgUnitId", org_path as "orgPath", unit_no as "unitNo", room_no as "roomNo", address
     from households where id = $1`,
    [id],
  );
  visibleOr404(actor, h, "户不存在");
  const members = await ctx.database.query<ResidentRow>(
    `select ${RESIDENT_COLUMNS} from residents r where r.household_id = $1 order by (r.relation_to_head = 'head') desc, r.birth_date`,
    [id],
  );
  const { orgPath, ...household } = h;
  return {
    household,
    members: members.map((m) => presentResident(m, ctx.crypto)),
    breadcrumb: await breadcrumb(ctx, actor, orgPath),
  };
}

export async function getBuilding(ctx: AppContext, actor: Actor, id: number) {
  authorize(actor, "resident.read");
  const [b] = await ctx.database.query<{
    id: number;
    orgUnitId: number;
    orgPath: string;
    name: string;
    address: string;
    floors: number | null;
    units: number | null;
  }>(
    `select id, org_unit_id as "orgUnitId", org_path as "orgPath", name, address, floors, units from buildings where id = $1`,
    [id],
  );
  visibleOr404(actor, b, "楼栋不存在");
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
  const { orgPath, ...building } = b;
  return { building, households, breadcrumb: await breadcrumb(ctx, actor, orgPath) };
}

export async function listBuildings(ctx: AppContext, actor: Actor, orgPath: string) {
  authorize(actor, "resident.read");
  return ctx.database.query<{ id: number; name: string; address: string; households: number }>(
    `select b.id, b.name, b.address, (select count(*)::int from households h where h.building_id = b.id) as households
     from buildings b where b.org_path like $1 order by b.id limit 500`,
    [subtreePattern(orgPath)],
  );
}
