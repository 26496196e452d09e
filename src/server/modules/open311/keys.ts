import crypto from "node:crypto";
import type { Actor, AppContext } from "../../context.ts";
import { audit } from "../../platform/audit.ts";
import { Invalid, NotFound } from "../../platform/errors.ts";
import { authorize, authorizeScope } from "../../platform/policy.ts";
import { getOrgUnit } from "../orgs/service.ts";

const hashKey = (key: string) => crypto.createHash("sha256").update(key).digest("base64url");

export async function createKey(ctx: AppContext, actor: Actor, rawName: string, orgUnitId: number) {
  authorize(actor, "open311.manage");
  const name = rawName.trim();
  if (!name) throw Invalid("名称不能为空", [{ field: "name", message: "名称: 不能为空" }]);
  const unit = await getOrgUnit(ctx, actor, orgUnitId);
  const key = `gk_${crypto.randomBytes(24).toString("base64url")}`;
  const [row] = await ctx.database.query<{ id: number }>(
    "insert into open311_keys (name, key_hash, key_prefix, org_unit_id, created_by) values ($1, $2, $3, $4, $5) returning id",
    [name, hashKey(key), key.slice(0, 8), unit.id, actor.id],
  );
  await audit(ctx.database.db, actor, {
    action: "create",
    entity: "open311_key",
    entityId: row.id,
    orgPath: unit.path,
    after: { name, prefix: key.slice(0, 8) },
  });
  // The key is shown once; only its hash is kept.
  return { id: row.id, name, key, orgUnitId: unit.id };
}

export async function listKeys(ctx: AppContext, actor: Actor) {
  authorize(actor, "open311.manage");
  return ctx.database.query(
    `select k.id, k.name, k.key_prefix as "keyPrefix", k.org_unit_id as "orgUnitId", u.name as "orgName", k.revoked_at as "revokedAt", k.created_at as "createdAt"
     from open311_keys k join org_units u on u.id = k.org_unit_id where u.path like $1 order by k.id`,
    [`${actor.orgPath}%`],
  );
}

export async function revokeKey(ctx: AppContext, actor: Actor, id: number) {
  authorize(actor, "open311.manage");
  const [k] = await ctx.database.query<{ path: string }>(
    "select u.path from open311_keys k join org_units u on u.id = k.org_unit_id where k.id = $1",
    [id],
  );
  if (!k) throw NotFound("密钥不存在");
  authorizeScope(actor, k.path);
  await ctx.database.query(
    "update open311_keys set revoked_at = now(), updated_at = now() where id = $1 and revoked_at is null",
    [id],
  );
  await audit(ctx.database.db, actor, {
    action: "revoke",
    entity: "open311_key",
    entityId: id,
    orgPath: k.path,
  });
}

/** The unit a valid, unrevoked key speaks for, or null. */
export async function keyScope(ctx: AppContext, key: string | undefined) {
  if (!key) return null;
  const [row] = await ctx.database.query<{
    id: number;
    name: string;
    orgUnitId: number;
    path: string;
    orgName: string;
    kind: string;
  }>(
    `select k.id, k.name, u.id as "orgUnitId", u.path, u.name as "orgName", u.kind from open311_keys k
     join org_units u on u.id = k.org_unit_id where k.key_hash = $1 and k.revoked_at is null`,
    [hashKey(key)],
  );
  return row ?? null;
}
