import { sql } from "drizzle-orm";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { NotFound } from "../../platform/errors.ts";
import { inTx, pattern, pgArray, reachWhere, rows, unitInScope } from "./common.ts";
import { mutualAidPolicy } from "./policy.ts";

// The service-point directory: 党群服务中心, 驿站 (rest stations for outdoor workers), 读书角 and the sites of
// medicine boxes, with place, hours, services and the point's own phone. The public page lists them with
// nothing about any person.

export const POINT_KINDS = ["party_center", "rest_station", "reading_corner", "medicine_box_site"] as const;
export type PointKind = (typeof POINT_KINDS)[number];
export const POINT_KIND_LABELS: Record<PointKind, string> = {
  party_center: "党群服务中心",
  rest_station: "驿站",
  reading_corner: "读书角",
  medicine_box_site: "共享药箱点",
};

export interface PointRow {
  id: number;
  kind: PointKind;
  name: string;
  orgUnitId: number;
  orgPath: string;
  unitName: string;
  address: string;
  lat: number | null;
  long: number | null;
  hours: string;
  services: string[];
  phone: string | null;
  active: boolean;
  boxes: number;
}

const COLS = `p.id, p.kind, p.name, p.org_unit_id as "orgUnitId", p.org_path as "orgPath", o.name as "unitName", p.address,
  p.lat, p.long, p.hours, p.services, p.phone, p.active,
  (select count(*)::int from medicine_boxes b where b.service_point_id = p.id and b.active) as boxes`;

export async function listPoints(
  ctx: AppContext,
  who: Pick<Principal, "orgPath">,
  f: { kind?: PointKind; activeOnly?: boolean },
) {
  const params: unknown[] = [subtreePattern(who.orgPath)];
  let where = "p.org_path like $1";
  if (f.kind) where += ` and p.kind = $${params.push(f.kind)}`;
  if (f.activeOnly) where += " and p.active";
  return ctx.database.query<PointRow>(
    `select ${COLS} from service_points p join org_units o on o.id = p.org_unit_id where ${where} order by p.org_path, p.kind, p.id limit 500`,
    params,
  );
}

export async function staffPoints(ctx: AppContext, who: Principal, f: { kind?: PointKind }) {
  mutualAidPolicy.authorize(who, "read");
  const params: unknown[] = [];
  let where = reachWhere(who, "p.org_path", params);
  if (f.kind) where += ` and p.kind = $${params.push(f.kind)}`;
  return ctx.database.query<PointRow>(
    `select ${COLS} from service_points p join org_units o on o.id = p.org_unit_id where ${where} order by p.org_path, p.kind, p.id limit 500`,
    params,
  );
}

export interface PointInput {
  kind: PointKind;
  name: string;
  orgUnitId: number;
  address: string;
  lat?: number;
  long?: number;
  hours: string;
  services: string[];
  phone?: string;
}

export async function createPoint(ctx: AppContext, who: Principal, input: PointInput) {
  mutualAidPolicy.authorize(who, "managePoints");
  const unit = await unitInScope(ctx, who, input.orgUnitId, "orgUnitId", ["street", "community", "grid"]);
  return inTx(ctx, async (tx) => {
    const [p] = await rows<{ id: number }>(
      tx,
      sql`insert into service_points (kind, name, org_unit_id, org_path, address, lat, long, hours, services, phone)
        values (${input.kind}, ${input.name.trim()}, ${unit.id}, ${unit.path}, ${input.address.trim()}, ${input.lat ?? null},
          ${input.long ?? null}, ${input.hours.trim()}, ${pgArray(input.services)}::text[], ${input.phone?.trim() || null}) returning id`,
    );
    await audit.record(tx, who, {
      action: "create",
      entity: "service_point",
      entityId: p.id,
      orgPath: unit.path,
      after: input,
    });
    return p;
  });
}

export async function setPointActive(ctx: AppContext, who: Principal, id: number, active: boolean) {
  mutualAidPolicy.authorize(who, "managePoints");
  return inTx(ctx, async (tx) => {
    const [p] = await rows<{ id: number; orgPath: string }>(
      tx,
      sql`update service_points set active = ${active}, updated_at = now() where id = ${id} and org_path like ${pattern(who)}
        returning id, org_path as "orgPath"`,
    );
    if (!p) throw NotFound("服务阵地不存在");
    await audit.record(tx, who, {
      action: active ? "open" : "close",
      entity: "service_point",
      entityId: id,
      orgPath: p.orgPath,
    });
    return { id, active };
  });
}
