import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { normalisePhone } from "../../../domain/mask/mask.ts";
import type { OrgKind } from "../../../domain/org/scope.ts";
import { escapeLike } from "../../../domain/people/query.ts";
import type { Actor, AppContext } from "../../context.ts";
import { canSee, type Scoped, scopeWhere } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { readThrough } from "../../platform/cache.ts";
import { Forbidden, Invalid, NotFound } from "../../platform/errors.ts";
import { permits } from "../../platform/policy.ts";
import { orgPolicy } from "./policy.ts";
import { type Crumb, presentCrumb } from "./presenter.ts";

export interface OrgNode {
  id: number;
  kind: OrgKind;
  code: string;
  name: string;
  path: string;
  parentId: number | null;
  childCount: number;
}

const NODE_COLUMNS = `o.id, o.kind, o.code, o.name, o.path, o.parent_id as "parentId",
  (select count(*)::int from org_units c where c.parent_id = o.id) as "childCount"`;

export interface UnitRef {
  id: number;
  kind: OrgKind;
  name: string;
  path: string;
  parentId: number | null;
}
// The org tree is loaded by seed and changes only by migration, so units read through a cache.
const unitCache = readThrough<number, UnitRef>({ max: 50_000, ttlMs: 60_000 });

/**
 * A unit's name as people say it when more than one community is on the screen: grids carry their
 * community (苏阳社区·第1网格), micro-grids their community and grid; streets and communities are unique.
 * An SQL expression over the org_units row aliased `u` (two primary-key lookups per row at most).
 */
export function unitLabelSql(u: string): string {
  return `(case ${u}.kind
    when 'grid' then (select p.name from org_units p where p.id = ${u}.parent_id) || '·' || ${u}.name
    when 'micro_grid' then (select g.name || '·' || p.name from org_units p join org_units g on g.id = p.parent_id
      where p.id = ${u}.parent_id) || '·' || ${u}.name
    else ${u}.name end)`;
}

/** The same label for a unit already in hand (cached parents). */
export async function unitLabel(database: Database, u: UnitRef): Promise<string> {
  if (u.kind !== "grid" && u.kind !== "micro_grid") return u.name;
  const parent = u.parentId ? await unitById(database, u.parentId) : undefined;
  if (!parent) return u.name;
  return `${await unitLabel(database, parent)}·${u.name}`;
}

/** After the tree itself changes (a boundary adjustment 区划调整 applied by script): read units afresh. */
export function forgetUnits(database: Database): void {
  unitCache.forget(database);
}

/** A unit by id, without a scope check (callers check the scope they need). */
export function unitById(database: Database, id: number): Promise<UnitRef | undefined> {
  return unitCache.get(database, id, async () => {
    const [u] = await database.query<UnitRef>(
      `select id, kind, name, path, parent_id as "parentId" from org_units where id = $1`,
      [id],
    );
    return u;
  });
}

/** A unit the caller may see, by id or code; 404 when it is missing or outside the caller's subtree. */
export async function getOrgUnit(
  ctx: AppContext,
  actor: Scoped,
  idOrCode: number | string,
): Promise<OrgNode> {
  const byId = typeof idOrCode === "number";
  const params: unknown[] = [idOrCode];
  const [u] = await ctx.database.query<OrgNode>(
    `select ${NODE_COLUMNS} from org_units o where ${byId ? "o.id" : "o.code"} = $1 and ${scopeWhere(actor, "o.path", params)}`,
    params,
  );
  if (!u) throw NotFound("组织不存在");
  return u;
}

/** Children of a unit (or the actor's own unit when no parent is given), in code order. */
export async function listChildren(ctx: AppContext, actor: Actor, parentId?: number): Promise<OrgNode[]> {
  if (parentId === undefined) return [await getOrgUnit(ctx, actor, actor.orgUnitId)];
  const parent = await getOrgUnit(ctx, actor, parentId);
  return ctx.database.query<OrgNode>(
    `select ${NODE_COLUMNS} from org_units o where o.parent_id = $1 order by o.code`,
    [parent.id],
  );
}

/** Ancestors from the actor's own unit down to this one: the breadcrumb never shows what is above the scope. */
export async function breadcrumb(ctx: AppContext, actor: Scoped, path: string): Promise<Crumb[]> {
  const codes = path.split("/").filter(Boolean);
  const rows = await ctx.database.query<{
    id: number;
    kind: OrgKind;
    name: string;
    code: string;
    path: string;
  }>("select id, kind, name, code, path from org_units where code = any($1::text[]) order by depth", [codes]);
  return rows.filter((r) => canSee(actor, r.path)).map(presentCrumb);
}

/** Search units by name or code within the actor's subtree (for the navigator's search box). */
export async function searchOrgUnits(ctx: AppContext, actor: Scoped, q: string): Promise<OrgNode[]> {
  const params: unknown[] = [];
  const scope = scopeWhere(actor, "o.path", params);
  const name = `$${params.push(`%${escapeLike(q)}%`)}`;
  const code = `$${params.push(`${q.replace(/[\\%_]/g, "")}%`)}`;
  return ctx.database.query<OrgNode>(
    `select ${NODE_COLUMNS} from org_units o where ${scope} and (o.name like ${name} or o.code like ${code}) order by o.depth, o.code limit 50`,
    params,
  );
}

/** A community's on-duty hotline 社区值班电话, or null (the public on-duty page and the contact card print it). */
export async function dutyPhoneOf(ctx: AppContext, communityId: number): Promise<string | null> {
  const [u] = await ctx.database.query<{ dutyPhone: string | null }>(
    `select duty_phone as "dutyPhone" from org_units where id = $1`,
    [communityId],
  );
  return u?.dutyPhone ?? null;
}

/** Sets (or clears, with "") a community's on-duty hotline; audited. */
export async function setDutyPhone(ctx: AppContext, actor: Actor, id: number, raw: string) {
  if (!permits(actor, "care.manage") && !permits(actor, "account.manage"))
    throw Forbidden("社区值班电话由社区管理员维护");
  const unit = await getOrgUnit(ctx, actor, id);
  orgPolicy.authorize(actor, "setDutyPhone", unit);
  let dutyPhone: string | null = null;
  if (raw.trim()) {
    dutyPhone = normalisePhone(raw);
    if (!dutyPhone)
      throw Invalid("值班电话格式不正确", [
        { field: "dutyPhone", message: "值班电话: 应为手机号或带区号的固定电话（如 0513-85123456）" },
      ]);
  }
  const before = await dutyPhoneOf(ctx, unit.id);
  await ctx.database.db.transaction(async (tx) => {
    await tx.execute(
      sql`update org_units set duty_phone = ${dutyPhone}, updated_at = now() where id = ${unit.id}`,
    );
    await audit.record(tx, actor, {
      action: "update",
      entity: "org_unit",
      entityId: unit.id,
      orgPath: unit.path,
      before: { dutyPhone: before },
      after: { dutyPhone },
    });
  });
  return { id: unit.id, dutyPhone };
}
