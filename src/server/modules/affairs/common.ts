import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Invalid, NotFound } from "../../platform/errors.ts";
import { cleanPhoto } from "../../platform/photos.ts";

export type Tx = Db;

export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const r = (await db.execute(query)) as unknown as { rows: T[] };
  return r.rows;
}

export function inTx<T>(ctx: AppContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.database.db.transaction(async (t) => fn(t as unknown as Tx));
}

export const pattern = (who: Pick<Principal, "orgPath">) => subtreePattern(who.orgPath);
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
  what: string,
): Promise<Unit> {
  const [u] = await ctx.database.query<Unit>(
    "select id, kind, name, path from org_units where id = $1 and path like $2",
    [id, pattern(who)],
  );
  if (!u || !kinds.includes(u.kind))
    throw Invalid(`${field} 不存在或不是${what}`, [{ field, message: `单位不存在或不是${what}` }]);
  return u;
}

export function notFound(what: string): never {
  throw NotFound(`${what}不存在`);
}

/** Today in Shanghai, YYYY-MM-DD. */
export const shanghaiDay = (now = new Date()) =>
  new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** Keeps a photo (decoded and re-encoded) for one of the module's records, audited. */
export async function keepPhoto(
  ctx: AppContext,
  who: Principal,
  entity: "project_update" | "key_project_report" | "inspection",
  entityId: number,
  orgPath: string,
  body: unknown,
) {
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw Invalid("请上传照片", [{ field: "body", message: "请上传照片" }]);
  const photo = await cleanPhoto(body);
  return inTx(ctx, async (tx) => {
    const [p] = await rows<{ id: number }>(
      tx,
      sql`insert into affairs_photos (entity, entity_id, org_path, data, type, created_by)
        values (${entity}, ${entityId}, ${orgPath}, ${photo.data}, ${photo.type}, ${actorId(who)}) returning id`,
    );
    await audit.record(tx, who, { action: "photo", entity, entityId, orgPath, after: { photoId: p.id } });
    return { id: p.id };
  });
}

/** Photo ids per record, for presenting. */
export async function photoIds(
  ctx: AppContext,
  entity: string,
  ids: number[],
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  if (ids.length === 0) return out;
  const ps = await ctx.database.query<{ id: number; entityId: number }>(
    `select id, entity_id as "entityId" from affairs_photos where entity = $1 and entity_id = any($2::int[]) order by id`,
    [entity, ids],
  );
  for (const p of ps) out.set(p.entityId, [...(out.get(p.entityId) ?? []), p.id]);
  return out;
}
