import crypto from "node:crypto";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { Actor, AppContext, ClientPrincipal } from "../../context.ts";
import { scopeWhere } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { readThrough } from "../../platform/cache.ts";
import { Invalid, NotFound } from "../../platform/errors.ts";
import { definePolicy, permits } from "../../platform/policy.ts";
import {
  Id,
  IdParams,
  Items,
  Line,
  type Static,
  Str,
  stdErrors,
  Time,
  TimeOrNull,
  Type,
} from "../../platform/schemas.ts";
import { getOrgUnit } from "../orgs/index.ts";

// Open311 api_keys: each speaks for one org unit; a client with a key acts as that key (a ClientPrincipal,
// named in the audit log as open311:<name>), never as an invented account.

const hashKey = (key: string) => crypto.createHash("sha256").update(key).digest("base64url");

export const keyPolicy = definePolicy<{ manage: undefined }>(
  { manage: (who) => permits(who, "open311.manage") },
  { manage: "当前角色不能管理接口密钥" },
);

export const KeySchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  keyPrefix: Str,
  orgUnitId: Type.Integer(),
  orgName: Str,
  revokedAt: TimeOrNull,
  createdAt: Time,
});
type KeyRow = Static<typeof KeySchema>;

export async function createKey(ctx: AppContext, actor: Actor, rawName: string, orgUnitId: number) {
  keyPolicy.authorize(actor, "manage");
  const name = rawName.trim();
  if (!name) throw Invalid("名称不能为空", [{ field: "name", message: "名称: 不能为空" }]);
  const unit = await getOrgUnit(ctx, actor, orgUnitId);
  const key = `gk_${crypto.randomBytes(24).toString("base64url")}`;
  const [row] = await ctx.database.query<{ id: number }>(
    "insert into open311_keys (name, key_hash, key_prefix, org_unit_id, created_by) values ($1, $2, $3, $4, $5) returning id",
    [name, hashKey(key), key.slice(0, 8), unit.id, actor.id],
  );
  await audit.record(ctx.database.db, actor, {
    action: "create",
    entity: "open311_key",
    entityId: row.id,
    orgPath: unit.path,
    after: { name, prefix: key.slice(0, 8) },
  });
  // The key is shown once; only its hash is kept.
  return { id: row.id, name, key, orgUnitId: unit.id };
}

export async function listKeys(ctx: AppContext, actor: Actor): Promise<KeyRow[]> {
  keyPolicy.authorize(actor, "manage");
  const params: unknown[] = [];
  return ctx.database.query<KeyRow>(
    `select k.id, k.name, k.key_prefix as "keyPrefix", k.org_unit_id as "orgUnitId", u.name as "orgName", k.revoked_at as "revokedAt", k.created_at as "createdAt"
     from open311_keys k join org_units u on u.id = k.org_unit_id where ${scopeWhere(actor, "u.path", params)} order by k.id`,
    params,
  );
}

export async function revokeKey(ctx: AppContext, actor: Actor, id: number) {
  keyPolicy.authorize(actor, "manage");
  const params: unknown[] = [id];
  const [k] = await ctx.database.query<{ path: string }>(
    `select u.path from open311_keys k join org_units u on u.id = k.org_unit_id where k.id = $1 and ${scopeWhere(actor, "u.path", params)}`,
    params,
  );
  if (!k) throw NotFound("密钥不存在");
  await ctx.database.query(
    "update open311_keys set revoked_at = now(), updated_at = now() where id = $1 and revoked_at is null",
    [id],
  );
  await audit.record(ctx.database.db, actor, {
    action: "revoke",
    entity: "open311_key",
    entityId: id,
    orgPath: k.path,
  });
}

/** The client a valid, unrevoked key speaks for, or null. */
export async function clientFor(
  ctx: AppContext,
  key: string | undefined,
  ip?: string,
): Promise<ClientPrincipal | null> {
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
  if (!row) return null;
  return {
    kind: "open311",
    keyId: row.id,
    name: row.name,
    displayName: `Open311 ${row.name}`,
    orgUnitId: row.orgUnitId,
    orgPath: row.path,
    orgName: row.orgName,
    orgKind: row.kind,
    ip,
  };
}

const jurisdictions = readThrough<string, { code: string }>({ max: 4, ttlMs: 60_000 });

/** The jurisdiction this installation serves: the code of its district (the root of the org tree). */
export async function jurisdictionOf(ctx: AppContext): Promise<string | null> {
  const j = await jurisdictions.get(ctx.database, "root", async () => {
    const [r] = await ctx.database.query<{ code: string }>(
      "select code from org_units where kind = 'district' order by depth, id limit 1",
    );
    return r;
  });
  return j?.code ?? null;
}

export async function keyRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  app.post(
    "/api/open311/keys",
    {
      schema: {
        tags: ["open311"],
        summary: "创建 Open311 api_key（只显示一次）",
        body: Type.Object(
          { name: Line({ minLength: 1, maxLength: 60 }), orgUnitId: Id },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.Integer(), name: Str, key: Str, orgUnitId: Type.Integer() }),
          ...stdErrors,
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await createKey(ctx, req.actor, req.body.name, req.body.orgUnitId)),
  );
  app.get(
    "/api/open311/keys",
    {
      schema: {
        tags: ["open311"],
        summary: "Open311 api_key 列表",
        response: { 200: Items(KeySchema), ...stdErrors },
      },
    },
    async (req) => ({ items: await listKeys(ctx, req.actor) }),
  );
  app.delete(
    "/api/open311/keys/:id",
    {
      schema: {
        tags: ["open311"],
        summary: "吊销 Open311 api_key",
        params: IdParams,
        response: { 204: Type.Null(), ...stdErrors },
      },
    },
    async (req, reply) => {
      await revokeKey(ctx, req.actor, req.params.id);
      return reply.status(204).send(null);
    },
  );
}
