import type { Database } from "../../../db/client.ts";
import type { OrgKind } from "../../../domain/org/scope.ts";
import { escapeLike } from "../../../domain/people/query.ts";
import type { Actor, AppContext } from "../../context.ts";
import { canSee, type Scoped, scopeWhere } from "../../platform/access.ts";
import { readThrough } from "../../platform/cache.ts";
import { NotFound } from "../../platform/errors.ts";
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
