import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { sendDownload } from "../../platform/download.ts";
import { ErrorBody, Id, IdParams, Line, OneOf, Type } from "../../platform/schemas.ts";
import { bulkCards, checkCards, residentCard } from "./cards.ts";
import { carePolicy } from "./policy.ts";
import { CardCheckSchema, FileSchema, OnDutySchema, TeamMemberSchema, TeamSchema } from "./presenter.ts";
import { CommunityParams, careErrors as errors, T } from "./schemas.ts";
import { addMember, getTeam, onDutyPublic, setRoster } from "./teams.ts";

// 爱心专班: each community's care team, its roster, the public on-duty page and the contact cards.

const Date10 = Type.String({ maxLength: 10 });

export async function teamRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  app.get(
    "/api/care/teams/:communityId",
    {
      schema: {
        tags: T,
        summary: "爱心专班：成员、排班与缺岗",
        params: CommunityParams,
        querystring: Type.Object(
          { from: Type.Optional(Date10), to: Type.Optional(Date10) },
          { additionalProperties: false },
        ),
        response: { 200: TeamSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "read");
      return getTeam(ctx, req.actor, req.params.communityId, req.query);
    },
  );

  app.post(
    "/api/care/teams/:communityId/members",
    {
      schema: {
        tags: T,
        summary: "添加专班成员（社区工作人员、家庭医生、志愿者、社区民警；工作电话）",
        params: CommunityParams,
        body: Type.Object(
          {
            teamRole: OneOf(["staff", "doctor", "volunteer", "police"] as const),
            name: Line({ maxLength: 30 }),
            phone: Line({ maxLength: 20 }),
            accountId: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        response: { 201: TeamMemberSchema, ...errors },
      },
    },
    async (req, reply) => {
      carePolicy.authorize(req.actor, "manage");
      return reply.status(201).send(await addMember(ctx, req.actor, req.params.communityId, req.body));
    },
  );

  app.put(
    "/api/care/teams/:communityId/roster",
    {
      schema: {
        tags: T,
        summary: "保存排班（替换 from–to 之间的全部班次；白班 08:00–20:00，晚班 20:00–次日 08:00）",
        params: CommunityParams,
        body: Type.Object(
          {
            from: Date10,
            to: Date10,
            entries: Type.Array(
              Type.Object(
                { date: Date10, shift: OneOf(["day", "night"] as const), memberId: Id },
                { additionalProperties: false },
              ),
              { maxItems: 2000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: TeamSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "manage");
      return setRoster(ctx, req.actor, req.params.communityId, req.body);
    },
  );

  app.get(
    "/api/public/care-teams/:communityId/on-duty",
    {
      config: { public: true },
      schema: {
        tags: T,
        summary: "公开：爱心专班当前及下一班值班人员与工作电话（24 小时）",
        security: [],
        params: CommunityParams,
        response: { 200: OnDutySchema, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => onDutyPublic(ctx, req.params.communityId),
  );

  app.get(
    "/api/care/residents/:id/card.pdf",
    {
      schema: {
        tags: T,
        summary: "一人一专班联系卡 (PDF)",
        params: IdParams,
        response: { 200: FileSchema, ...errors },
      },
    },
    async (req, reply) => {
      carePolicy.authorize(req.actor, "read");
      const doc = await residentCard(ctx, req.actor, req.params.id);
      return sendDownload(reply, {
        kind: "pdf",
        filename: `care-card-${req.params.id}.pdf`,
        inline: true,
        body: doc,
      });
    },
  );

  app.get(
    "/api/care/cards/check",
    {
      schema: {
        tags: T,
        summary: "打印前检查联系卡：缺少网格员、家庭医生、工作电话或社区值班电话的卡片",
        querystring: Type.Object({ grid: Id }, { additionalProperties: false }),
        response: { 200: CardCheckSchema, ...errors },
      },
    },
    async (req) => checkCards(ctx, req.actor, req.query.grid),
  );

  app.get(
    "/api/care/cards.pdf",
    {
      schema: {
        tags: T,
        summary: "批量打印联系卡：网格（或社区）内每位重点人群一页",
        querystring: Type.Object({ grid: Id }, { additionalProperties: false }),
        response: { 200: FileSchema, ...errors },
      },
    },
    async (req, reply) => {
      carePolicy.authorize(req.actor, "read");
      const doc = await bulkCards(ctx, req.actor, req.query.grid);
      return sendDownload(reply, { kind: "pdf", filename: `care-cards-${req.query.grid}.pdf`, body: doc });
    },
  );
}
