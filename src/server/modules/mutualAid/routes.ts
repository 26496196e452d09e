import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { EVENT_KINDS } from "../../../domain/mutualAid/events.ts";
import { REQUEST_STATES } from "../../../domain/mutualAid/medicine.ts";
import {
  Day,
  Id,
  IdParams,
  Int,
  Items,
  Line,
  OneOf,
  stdErrors,
  Text,
  Time,
  Type,
} from "../../platform/schemas.ts";
import * as events from "./events.ts";
import * as medicine from "./medicine.ts";
import * as notices from "./notices.ts";
import {
  BoxDetailSchema,
  BoxSchema,
  EventDetailSchema,
  EventSchema,
  PointSchema,
  presentBox,
  presentEvent,
  presentFigures,
  presentPoint,
  presentReminder,
  presentRequest,
  presentSignup,
  presentStock,
  RequestSchema,
  StateSchema,
  StockSchema,
} from "./presenter.ts";
import * as requests from "./requests.ts";
import * as points from "./servicePoints.ts";

const T = ["mutualAid"];
const B = { additionalProperties: false } as const;
const Created = Type.Object({ id: Type.Integer() });
const Tags = Type.Array(Line({ maxLength: 30, minLength: 1 }), { maxItems: 20 });

/** Staff routes: medicine boxes and requests, the service-point directory, events. */
export async function mutualAidRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  // ——— medicine boxes 共享药箱 ———
  app.get(
    "/api/mutual-aid/boxes",
    {
      schema: {
        tags: T,
        summary: "辖区共享药箱（库存、临期、过期批次数）",
        response: { 200: Items(BoxSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: (await medicine.listBoxes(ctx, req.actor)).map(presentBox) }),
  );
  app.post(
    "/api/mutual-aid/boxes",
    {
      schema: {
        tags: T,
        summary: "在服务阵地设立共享药箱",
        body: Type.Object({ servicePointId: Id, name: Line({ minLength: 2, maxLength: 60 }) }, B),
        response: { 201: Created, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await medicine.createBox(ctx, req.actor, req.body)),
  );
  app.get(
    "/api/mutual-aid/boxes/:id",
    {
      schema: {
        tags: T,
        summary: "药箱详情：在库批次（含有效期状态）和最近出入库记录",
        params: IdParams,
        response: { 200: BoxDetailSchema, ...stdErrors },
      },
    },
    async (req) => {
      const d = await medicine.boxDetail(ctx, req.actor, req.params.id);
      return { box: presentBox(d.box), stock: d.stock.map(presentStock), movements: d.movements };
    },
  );
  app.post(
    "/api/mutual-aid/boxes/:id/donations",
    {
      schema: {
        tags: T,
        summary: "捐赠入箱（同一批号累加；过期药品不能入箱）",
        params: IdParams,
        body: Type.Object(
          {
            medicineName: Line({ minLength: 2, maxLength: 40 }),
            spec: Line({ minLength: 1, maxLength: 40 }),
            batch: Line({ minLength: 1, maxLength: 40 }),
            expiresOn: Day,
            quantity: Int(1, 10_000),
            prescription: Type.Boolean(),
            note: Type.Optional(Text({ maxLength: 200 })),
          },
          B,
        ),
        response: { 201: Type.Object({ id: Type.Integer(), quantity: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await medicine.donate(ctx, req.actor, req.params.id, req.body)),
  );
  app.post(
    "/api/mutual-aid/boxes/:id/dispose-expired",
    {
      schema: {
        tags: T,
        summary: "过期药品处置：该药箱所有过期批次清零并记录",
        params: IdParams,
        response: { 200: Type.Object({ batches: Type.Integer(), units: Type.Integer() }), ...stdErrors },
      },
    },
    async (req) => medicine.disposeExpired(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/mutual-aid/stock/:id/dispense",
    {
      schema: {
        tags: T,
        summary: "药箱现场发放：超出库存或批次过期 409；处方药须医生发放",
        params: IdParams,
        body: Type.Object({ quantity: Int(1, 1000), note: Type.Optional(Text({ maxLength: 200 })) }, B),
        response: { 200: Type.Object({ id: Type.Integer(), quantity: Type.Integer() }), ...stdErrors },
      },
    },
    async (req) => medicine.dispense(ctx, req.actor, req.params.id, req.body),
  );
  app.get(
    "/api/mutual-aid/stock/expiring",
    {
      schema: {
        tags: T,
        summary: "临期预警：N 天内到期（默认 30 天）和已过期未处置的批次",
        querystring: Type.Object({ days: Type.Optional(Int(1, 365)) }, B),
        response: { 200: Items(StockSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: (await medicine.expiring(ctx, req.actor, req.query.days)).map(presentStock) }),
  );
  app.get(
    "/api/mutual-aid/medicines",
    {
      schema: {
        tags: T,
        summary: "药品查询：辖区所有药箱中有货且在有效期内的批次",
        querystring: Type.Object({ q: Line({ minLength: 1, maxLength: 30 }) }, B),
        response: { 200: Items(StockSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: (await medicine.search(ctx, req.actor, req.query.q)).map(presentStock) }),
  );

  // ——— medicine requests ———
  app.get(
    "/api/mutual-aid/requests",
    {
      schema: {
        tags: T,
        summary: "药品申请（未送达的按时限在前）",
        querystring: Type.Object(
          { state: Type.Optional(OneOf(REQUEST_STATES)), open: Type.Optional(Type.Boolean()) },
          B,
        ),
        response: { 200: Items(RequestSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: (await requests.listRequests(ctx, req.actor, req.query)).map(presentRequest) }),
  );
  app.post(
    "/api/mutual-aid/requests",
    {
      schema: {
        tags: T,
        summary: "代居民申请药品：自动匹配辖区有货药箱，1 小时送达时限开始计时",
        body: Type.Object(
          {
            residentId: Id,
            medicineName: Line({ minLength: 2, maxLength: 40 }),
            quantity: Int(1, 100),
            note: Type.Optional(Text({ maxLength: 300 })),
          },
          B,
        ),
        response: { 201: RequestSchema, ...stdErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(presentRequest(await requests.createRequest(ctx, req.actor, req.body))),
  );
  app.get(
    "/api/mutual-aid/requests/:id",
    {
      schema: {
        tags: T,
        summary: "药品申请详情",
        params: IdParams,
        response: { 200: RequestSchema, ...stdErrors },
      },
    },
    async (req) => presentRequest(await requests.getRequest(ctx, req.actor, req.params.id)),
  );
  app.post(
    "/api/mutual-aid/requests/:id/match",
    {
      schema: {
        tags: T,
        summary: "重新匹配药箱",
        params: IdParams,
        response: { 200: RequestSchema, ...stdErrors },
      },
    },
    async (req) => presentRequest(await requests.rematch(ctx, req.actor, req.params.id)),
  );
  const steps = {
    approve: ["医生审核处方药申请", requests.approve],
    claim: ["认领配送（爱心专班值班人员或志愿者）", requests.claim],
    deliver: ["确认送达（药品出箱，时限停止）", requests.deliver],
    confirm: ["确认居民已收到", requests.confirm],
  } as const;
  for (const [action, [summary, act]] of Object.entries(steps))
    app.post(
      `/api/mutual-aid/requests/:id/${action}`,
      { schema: { tags: T, summary, params: IdParams, response: { 200: StateSchema, ...stdErrors } } },
      async (req) => act(ctx, req.actor, req.params.id),
    );
  app.post(
    "/api/mutual-aid/requests/:id/cancel",
    {
      schema: {
        tags: T,
        summary: "取消申请（须写原因）",
        params: IdParams,
        body: Type.Object({ reason: Line({ minLength: 2, maxLength: 200 }) }, B),
        response: { 200: StateSchema, ...stdErrors },
      },
    },
    async (req) => requests.cancel(ctx, req.actor, req.params.id, req.body.reason),
  );

  // ——— service points ———
  app.get(
    "/api/mutual-aid/points",
    {
      schema: {
        tags: T,
        summary: "辖区服务阵地（党群服务中心、驿站、读书角、药箱点）",
        querystring: Type.Object({ kind: Type.Optional(OneOf(points.POINT_KINDS)) }, B),
        response: { 200: Items(PointSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: (await points.staffPoints(ctx, req.actor, req.query)).map(presentPoint) }),
  );
  app.post(
    "/api/mutual-aid/points",
    {
      schema: {
        tags: T,
        summary: "新增服务阵地",
        body: Type.Object(
          {
            kind: OneOf(points.POINT_KINDS),
            name: Line({ minLength: 2, maxLength: 60 }),
            orgUnitId: Id,
            address: Line({ minLength: 2, maxLength: 120 }),
            lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
            long: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
            hours: Line({ minLength: 2, maxLength: 60 }),
            services: Type.Array(Line({ minLength: 1, maxLength: 20 }), { maxItems: 20 }),
            phone: Type.Optional(Line({ maxLength: 20, pattern: "^[0-9-]{7,20}$" })),
          },
          B,
        ),
        response: { 201: Created, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await points.createPoint(ctx, req.actor, req.body)),
  );
  app.post(
    "/api/mutual-aid/points/:id/active",
    {
      schema: {
        tags: T,
        summary: "开放或关闭服务阵地",
        params: IdParams,
        body: Type.Object({ active: Type.Boolean() }, B),
        response: { 200: Type.Object({ id: Type.Integer(), active: Type.Boolean() }), ...stdErrors },
      },
    },
    async (req) => points.setPointActive(ctx, req.actor, req.params.id, req.body.active),
  );

  // ——— events 义诊 · 便民集市 ———
  app.get(
    "/api/mutual-aid/events",
    {
      schema: {
        tags: T,
        summary: "辖区活动（即将开始的在前）",
        querystring: Type.Object({ past: Type.Optional(Type.Boolean()) }, B),
        response: { 200: Items(EventSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: (await events.listEvents(ctx, req.actor, req.query)).map(presentEvent) }),
  );
  app.post(
    "/api/mutual-aid/events",
    {
      schema: {
        tags: T,
        summary: "发布活动：名额、面向人群（辖区或标签）",
        body: Type.Object(
          {
            kind: OneOf(EVENT_KINDS),
            title: Line({ minLength: 2, maxLength: 60 }),
            description: Type.Optional(Text({ maxLength: 1000 })),
            place: Line({ minLength: 2, maxLength: 120 }),
            orgUnitId: Id,
            startsAt: Type.String({ format: "date-time" }),
            endsAt: Type.String({ format: "date-time" }),
            capacity: Int(1, 10_000),
            audienceTags: Tags,
          },
          B,
        ),
        response: { 201: Created, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await events.publishEvent(ctx, req.actor, req.body)),
  );
  app.get(
    "/api/mutual-aid/events/:id",
    {
      schema: {
        tags: T,
        summary: "活动详情：报名、候补、签到和到场率",
        params: IdParams,
        response: { 200: EventDetailSchema, ...stdErrors },
      },
    },
    async (req) => {
      const d = await events.eventDetail(ctx, req.actor, req.params.id);
      return {
        event: presentEvent(d.event),
        signups: d.signups.map(presentSignup),
        figures: presentFigures(d.figures),
        reminders: d.reminders.map(presentReminder),
      };
    },
  );
  app.post(
    "/api/mutual-aid/events/:id/signups",
    {
      schema: {
        tags: T,
        summary: "代居民报名（满额进入候补）",
        params: IdParams,
        body: Type.Object({ residentId: Id }, B),
        response: { 201: StateSchema, ...stdErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await events.signUpFor(ctx, req.actor, req.params.id, req.body.residentId)),
  );
  app.post(
    "/api/mutual-aid/events/:id/cancellations",
    {
      schema: {
        tags: T,
        summary: "代居民取消报名（候补第一位自动转正）",
        params: IdParams,
        body: Type.Object({ residentId: Id }, B),
        response: {
          200: Type.Object({
            state: Type.String(),
            promotedSignupId: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...stdErrors,
        },
      },
    },
    async (req) => events.cancelFor(ctx, req.actor, req.params.id, req.body.residentId),
  );
  app.post(
    "/api/mutual-aid/events/:id/check-ins",
    {
      schema: {
        tags: T,
        summary: "活动签到",
        params: IdParams,
        body: Type.Object({ signupId: Id }, B),
        response: { 200: Type.Object({ id: Type.Integer(), checkedInAt: Time }), ...stdErrors },
      },
    },
    async (req) => events.checkIn(ctx, req.actor, req.params.id, req.body.signupId),
  );

  // ——— mass notices 群发 ———
  const NoticeSchema = Type.Object({
    id: Type.Integer(),
    title: Type.String(),
    template: Type.String(),
    audienceKind: Type.String(),
    audienceTags: Type.Array(Type.String()),
    eventId: Type.Union([Type.Integer(), Type.Null()]),
    ratePerSecond: Type.Integer(),
    state: Type.String(),
    recipients: Type.Integer(),
    duplicates: Type.Integer(),
    optedOut: Type.Integer(),
    sent: Type.Integer(),
    failed: Type.Integer(),
    pending: Type.Integer(),
    createdByName: Type.String(),
    createdAt: Time,
  });
  const presentNotice = (n: notices.NoticeRow) => ({
    id: n.id,
    title: n.title,
    template: n.template,
    audienceKind: n.audienceKind,
    audienceTags: n.audienceTags,
    eventId: n.eventId,
    ratePerSecond: n.ratePerSecond,
    state: n.state,
    recipients: n.recipients,
    duplicates: n.duplicates,
    optedOut: n.optedOut,
    sent: n.sent,
    failed: n.failed,
    pending: n.pending,
    createdByName: n.createdByName,
    createdAt: n.createdAt,
  });
  app.get(
    "/api/mutual-aid/notices",
    {
      schema: {
        tags: T,
        summary: "群发记录（送达、失败、退订、重复号码）",
        response: { 200: Items(NoticeSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: (await notices.listNotices(ctx, req.actor)).map(presentNotice) }),
  );
  app.post(
    "/api/mutual-aid/notices",
    {
      schema: {
        tags: T,
        summary:
          "群发短信：模板变量 {称呼} {社区} {活动} {时间} {地点}；同一号码只发一条，退订号码跳过并计数",
        body: Type.Object(
          {
            title: Line({ minLength: 2, maxLength: 60 }),
            template: Text({ minLength: 2, maxLength: 300 }),
            orgUnitId: Id,
            audience: Type.Object(
              {
                kind: OneOf(["scope", "tags", "event", "campaign"] as const),
                tags: Type.Optional(Tags),
                eventId: Type.Optional(Id),
                campaignId: Type.Optional(Id),
              },
              B,
            ),
            ratePerSecond: Type.Optional(Int(1, 5000)),
          },
          B,
        ),
        response: {
          201: Type.Object({
            id: Type.Integer(),
            recipients: Type.Integer(),
            duplicates: Type.Integer(),
            optedOut: Type.Integer(),
          }),
          ...stdErrors,
        },
      },
    },
    async (req, reply) => {
      const r = await notices.createNotice(ctx, req.actor, req.body);
      notices.kickNotice(ctx, r.id);
      return reply.status(201).send(r);
    },
  );
  app.get(
    "/api/mutual-aid/notices/:id",
    {
      schema: {
        tags: T,
        summary: "群发详情：每位接收人的状态（手机号脱敏）",
        params: IdParams,
        response: {
          200: Type.Object({
            notice: NoticeSchema,
            recipients: Type.Array(
              Type.Object({
                id: Type.Integer(),
                residentName: Type.String(),
                phone: Type.String(),
                state: Type.String(),
                attempts: Type.Integer(),
                sentAt: Type.Union([Time, Type.Null()]),
                lastError: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...stdErrors,
        },
      },
    },
    async (req) => {
      const d = await notices.noticeDetail(ctx, req.actor, req.params.id);
      return {
        notice: presentNotice(d.notice),
        recipients: d.recipients.map((r) => ({
          id: r.id,
          residentName: r.residentName,
          phone: r.phone,
          state: r.state,
          attempts: r.attempts,
          sentAt: r.sentAt,
          lastError: r.lastError,
        })),
      };
    },
  );
  app.post(
    "/api/mutual-aid/notices/:id/send",
    {
      schema: {
        tags: T,
        summary: "继续发送未发出的消息（服务重启后）",
        params: IdParams,
        response: { 202: Type.Object({ id: Type.Integer(), state: Type.String() }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(202).send(await notices.resumeNotice(ctx, req.actor, req.params.id)),
  );
}
