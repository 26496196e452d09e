import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Int, Line, stdErrors, Type } from "../../platform/schemas.ts";
import { AuditListSchema } from "./presenter.ts";
import { listAudit } from "./service.ts";

export async function auditRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/api/audit",
    {
      schema: {
        tags: ["audit"],
        summary: "审计日志（本辖区内的写操作与敏感信息查看）",
        querystring: Type.Object(
          {
            entity: Type.Optional(Line({ maxLength: 40 })),
            entityId: Type.Optional(Line({ maxLength: 40 })),
            action: Type.Optional(Line({ maxLength: 40 })),
            limit: Int(1, 200, { default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: AuditListSchema, ...stdErrors },
      },
    },
    async (req) => listAudit(app.ctx, req.actor, req.query),
  );
}
