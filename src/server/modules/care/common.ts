import type { Db } from "../../../db/client.ts";
import type { CarePlanConfig } from "../../../domain/care/plans.ts";
import type { Hospital } from "../../../domain/care/referrals.ts";
import type { FieldError as DomainFieldError } from "../../../domain/care/result.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { KEY_TAGS, type KeyTag, TAG_LABELS } from "../../../domain/people/generate.ts";
import type { Actor, AppContext } from "../../context.ts";
import { scopeWhere } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { Invalid, NotFound } from "../../platform/errors.ts";

// Helpers every care service shares: finding a resident within scope, the audited health read,
// the community a path belongs to and its settings.

export interface CareResident {
  id: number;
  name: string;
  orgPath: string;
  orgUnitId: number;
  tags: string[];
  address: string;
  familyDoctorId: number | null;
  /** The doctor the rules go by: the care plan's, else the contracted family doctor. */
  doctorId: number | null;
  createdAt: Date;
}

const RESIDENT_REF = `r.id, r.name, r.org_path as "orgPath", r.org_unit_id as "orgUnitId", r.tags, r.address,
  r.family_doctor_id as "familyDoctorId", r.created_at as "createdAt",
  coalesce((select p.doctor_id from care_plans p where p.resident_id = r.id), r.family_doctor_id) as "doctorId"`;

/** Loads a resident in the actor's subtree; 404 when absent or outside it (STYLE: scope is data). */
export async function residentInScope(ctx: AppContext, actor: Actor, id: number): Promise<CareResident> {
  const params: unknown[] = [id];
  const [r] = await ctx.database.query<CareResident>(
    `select ${RESIDENT_REF} from residents r where r.id = $1 and ${scopeWhere(actor, "r.org_path", params, { collate: "C" })}`,
    params,
  );
  if (!r) throw NotFound("居民不存在");
  return r;
}

/** Every read of health data leaves a trace: who read what about whom (PIPL). */
export async function auditHealthRead(
  ctx: AppContext,
  actor: Actor,
  entity: string,
  entityId: number | string | null,
  orgPath: string,
  after?: unknown,
): Promise<void> {
  await audit.record(ctx.database.db, actor, { action: "read_health", entity, entityId, orgPath, after });
}

/** Domain field errors → 400 with the failing fields. */
export function invalidFields(fields: DomainFieldError[]): never {
  throw Invalid(fields.map((f) => f.message).join("；"), fields);
}

/** The community code is the fourth segment of "/district/street/community/grid/…/". */
export function communityCodeOf(orgPath: string): string | null {
  return orgPath.split("/")[3] || null;
}
export function gridCodeOf(orgPath: string): string | null {
  return orgPath.split("/")[4] || null;
}

export const isKeyTag = (t: string): t is KeyTag => (KEY_TAGS as readonly string[]).includes(t);
export const tagLabel = (t: string) => TAG_LABELS[t as KeyTag] ?? t;

/**
 * The classification 紫兴社区 keeps its ledger by: living situation, age, health, income, other.
 * Every key tag sits in exactly one dimension.
 */
export const TAG_DIMENSIONS: { code: string; label: string; tags: KeyTag[] }[] = [
  { code: "living", label: "居住状况", tags: ["living_alone", "empty_nest"] },
  { code: "age", label: "年龄", tags: ["aged_80_plus"] },
  { code: "health", label: "健康状况", tags: ["disabled_care", "severe_disability", "chronic_disease"] },
  { code: "income", label: "经济状况", tags: ["low_income"] },
  { code: "other", label: "其他", tags: ["maternal", "left_behind_child"] },
];

/** Care config per community code (visit-frequency overrides); communities without a row use the defaults. */
export async function planConfigs(ctx: AppContext, scopePath: string): Promise<Map<string, CarePlanConfig>> {
  const rows = await ctx.database.query<{ code: string; value: CarePlanConfig }>(
    `select o.code, s.value from care_settings s join org_units o on o.id = s.community_id
     where o.path like $1 or $2 like o.path || '%'`,
    [subtreePattern(scopePath), scopePath],
  );
  return new Map(rows.map((r) => [r.code, r.value]));
}

export const DEFAULT_HOSPITALS: Hospital[] = [
  { code: "ntu-affiliated", name: "南通大学附属医院" },
  { code: "nantong-first", name: "南通市第一人民医院" },
];
export const HOSPITALS_KEY = "care.hospitals";

/** The hospital a liaison account works for (null for an account without one: it then sees no referral). */
export async function liaisonHospital(ctx: AppContext, actor: Actor): Promise<string | null> {
  const [row] = await ctx.database.query<{ code: string }>(
    `select hospital_code as code from hospital_liaisons where account_id = $1`,
    [actor.id],
  );
  return row?.code ?? null;
}

export async function loadHospitals(ctx: AppContext): Promise<Hospital[]> {
  const [row] = await ctx.database.query<{ value: { items: Hospital[] } }>(
    "select value from system_settings where key = $1",
    [HOSPITALS_KEY],
  );
  return row?.value?.items ?? DEFAULT_HOSPITALS;
}

/** Drizzle's transaction handle typed as the Db the audit and outbox helpers take. */
export type Tx = Db;

export async function rows<T>(db: Db, query: import("drizzle-orm").SQL): Promise<T[]> {
  const r = (await db.execute(query)) as unknown as { rows: T[] };
  return r.rows;
}

/**
 * A JS array as one PostgreSQL array parameter. Drizzle's `sql` spreads an array into a list of
 * parameters, so it is sent as an array literal instead.
 */
export function pgArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}
