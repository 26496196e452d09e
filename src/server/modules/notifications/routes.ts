import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Int, OneOf, stdErrors, Type } from "../../platform/schemas.ts";
import { NotificationSchema } from "./presenter.ts";
import { listNotifications } from "./service.ts";

export async function notificationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/api/notifications",
    {
      schema: {
        tags: ["notifications"],
        summary: "消息发送记录（派单、预警、超时、回访）",
        querystring: Type.Object(
          {
            state: Type.Optional(OneOf(["pending", "sent", "failed"] as const)),
            limit: Int(1, 500, { default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(NotificationSchema) }), ...stdErrors },
      },
    },
    async (req) => ({ items: await listNotifications(app.ctx, req.actor, req.query) }),
  );
}
