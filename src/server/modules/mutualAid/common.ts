import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { shanghaiDate } from "../../../domain/sla/time.ts";
import type { AppContext, Principal } from "../../context.ts";
import { Invalid } from "../../platform/errors.ts";

export type Tx = Db;

export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const r = (await db.execute(query)) as unknown as { rows: T[] };
  return r.rows;
}

export function inTx<T>(ctx: AppContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.database.db.transaction(async (t) => fn(t as unknown as Tx));
}

export const pattern = (who: Pick<Principal, "orgPath">) => subtreePattern(who.orgPath);

/** Today in Shanghai (YYYY-MM-DD): what expiry dates are compared with. */
export const today = (now = new Date()) => shanghaiDate(now);

export const actorId = (who: Principal) => (who.kind === "account" ? who.id : null);

export interface Unit {
  id: number;
  kind: string;
  name: string;
  path: string;
}

/** A unit named in a body, inside the caller's subtree and of one of these kinds: otherwise 400 on that field. */
export async function unitInScope(
  ctx: AppContext,
  who: Principal,
  id: number,
  field: string,
  kinds: readonly string[],
): Promise<Unit> {
  const [u] = await ctx.database.query<Unit>(
    "select id, kind, name, path from org_units where id = $1 and path like $2",
    [id, pattern(who)],
  );
  if (!u || !kinds.includes(u.kind))
    throw Invalid(`${field} 不存在或不在您的辖区`, [{ field, message: "单位不存在或不在您的辖区" }]);
  return u;
}

/** The community a path lies in (its own path, or that of the grid / micro-grid below it). */
export async function communityPathOf(ctx: AppContext, path: string): Promise<string | null> {
  const [u] = await ctx.database.query<{ path: string }>(
    "select path from org_units where kind = 'community' and $1 like path || '%' limit 1",
    [path],
  );
  return u?.path ?? null;
}

/** A text[] literal for Drizzle's `sql`. */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

/**
 * Shared places (service points, medicine boxes and their stock, events) are reached from below as well as
 * from above: a grid worker uses the boxes and events of their community and street, not only those of their
 * own grid. `<column> like <subtree> or <column> is an ancestor of the caller's unit`, pushed onto `params`.
 * Records about a person (medicine requests, sign-ups) keep the plain subtree rule.
 */
export function reachWhere(who: Pick<Principal, "orgPath">, column: string, params: unknown[]): string {
  const p = params.push(subtreePattern(who.orgPath));
  const q = params.push(who.orgPath);
  return `(${column} like $${p} or starts_with($${q}::text, ${column}))`;
}

export const reachSql = (who: Pick<Principal, "orgPath">, column: SQL) =>
  sql`(${column} like ${subtreePattern(who.orgPath)} or starts_with(${who.orgPath}::text, ${column}))`;
