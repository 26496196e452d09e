import type { FastifyInstance } from "fastify";
import { RATE_NAMES, type RateWeights } from "../../../domain/rates/index.ts";
import { stdErrors } from "../../platform/schemas.ts";
import { getWeights, parsePeriod, ratesFor, redBlackList, setWeights } from "./service.ts";

const anyObject = { type: "object", additionalProperties: true } as const;
const dateRe = "^\\d{4}-\\d{2}-\\d{2}$";

export async function rateRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  app.get<{ Querystring: { org?: number; from?: string; to?: string; month?: string } }>(
    "/api/rates",
    {
      schema: {
        tags: ["rates"],
        summary: "五率：响应率、按时办结率、首次办结率、解决率、满意率（含返工率、延期率与分子分母）",
        querystring: {
          type: "object",
          properties: {
            org: { type: "integer", minimum: 1 },
            from: { type: "string", pattern: dateRe },
            to: { type: "string", pattern: dateRe },
            month: { type: "string", pattern: "^\\d{4}-\\d{2}$" },
          },
          additionalProperties: false,
        },
        response: { 200: anyObject, ...stdErrors },
      },
    },
    async (req) => {
      const period = parsePeriod(req.query.from, req.query.to, req.query.month);
      return ratesFor(ctx, req.actor, req.query.org ?? req.actor.orgUnitId, period);
    },
  );

  app.get<{ Querystring: { month: string; top: number; bottom: number } }>(
    "/api/rates/ranking",
    {
      schema: {
        tags: ["rates"],
        summary: "红黑榜：社区按加权得分月度排名",
        querystring: {
          type: "object",
          properties: {
            month: { type: "string", pattern: "^\\d{4}-\\d{2}$" },
            top: { type: "integer", minimum: 0, maximum: 50, default: 5 },
            bottom: { type: "integer", minimum: 0, maximum: 50, default: 5 },
          },
          required: ["month"],
          additionalProperties: false,
        },
        response: { 200: anyObject, ...stdErrors },
      },
    },
    async (req) => redBlackList(ctx, req.actor, req.query.month, req.query.top, req.query.bottom),
  );

  app.get(
    "/api/rates/weights",
    { schema: { tags: ["rates"], summary: "红黑榜权重", response: { 200: anyObject, ...stdErrors } } },
    async () => getWeights(ctx),
  );

  app.put<{ Body: Partial<RateWeights> }>(
    "/api/rates/weights",
    {
      schema: {
        tags: ["rates"],
        summary: "修改红黑榜权重",
        body: {
          type: "object",
          properties: Object.fromEntries(
            RATE_NAMES.map((n) => [n, { type: "number", minimum: 0, maximum: 100 }]),
          ),
          additionalProperties: false,
        },
        response: { 200: anyObject, ...stdErrors },
      },
    },
    async (req) => setWeights(ctx, req.actor, req.body),
  );
}
