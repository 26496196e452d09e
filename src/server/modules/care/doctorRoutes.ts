import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { REFERRAL_STATES } from "../../../domain/care/referrals.ts";
import { Id, IdParams, Line, OneOf, Text, Type } from "../../platform/schemas.ts";
import {
  actOnReferral,
  createContract,
  createReferral,
  getReferral,
  healthTimeline,
  listHospitals,
  listReferrals,
  recordConsultation,
  setHospitals,
} from "./doctors.ts";
import { carePolicy, healthPolicy, referralPolicy } from "./policy.ts";
import {
  ConsultationSchema,
  ContractSchema,
  HealthTimelineSchema,
  HospitalListSchema,
  ReferralDetailSchema,
  ReferralListSchema,
  ReferralSchema,
} from "./presenter.ts";
import { careErrors as errors, limitQuery, T } from "./schemas.ts";

// Family doctors: the health record, sign-up contracts, follow-ups, and two-way referrals with hospitals.

export async function doctorRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  app.get(
    "/api/care/residents/:id/health",
    {
      schema: {
        tags: T,
        summary: "居民健康时间线：走访、预警、随访、转诊、签约（读取记入审计）",
        params: IdParams,
        response: { 200: HealthTimelineSchema, ...errors },
      },
    },
    async (req) => {
      healthPolicy.authorize(req.actor, "read");
      return healthTimeline(ctx, req.actor, req.params.id);
    },
  );

  app.post(
    "/api/care/contracts",
    {
      schema: {
        tags: T,
        summary: "家庭医生签约（签约期重叠 409）",
        body: Type.Object(
          {
            residentId: Id,
            doctorId: Type.Optional(Id),
            servicePackage: Type.String({ maxLength: 40 }),
            start: Type.String({ maxLength: 10 }),
            end: Type.String({ maxLength: 10 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: ContractSchema, ...errors },
      },
    },
    async (req, reply) => {
      healthPolicy.authorize(req.actor, "write");
      return reply.status(201).send(await createContract(ctx, req.actor, req.body));
    },
  );

  app.post(
    "/api/care/consultations",
    {
      schema: {
        tags: T,
        summary: "记录随访/咨询（电话、线上、上门）；带 alertId 时同时处理该预警",
        body: Type.Object(
          {
            residentId: Id,
            mode: Type.String({ maxLength: 20 }),
            summary: Text({ maxLength: 2000 }),
            advice: Type.Optional(Text({ maxLength: 2000 })),
            alertId: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        response: { 201: ConsultationSchema, ...errors },
      },
    },
    async (req, reply) => {
      healthPolicy.authorize(req.actor, "write");
      return reply.status(201).send(await recordConsultation(ctx, req.actor, req.body));
    },
  );

  app.get(
    "/api/care/hospitals",
    { schema: { tags: T, summary: "转诊医院名单", response: { 200: HospitalListSchema, ...errors } } },
    async (req) => {
      carePolicy.authorize(req.actor, "read");
      return listHospitals(ctx, req.actor);
    },
  );

  app.put(
    "/api/care/hospitals",
    {
      schema: {
        tags: T,
        summary: "设置转诊医院名单（区级）",
        body: Type.Object(
          {
            items: Type.Array(
              Type.Object(
                { code: Type.String({ maxLength: 40 }), name: Line({ maxLength: 60 }) },
                { additionalProperties: false },
              ),
              { maxItems: 100 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: HospitalListSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "manageHospitals");
      return setHospitals(ctx, req.actor, req.body.items);
    },
  );

  app.post(
    "/api/care/referrals",
    {
      schema: {
        tags: T,
        summary: "申请转诊（医院须在名单内，否则 422）",
        body: Type.Object(
          {
            residentId: Id,
            hospital: Type.String({ maxLength: 60 }),
            department: Type.Optional(Type.String({ maxLength: 100 })),
            reason: Text({ maxLength: 1000 }),
            greenChannel: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: ReferralSchema, ...errors },
      },
    },
    async (req, reply) => {
      healthPolicy.authorize(req.actor, "read");
      return reply.status(201).send(await createReferral(ctx, req.actor, req.body));
    },
  );

  app.get(
    "/api/care/referrals",
    {
      schema: {
        tags: T,
        summary: "转诊看板：绿色通道优先，先到先办",
        querystring: Type.Object(
          {
            org: Type.Optional(Id),
            limit: limitQuery(500, 100),
            state: Type.Optional(OneOf(REFERRAL_STATES)),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReferralListSchema, ...errors },
      },
    },
    async (req) => {
      referralPolicy.authorize(req.actor, "read");
      return listReferrals(ctx, req.actor, req.query);
    },
  );

  app.get(
    "/api/care/referrals/:id",
    {
      schema: {
        tags: T,
        summary: "转诊详情与流转记录",
        params: IdParams,
        response: { 200: ReferralDetailSchema, ...errors },
      },
    },
    async (req) => {
      referralPolicy.authorize(req.actor, "read");
      return getReferral(ctx, req.actor, req.params.id);
    },
  );

  app.post(
    "/api/care/referrals/:id/actions/:action",
    {
      schema: {
        tags: T,
        summary: "转诊流转：accept / schedule / complete / decline / cancel / return_to_community",
        params: Type.Object({ id: Id, action: Type.String({ maxLength: 40 }) }),
        body: Type.Object(
          {
            version: Type.Optional(Type.Integer({ minimum: 1 })),
            appointmentAt: Type.Optional(Type.String({ maxLength: 40 })),
            note: Type.Optional(Text({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReferralSchema, ...errors },
      },
    },
    async (req) => {
      referralPolicy.authorize(req.actor, "read");
      return actOnReferral(ctx, req.actor, req.params.id, req.params.action, req.body ?? {});
    },
  );
}
