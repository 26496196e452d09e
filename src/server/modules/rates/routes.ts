import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { RateName } from "../../../domain/rates/index.ts";
import { Day, Id, Int, Month, OneOf, stdErrors, Type } from "../../platform/schemas.ts";
import { RankingSchema, RatesReportSchema, WeightsSchema } from "./presenter.ts";
import { parsePeriod, ratesFor, readWeights, redBlackList, setWeights } from "./service.ts";

const T = ["rates"];

export async function rateRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  app.get(
    "/api/rates",
    {
      schema: {
        tags: T,
        summary: "五率：响应率、按时办结率、首次办结率、解决率、满意率（含返工率、延期率与分子分母）",
        querystring: Type.Object(
          {
            org: Type.Optional(Id),
            from: Type.Optional(Day),
            to: Type.Optional(Day),
            month: Type.Optional(Month),
          },
          { additionalProperties: false },
        ),
        response: { 200: RatesReportSchema, ...stdErrors },
      },
    },
    async (req) => {
      const period = parsePeriod(req.query.from, req.query.to, req.query.month);
      return ratesFor(ctx, req.actor, req.query.org ?? req.actor.orgUnitId, period);
    },
  );

  app.get(
    "/api/rates/ranking",
    {
      schema: {
        tags: T,
        summary:
          "红黑榜：街道、社区或网格按加权得分月度排名（不足 6 个不设榜；每榜至多 N 个且不超过三分之一；并列整组进退）",
        querystring: Type.Object(
          {
            month: Month,
            top: Int(0, 50, { default: 5 }),
            bottom: Int(0, 50, { default: 5 }),
            level: Type.Optional(OneOf(["street", "community", "grid"] as const)),
          },
          { additionalProperties: false },
        ),
        response: { 200: RankingSchema, ...stdErrors },
      },
    },
    async (req) =>
      redBlackList(ctx, req.actor, req.query.month, req.query.top, req.query.bottom, req.query.level),
  );

  app.get(
    "/api/rates/weights",
    { schema: { tags: T, summary: "红黑榜权重", response: { 200: WeightsSchema, ...stdErrors } } },
    async (req) => readWeights(ctx, req.actor),
  );

  app.put(
    "/api/rates/weights",
    {
      schema: {
        tags: T,
        summary: "修改红黑榜权重（区级）",
        body: Type.Partial(WeightsSchema, { additionalProperties: false }),
        response: { 200: WeightsSchema, ...stdErrors },
      },
    },
    async (req) => setWeights(ctx, req.actor, req.body as Partial<Record<RateName, number>>),
  );
}
