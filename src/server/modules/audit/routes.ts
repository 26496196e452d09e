import type { FastifyInstance } from "fastify";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { authorize } from "../../platform/policy.ts";
import { stdErrors } from "../../platform/schemas.ts";

export async function auditRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { entity?: string; entityId?: string; action?: string; limit: number } }>(
    "/api/audit",
    {
      schema: {
        tags: ["audit"],
        summary: "审计日志（本辖区内的写操作与敏感信息查看）",
        querystring: {
          type: "object",
          properties: {
            entity: { type: "string", maxLength: 40 },
            entityId: { type: "string", maxLength: 40 },
            action: { type: "string", maxLength: 40 },
            limit: { type: "integer", minimum: 1, maximum: 200, default: 50 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: { type: "object", additionalProperties: true } } },
          },
          ...stdErrors,
        },
      },
    },
    async (req) => {
      authorize(req.actor, "audit.read");
      const params: unknown[] = [subtreePattern(req.actor.orgPath)];
      const conds = ["org_path like $1"];
      for (const k of ["entity", "action"] as const) {
        if (req.query[k]) conds.push(`${k} = $${params.push(req.query[k])}`);
      }
      if (req.query.entityId) conds.push(`entity_id = $${params.push(req.query.entityId)}`);
      const items = await app.ctx.database.query(
        `select id, at, username, action, entity, entity_id as "entityId", reason, before, after from audit_events
         where ${conds.join(" and ")} order by id desc limit ${req.query.limit}`,
        params,
      );
      return { items };
    },
  );
}
