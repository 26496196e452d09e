import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { inScope, subtreePattern } from "../../domain/org/scope.ts";
import type { Actor, ClientPrincipal, Principal, SystemPrincipal } from "../context.ts";
import { NotFound } from "./errors.ts";

// Access is data: every query that returns people, orders or anything else in the org tree is limited to
// the caller's subtree in the query itself, and a record outside that subtree is simply not found (404),
// exactly as a missing one, so ids cannot be probed. These are the only ways the house scopes a query.

/** Anything with a subtree: an account, the system, an Open311 client. */
export type Scoped = Pick<Principal, "orgPath">;

/** The system acting on its own duty (a sweep, care raising an urgent order). Named in the audit log. */
export function systemPrincipal(name: string, displayName: string, orgPath = "/"): SystemPrincipal {
  return { kind: "system", name, displayName, orgPath };
}

export const isAccount = (who: Principal | null | undefined): who is Actor => who?.kind === "account";
export const isClient = (who: Principal | null | undefined): who is ClientPrincipal =>
  who?.kind === "open311";

/** Whether a record at `orgPath` lies in the principal's subtree. */
export function canSee(who: Scoped, orgPath: string): boolean {
  return inScope(who.orgPath, orgPath);
}

/**
 * `<column> like $n` for a raw query: pushes the subtree pattern onto `params` and returns the condition.
 * `collate: "C"` for columns whose btree index is in the C collation (residents.org_path).
 */
export function scopeWhere(
  who: Scoped,
  column: string,
  params: unknown[],
  opts: { collate?: "C" } = {},
): string {
  const col = opts.collate ? `${column} collate "C"` : column;
  return `${col} like $${params.push(subtreePattern(who.orgPath))}`;
}

/** The same condition for Drizzle's `sql` builder. */
export function scopeSql(who: Scoped, column: SQL | string): SQL {
  const col = typeof column === "string" ? sql.raw(column) : column;
  return sql`${col} like ${subtreePattern(who.orgPath)}`;
}

/**
 * The record if it exists and the principal may see it; otherwise 404 with the same message either way.
 * For loads whose query could not carry the scope itself (a row found by a non-id key, a join).
 */
export function visibleOr404<T extends { orgPath: string }>(
  who: Scoped,
  row: T | null | undefined,
  message = "记录不存在",
): T {
  if (!row || !canSee(who, row.orgPath)) throw NotFound(message);
  return row;
}

/** Tables whose rows carry the org path of the place they belong to. */
export type ScopedTable =
  | "work_orders"
  | "residents"
  | "households"
  | "buildings"
  | "care_alerts"
  | "care_visits"
  | "care_referrals"
  | "doctor_contracts";

/**
 * A bulk action's ids, all-or-nothing: resolves when every id exists and lies in the subtree, otherwise
 * 404 without naming which ones are hidden (a forged id among real ones reveals nothing).
 */
export async function requireAllVisible(
  database: Database,
  who: Scoped,
  table: ScopedTable,
  ids: readonly number[],
  message = "部分记录不存在",
): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const [r] = await database.query<{ n: number }>(
    `select count(*)::int as n from ${table} where id = any($1::int[]) and org_path like $2`,
    [unique, subtreePattern(who.orgPath)],
  );
  if (r.n !== unique.length) throw NotFound(message);
}
