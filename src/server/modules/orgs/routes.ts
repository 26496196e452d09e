import type { FastifyInstance } from "fastify";
import { authorize } from "../../platform/policy.ts";
import { idParams, stdErrors } from "../../platform/schemas.ts";
import { breadcrumb, getOrgUnit, listChildren, orgStats, searchOrgUnits } from "./service.ts";

const nodeSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    kind: { type: "string" },
    code: { type: "string" },
    name: { type: "string" },
    path: { type: "string" },
    parentId: { type: ["integer", "null"] },
    childCount: { type: "integer" },
  },
} as const;
const crumbSchema = {
  type: "array",
  items: {
    type: "object",
    properties: {
      id: { type: "integer" },
      kind: { type: "string" },
      name: { type: "string" },
      code: { type: "string" },
    },
  },
} as const;

export async function orgRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { parent?: number; q?: string } }>(
    "/api/orgs",
    {
      schema: {
        tags: ["orgs"],
        summary: "组织树：子节点或搜索",
        querystring: {
          type: "object",
          properties: { parent: { type: "integer", minimum: 1 }, q: { type: "string", maxLength: 50 } },
          additionalProperties: false,
        },
        response: {
          200: { type: "object", properties: { items: { type: "array", items: nodeSchema } } },
          ...stdErrors,
        },
      },
    },
    async (req) => {
      authorize(req.actor, "org.read");
      const q = req.query.q?.trim();
      const items = q
        ? await searchOrgUnits(app.ctx, req.actor, q)
        : await listChildren(app.ctx, req.actor, req.query.parent);
      return { items };
    },
  );

  app.get<{ Params: { id: number } }>(
    "/api/orgs/:id",
    {
      schema: {
        tags: ["orgs"],
        summary: "组织详情与面包屑",
        params: idParams,
        response: {
          200: { type: "object", properties: { unit: nodeSchema, breadcrumb: crumbSchema } },
          ...stdErrors,
        },
      },
    },
    async (req) => {
      authorize(req.actor, "org.read");
      const unit = await getOrgUnit(app.ctx, req.actor, req.params.id);
      return { unit, breadcrumb: await breadcrumb(app.ctx, req.actor, unit.path) };
    },
  );

  app.get<{ Params: { id: number } }>(
    "/api/orgs/:id/stats",
    {
      schema: {
        tags: ["orgs"],
        summary: "组织内人口、户、楼栋与重点人群统计",
        params: idParams,
        response: {
          200: {
            type: "object",
            properties: {
              residents: { type: "integer" },
              households: { type: "integer" },
              buildings: { type: "integer" },
              tags: { type: "object", additionalProperties: { type: "integer" } },
            },
          },
          ...stdErrors,
        },
      },
    },
    async (req) => {
      authorize(req.actor, "resident.read");
      return orgStats(app.ctx, req.actor, req.params.id);
    },
  );
}
