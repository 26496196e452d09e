import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { IdParams, Line, OneOf, stdErrors, Text, Type } from "../../platform/schemas.ts";
import { WorkPhoneRevealSchema, WorkPhoneSetSchema } from "./presenter.ts";
import { revealWorkPhone, setWorkPhone } from "./service.ts";

const T = ["accounts"];

export async function accountRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  app.put(
    "/api/accounts/:id/work-phone",
    {
      schema: {
        tags: T,
        summary: "设置工作人员的工作电话（印在联系卡和值班表上；空字符串为清除）",
        params: IdParams,
        body: Type.Object({ workPhone: Line({ maxLength: 20 }) }, { additionalProperties: false }),
        response: { 200: WorkPhoneSetSchema, ...stdErrors },
      },
    },
    async (req) => setWorkPhone(ctx, req.actor, req.params.id, req.body.workPhone),
  );

  app.post(
    "/api/accounts/:id/reveal",
    {
      schema: {
        tags: T,
        summary: "查看工作人员的完整工作电话（需说明理由，记入审计）",
        params: IdParams,
        body: Type.Object(
          { field: OneOf(["workPhone"] as const), reason: Text({ minLength: 2, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: WorkPhoneRevealSchema, ...stdErrors },
      },
    },
    async (req) => revealWorkPhone(ctx, req.actor, req.params.id, req.body.reason.trim()),
  );
}
