import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Day, Id, Int, stdErrors, Type } from "../../platform/schemas.ts";
import { DashboardSchema, HotSpotsSchema } from "./presenter.ts";
import { dashboard, HOT_DAYS, HOT_MIN, listHotSpots } from "./service.ts";

const T = ["command"];

export async function commandRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  app.get(
    "/api/command/dashboard",
    {
      schema: {
        tags: T,
        summary: "指挥中心：单位当前态势、本期与上期对比、下级单位、高频诉求与关爱（只含统计数）",
        querystring: Type.Object(
          { org: Type.Optional(Id), from: Type.Optional(Day), to: Type.Optional(Day) },
          { additionalProperties: false },
        ),
        response: { 200: DashboardSchema, ...stdErrors },
      },
    },
    async (req) => dashboard(ctx, req.actor, req.query),
  );

  app.get(
    "/api/command/hotspots",
    {
      schema: {
        tags: T,
        summary: "高频诉求：同一楼栋（或网格）同类诉求在 N 天内达到 M 件",
        querystring: Type.Object(
          {
            org: Type.Optional(Id),
            days: Int(1, 365, { default: HOT_DAYS }),
            min: Int(2, 1000, { default: HOT_MIN }),
          },
          { additionalProperties: false },
        ),
        response: { 200: HotSpotsSchema, ...stdErrors },
      },
    },
    async (req) => listHotSpots(ctx, req.actor, req.query),
  );
}
