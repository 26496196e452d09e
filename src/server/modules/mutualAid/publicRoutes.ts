import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { NotFound } from "../../platform/errors.ts";
import { ErrorBody, Id, OneOf, Type } from "../../platform/schemas.ts";
import { PublicPointSchema, presentPublicPoint } from "./presenter.ts";
import { listPoints, POINT_KINDS } from "./servicePoints.ts";

/** The public service-point directory: places, hours, services and the point's own phone; no person. */
export async function publicRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  app.get(
    "/api/public/service-points",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "服务阵地目录（公开）：党群服务中心、驿站、读书角、共享药箱点",
        querystring: Type.Object(
          { unit: Type.Optional(Id), kind: Type.Optional(OneOf(POINT_KINDS)) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(PublicPointSchema) }),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (req) => {
      let orgPath = "/";
      if (req.query.unit) {
        const [u] = await ctx.database.query<{ path: string }>("select path from org_units where id = $1", [
          req.query.unit,
        ]);
        if (!u) throw NotFound("单位不存在");
        orgPath = u.path;
      }
      const items = await listPoints(ctx, { orgPath }, { kind: req.query.kind, activeOnly: true });
      return { items: items.map(presentPublicPoint) };
    },
  );
}
