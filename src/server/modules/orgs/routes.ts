import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { IdParams, Line, stdErrors, Type } from "../../platform/schemas.ts";
import { PopulationSchema, populationOf } from "../residents/index.ts";
import { areaRoutes } from "./areas.ts";
import { orgPolicy } from "./policy.ts";
import { DutyPhoneSchema, OrgDetailSchema, OrgListSchema } from "./presenter.ts";
import {
  breadcrumb,
  dutyPhoneOf,
  getOrgUnit,
  listChildren,
  searchOrgUnits,
  setDutyPhone,
} from "./service.ts";

const T = ["orgs"];

export async function orgRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  await app.register(areaRoutes);

  app.get(
    "/api/orgs",
    {
      schema: {
        tags: T,
        summary: "组织树：子节点或搜索",
        querystring: Type.Object(
          {
            parent: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
            q: Type.Optional(Line({ maxLength: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: OrgListSchema, ...stdErrors },
      },
    },
    async (req) => {
      orgPolicy.authorize(req.actor, "read");
      const q = req.query.q?.trim();
      const items = q
        ? await searchOrgUnits(ctx, req.actor, q)
        : await listChildren(ctx, req.actor, req.query.parent);
      return { items };
    },
  );

  app.get(
    "/api/orgs/:id",
    {
      schema: {
        tags: T,
        summary: "组织详情与面包屑",
        params: IdParams,
        response: { 200: OrgDetailSchema, ...stdErrors },
      },
    },
    async (req) => {
      orgPolicy.authorize(req.actor, "read");
      const unit = await getOrgUnit(ctx, req.actor, req.params.id);
      const [crumbs, dutyPhone] = await Promise.all([
        breadcrumb(ctx, req.actor, unit.path),
        unit.kind === "community" ? dutyPhoneOf(ctx, unit.id) : null,
      ]);
      return { unit, breadcrumb: crumbs, dutyPhone };
    },
  );

  app.put(
    "/api/orgs/:id/duty-phone",
    {
      schema: {
        tags: T,
        summary: "设置社区值班电话（公开值班页和联系卡上显示；空字符串为清除）",
        params: IdParams,
        body: Type.Object({ dutyPhone: Line({ maxLength: 20 }) }, { additionalProperties: false }),
        response: { 200: DutyPhoneSchema, ...stdErrors },
      },
    },
    async (req) => setDutyPhone(ctx, req.actor, req.params.id, req.body.dutyPhone),
  );

  // The counts are the registry's: the resident module answers them through its face.
  app.get(
    "/api/orgs/:id/stats",
    {
      schema: {
        tags: T,
        summary: "组织内人口、户、楼栋与重点人群统计",
        params: IdParams,
        response: { 200: PopulationSchema, ...stdErrors },
      },
    },
    async (req) => populationOf(ctx, req.actor, req.params.id),
  );
}
