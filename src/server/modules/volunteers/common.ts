import crypto from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { AppContext, Principal } from "../../context.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";

export type Tx = Db;

export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const r = (await db.execute(query)) as unknown as { rows: T[] };
  return r.rows;
}

export function inTx<T>(ctx: AppContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.database.db.transaction(async (t) => fn(t as unknown as Tx));
}

export const pattern = (who: Pick<Principal, "orgPath">) => subtreePattern(who.orgPath);

export interface Unit {
  id: number;
  kind: string;
  name: string;
  path: string;
}

/** A unit named in a body, inside the caller's subtree: otherwise 400 on that field, as one that does not exist. */
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
    throw Invalid(`${field} 不存在或不是社区/网格`, [{ field, message: "单位不存在或不是社区/网格" }]);
  return u;
}

/** The community a path lies in (a community's own path, or its grid's). */
export async function communityOf(db: Db, path: string): Promise<Unit> {
  const [u] = await rows<Unit>(
    db,
    sql`select id, kind, name, path from org_units where kind = 'community' and ${path} like path || '%' limit 1`,
  );
  if (!u) throw Invalid("所在单位不属于任何社区", [{ field: "orgUnitId", message: "不属于任何社区" }]);
  return u;
}

export interface MemberRow {
  id: number;
  accountId: number | null;
  name: string;
  kind: string;
  state: string;
  communityId: number;
  orgPath: string;
  skills: string[];
  specialties: string[];
}

export const MEMBER_COLS = `m.id, m.account_id as "accountId", m.name, m.kind, m.state, m.community_id as "communityId",
  m.org_path as "orgPath", m.skills, m.specialties`;

/** The signed-in volunteer's own member row, or null before they register. */
export async function myMember(ctx: AppContext, who: Principal): Promise<MemberRow | null> {
  if (who.kind !== "account") return null;
  const [m] = await ctx.database.query<MemberRow>(
    `select ${MEMBER_COLS} from volunteer_members m where m.account_id = $1`,
    [who.id],
  );
  return m ?? null;
}

/** The caller's confirmed member row: a member not yet confirmed by the community cannot claim or redeem. */
export async function confirmedMember(ctx: AppContext, who: Principal): Promise<MemberRow> {
  const m = await myMember(ctx, who);
  if (!m) throw Conflict("请先向社区报到（亮身份）");
  if (m.state === "pending") throw Conflict("您的报到正在等待社区确认");
  if (m.state !== "confirmed") throw Conflict("您的报到未通过社区确认，请修改后重新报到");
  return m;
}

export function notFound(what: string): never {
  throw NotFound(`${what}不存在`);
}

export const voucherCode = () => `GK${crypto.randomBytes(5).toString("hex").toUpperCase()}`;

export interface Settings {
  pointsPerHour: number;
  pointsPerWish: number;
  pointsPerRequest: number;
  quarterlyMinHours: number;
}
export const DEFAULT_SETTINGS: Settings = {
  pointsPerHour: 10,
  pointsPerWish: 20,
  pointsPerRequest: 30,
  quarterlyMinHours: 4,
};

export async function settingsOf(db: Db, communityId: number): Promise<Settings> {
  const [s] = await rows<Settings>(
    db,
    sql`select points_per_hour as "pointsPerHour", points_per_wish as "pointsPerWish",
       points_per_request as "pointsPerRequest", quarterly_min_hours as "quarterlyMinHours"
     from volunteer_settings where community_id = ${communityId}`,
  );
  return s ?? DEFAULT_SETTINGS;
}

export const actorId = (who: Principal) => (who.kind === "account" ? who.id : null);
export const actorName = (who: Principal) => who.displayName;

/** A text[] literal for Drizzle's `sql` (which would spread a JS array into a parameter list). */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}
