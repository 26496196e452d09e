import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Id, IdParams, OneOf, Text, Type } from "../../platform/schemas.ts";
import { carePolicy, healthPolicy } from "./policy.ts";
import {
  ALERT_STATES,
  AlertListSchema,
  AlertSchema,
  VisitListSchema,
  VisitResultSchema,
} from "./presenter.ts";
import { careErrors as errors, limitQuery, T, VisitBody } from "./schemas.ts";
import { visitPhotoRoutes } from "./visitPhotos.ts";
import { acknowledgeAlert, listAlerts, listVisits, recordVisit } from "./visits.ts";

// Visits (recorded on a phone, idempotent by the client's id), their photos, and the alerts they raise.

export async function visitRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  await app.register(visitPhotoRoutes);

  app.post(
    "/api/care/visits",
    {
      schema: {
        tags: T,
        summary: "记录走访（clientId 幂等：重复提交只存一次；同编号不同内容 409）",
        body: VisitBody,
        response: { 200: VisitResultSchema, 201: VisitResultSchema, ...errors },
      },
    },
    async (req, reply) => {
      carePolicy.authorize(req.actor, "write");
      const r = await recordVisit(ctx, req.actor, req.body);
      return reply.status(r.status as 200 | 201).send(r.body);
    },
  );

  app.get(
    "/api/care/residents/:id/visits",
    {
      schema: {
        tags: T,
        summary: "居民走访记录（含生命体征，读取记入审计）",
        params: IdParams,
        querystring: Type.Object({ limit: limitQuery(500, 100) }, { additionalProperties: false }),
        response: { 200: VisitListSchema, ...errors },
      },
    },
    async (req) => {
      healthPolicy.authorize(req.actor, "read");
      return listVisits(ctx, req.actor, req.params.id, req.query.limit);
    },
  );

  app.get(
    "/api/care/alerts",
    {
      schema: {
        tags: T,
        summary: "走访预警（医生：本人签约居民及未指定医生的预警）",
        querystring: Type.Object(
          {
            org: Type.Optional(Id),
            limit: limitQuery(500, 100),
            state: Type.Optional(OneOf(ALERT_STATES)),
            handledSince: Type.Optional(
              Type.String({ format: "date-time", description: "与 state=open 同用：另含此后已处理的预警" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: AlertListSchema, ...errors },
      },
    },
    async (req) => {
      healthPolicy.authorize(req.actor, "read");
      return listAlerts(ctx, req.actor, req.query);
    },
  );

  app.post(
    "/api/care/alerts/:id/ack",
    {
      schema: {
        tags: T,
        summary: "确认处理预警",
        params: IdParams,
        body: Type.Object({ note: Type.Optional(Text({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: AlertSchema, ...errors },
      },
    },
    async (req) => {
      healthPolicy.authorize(req.actor, "write");
      return acknowledgeAlert(ctx, req.actor, req.params.id, req.body?.note?.trim() || null);
    },
  );
}
