import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { VISIT_FREQUENCIES } from "../../../domain/care/plans.ts";
import { Id, IdParams, OneOf, Type } from "../../platform/schemas.ts";
import { carePolicy } from "./policy.ts";
import { CareConfigSchema, DueListSchema, PlanSchema, STAFF_ROLES, StaffListSchema } from "./presenter.ts";
import { CommunityParams, careErrors as errors, limitQuery, T } from "./schemas.ts";
import { listStaff } from "./staff.ts";
import { dueVisits, getCareConfig, getPlan, setCareConfig, updatePlan } from "./visits.ts";

// Care plans: who visits whom how often, the due list ("today's visits"), and a community's frequencies.

const IdOrNull = Type.Unsafe<number | null>({ type: ["integer", "null"], minimum: 1 });

export async function planRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  app.get(
    "/api/care/residents/:id/plan",
    {
      schema: {
        tags: T,
        summary: "居民关爱计划与走访状态",
        params: IdParams,
        response: { 200: PlanSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "read");
      return getPlan(ctx, req.actor, req.params.id);
    },
  );

  app.put(
    "/api/care/residents/:id/plan",
    {
      schema: {
        tags: T,
        summary: "调整关爱计划：走访频次、责任网格员、家庭医生",
        params: IdParams,
        body: Type.Object(
          {
            frequencyOverride: Type.Optional(
              Type.Unsafe<string | null>({ type: ["string", "null"], enum: [...VISIT_FREQUENCIES, null] }),
            ),
            assignedWorkerId: Type.Optional(IdOrNull),
            doctorId: Type.Optional(IdOrNull),
          },
          { additionalProperties: false },
        ),
        response: { 200: PlanSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "write");
      // Who looks after whom is the community's and the grid head's call, not the assignee's own.
      if (req.body.assignedWorkerId !== undefined || req.body.doctorId !== undefined)
        carePolicy.authorize(req.actor, "assign");
      return updatePlan(ctx, req.actor, req.params.id, req.body);
    },
  );

  app.get(
    "/api/care/staff",
    {
      schema: {
        tags: T,
        summary: "可指派的工作人员：责任网格员、网格长、家庭医生（本辖区内，及覆盖本单位的上级家庭医生）",
        description:
          "org 为居民所在单位时，列出的正是可被指派给该居民的人员。网格员、网格长仅限调用者辖区内；家庭医生含上级单位（如街道社区卫生服务中心）。",
        querystring: Type.Object(
          {
            org: Type.Optional(Id),
            role: Type.Optional(Type.Array(OneOf(STAFF_ROLES), { maxItems: 3 })),
            limit: limitQuery(500, 200),
          },
          { additionalProperties: false },
        ),
        response: { 200: StaffListSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "read");
      return listStaff(ctx, req.actor, req.query);
    },
  );

  app.get(
    "/api/care/visits/due",
    {
      schema: {
        tags: T,
        summary: "待走访/逾期清单（今日走访），按紧急程度排序",
        querystring: Type.Object(
          {
            org: Type.Optional(Id),
            state: Type.Optional(OneOf(["overdue", "due", "due_soon", "scheduled", "all"] as const)),
            mine: Type.Optional(Type.Boolean()),
            limit: limitQuery(5000, 500),
          },
          { additionalProperties: false },
        ),
        response: { 200: DueListSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "read");
      return dueVisits(ctx, req.actor, req.query);
    },
  );

  app.get(
    "/api/care/config/:communityId",
    {
      schema: {
        tags: T,
        summary: "社区走访频次配置（未配置的用默认值）",
        params: CommunityParams,
        response: { 200: CareConfigSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "read");
      return getCareConfig(ctx, req.actor, req.params.communityId);
    },
  );

  app.put(
    "/api/care/config/:communityId",
    {
      schema: {
        tags: T,
        summary: "设置社区走访频次",
        params: CommunityParams,
        body: Type.Object(
          {
            frequencies: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 20 }))),
            dueSoonDays: Type.Optional(Type.Record(Type.String(), Type.Integer())),
          },
          { additionalProperties: false },
        ),
        response: { 200: CareConfigSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "manage");
      return setCareConfig(ctx, req.actor, req.params.communityId, req.body);
    },
  );
}
