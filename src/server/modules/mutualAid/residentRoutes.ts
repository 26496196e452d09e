import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { MAX_ATTACHMENT_BYTES } from "../../../domain/files/image.ts";
import { normaliseMobile } from "../../../domain/oneTimeCodes/codes.ts";
import type { ResidentPrincipal } from "../../context.ts";
import { flagPublic } from "../../platform/authHook.ts";
import { AppError, Invalid, Unauthenticated } from "../../platform/errors.ts";
import { acceptPhotoBodies } from "../../platform/photos.ts";
import {
  CheckIn,
  ErrorBody,
  Id,
  IdParams,
  Int,
  Line,
  OneOf,
  Str,
  StrOrNull,
  stdErrors,
  Text,
  Time,
  Type,
} from "../../platform/schemas.ts";
import { DEFAULT_CATEGORIES } from "../workOrders/index.ts";
import * as residentApp from "./app.ts";
import {
  EventSchema,
  MyMedicineSchema,
  MyWishSchema,
  presentEvent,
  presentMyMedicine,
  presentMyWish,
  presentStock,
  StockSchema,
} from "./presenter.ts";
import { profile, RESIDENT_COOKIE, requestCode, residentSession, signIn, signOut } from "./resident.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** A resident-app route reachable without a resident session (asking for a code, signing in). */
    residentOpen?: boolean;
  }
  interface FastifyRequest {
    resident?: ResidentPrincipal;
    residentToken?: string;
  }
}

const T = ["residentApp"];
const B = { additionalProperties: false } as const;
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
const Phone = Line({ minLength: 11, maxLength: 16, pattern: "^[+0-9 -]+$" });
const appErrors = { ...stdErrors, 429: ErrorBody };

/** Categories a resident can pick: the public top-level ones (private matters go through the hotline). */
const APP_CATEGORIES = DEFAULT_CATEGORIES.filter(
  (c) => c.parent === null && (c.visibility ?? "public") === "public",
).map((c) => ({ code: c.code, name: c.name }));
const CATEGORY_CODES = APP_CATEGORIES.map((c) => c.code);

const AppOrderSchema = Type.Object({
  id: Type.Integer(),
  number: Str,
  state: Str,
  stateLabel: Str,
  category: Str,
  description: Str,
  createdAt: Time,
  canRate: Type.Boolean(),
  rated: Type.Boolean(),
  satisfaction: StrOrNull,
  reply: StrOrNull,
  photos: Type.Array(Type.Object({ id: Type.Integer(), mine: Type.Boolean() })),
});
const MyEventSchema = Type.Object({ ...EventSchema.properties, myState: StrOrNull });
const MeSchema = Type.Object({
  displayName: Str,
  communityName: Str,
  csrfToken: Str,
  homeBuildingId: Type.Union([Type.Integer(), Type.Null()]),
  optedOut: Type.Boolean(),
  buildings: Type.Array(Type.Object({ id: Type.Integer(), address: Str })),
  categories: Type.Array(Type.Object({ code: Str, name: Str })),
});

/**
 * The resident app's routes under /api/app/. They are public to the staff gate (a staff session means
 * nothing here) and guarded by this plugin's own gate: a resident session from its own cookie, and the
 * session's CSRF token on writes. Nothing here reads or writes outside what the resident started.
 */
export async function residentRoutes(fastify: FastifyInstance) {
  fastify.addHook("onRoute", flagPublic);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  acceptPhotoBodies(app);

  app.addHook("onRequest", async (req) => {
    if (req.is404 || req.routeOptions.config?.residentOpen === true) return;
    const token = req.cookies[RESIDENT_COOKIE];
    if (!token) throw Unauthenticated("请先用手机验证码登录");
    const s = await residentSession(ctx, token);
    if (!s) throw Unauthenticated("登录已过期，请重新登录");
    if (!SAFE.has(req.method) && req.headers["x-csrf-token"] !== s.csrfToken)
      throw new AppError(403, "csrf", "缺少或无效的 CSRF 令牌，请刷新页面后重试");
    req.resident = { ...s.who, ip: req.ip };
    req.residentToken = token;
  });
  const me = (req: { resident?: ResidentPrincipal }) => req.resident!;

  app.post(
    "/api/app/code",
    {
      config: { residentOpen: true },
      schema: {
        tags: T,
        summary: "获取登录验证码（发送到手机；限频，5 分钟有效）",
        body: Type.Object({ phone: Phone }, B),
        response: { 200: Type.Object({ message: Str }), 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (req) => {
      const phone = normaliseMobile(req.body.phone);
      if (!phone) throw Invalid("手机号格式不正确", [{ field: "phone", message: "请输入 11 位手机号" }]);
      return requestCode(ctx, phone, req.ip);
    },
  );
  app.post(
    "/api/app/sign-in",
    {
      config: { residentOpen: true },
      schema: {
        tags: T,
        summary: "验证码登录（错误 5 次锁定，429 + Retry-After）",
        body: Type.Object(
          { phone: Phone, code: Line({ minLength: 6, maxLength: 6, pattern: "^\\d{6}$" }) },
          B,
        ),
        response: {
          200: Type.Object({ displayName: Str, csrfToken: Str }),
          400: ErrorBody,
          401: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const phone = normaliseMobile(req.body.phone);
      if (!phone) throw Invalid("手机号格式不正确", [{ field: "phone", message: "请输入 11 位手机号" }]);
      const r = await signIn(ctx, phone, req.body.code, req.ip);
      reply.setCookie(RESIDENT_COOKIE, r.token, {
        httpOnly: true,
        sameSite: "strict",
        secure: ctx.config.secureCookies,
        path: "/api/app",
        expires: r.expiresAt,
      });
      return { displayName: r.resident.displayName, csrfToken: r.csrfToken };
    },
  );
  app.post(
    "/api/app/sign-out",
    { schema: { tags: T, summary: "退出登录", response: { 204: Type.Null(), ...appErrors } } },
    async (req, reply) => {
      await signOut(ctx, req.residentToken!, me(req));
      reply.clearCookie(RESIDENT_COOKIE, { path: "/api/app" });
      return reply.status(204).send(null);
    },
  );
  app.get(
    "/api/app/me",
    {
      schema: {
        tags: T,
        summary: "我的账号、社区、楼栋和可选的诉求分类",
        response: { 200: MeSchema, ...appErrors },
      },
    },
    async (req) => {
      const p = await profile(ctx, me(req));
      const s = await residentSession(ctx, req.residentToken!);
      return {
        displayName: p.displayName,
        communityName: p.communityName,
        csrfToken: s!.csrfToken,
        homeBuildingId: p.homeBuildingId,
        optedOut: await residentApp.myOptOut(ctx, me(req)),
        buildings: p.buildings,
        categories: APP_CATEGORIES,
      };
    },
  );
  app.post(
    "/api/app/opt-out",
    {
      schema: {
        tags: T,
        summary: "退订社区群发短信（验证码和工单回执照常发送）",
        body: Type.Object({ optOut: Type.Boolean() }, B),
        response: { 200: Type.Object({ optedOut: Type.Boolean() }), ...appErrors },
      },
    },
    async (req) => ({ optedOut: await residentApp.setMyOptOut(ctx, me(req), req.body.optOut) }),
  );
  app.get(
    "/api/app/mine",
    {
      schema: {
        tags: T,
        summary: "我发起的：诉求（状态、答复、照片）、微心愿、药品申请、活动报名",
        response: {
          200: Type.Object({
            orders: Type.Array(AppOrderSchema),
            wishes: Type.Array(MyWishSchema),
            medicine: Type.Array(MyMedicineSchema),
            events: Type.Array(Type.Object({ ...EventSchema.properties, myState: Str })),
          }),
          ...appErrors,
        },
      },
    },
    async (req) => {
      const m = await residentApp.mine(ctx, me(req));
      return {
        orders: m.orders,
        wishes: m.wishes.map(presentMyWish),
        medicine: m.medicine.map(presentMyMedicine),
        events: m.events.map((e) => ({ ...presentEvent(e), myState: e.myState })),
      };
    },
  );
  app.post(
    "/api/app/reports",
    {
      schema: {
        tags: T,
        summary: "随手拍：反映问题（分类、描述、楼栋或定位）→ 工单",
        body: Type.Object(
          {
            categoryCode: OneOf(CATEGORY_CODES),
            description: Text({ minLength: 2, maxLength: 1000 }),
            buildingId: Type.Optional(Id),
            checkIn: Type.Optional(CheckIn),
          },
          B,
        ),
        response: { 201: Type.Object({ id: Type.Integer(), number: Str }), ...appErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await residentApp.report(ctx, me(req), req.body)),
  );
  app.post(
    "/api/app/reports/:id/photos",
    {
      bodyLimit: MAX_ATTACHMENT_BYTES,
      schema: {
        tags: T,
        summary: "为我的诉求上传照片（按内容识别图片，≤ 10 MB）",
        params: IdParams,
        querystring: Type.Object({ filename: Type.Optional(Line({ maxLength: 200 })) }, B),
        response: {
          201: Type.Object({ id: Type.Integer() }),
          413: ErrorBody,
          415: ErrorBody,
          422: ErrorBody,
          ...appErrors,
        },
      },
    },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body))
        throw new AppError(415, "unsupported_media_type", "只能上传图片（JPEG、PNG、WebP、GIF）");
      return reply
        .status(201)
        .send(
          await residentApp.addPhoto(
            ctx,
            me(req),
            req.params.id,
            req.query.filename ?? "photo",
            req.body as Buffer,
          ),
        );
    },
  );
  app.get(
    "/api/app/photos/:id",
    {
      schema: {
        tags: T,
        summary: "我的诉求的照片",
        params: IdParams,
        response: { 200: Type.Unsafe({ type: "string", format: "binary" }), ...appErrors },
      },
    },
    async (req, reply) => {
      const p = await residentApp.photo(ctx, me(req), req.params.id);
      reply.type(p.mime).header("cache-control", "private, max-age=86400");
      return reply.send(p.stream);
    },
  );
  app.post(
    "/api/app/reports/:id/rating",
    {
      schema: {
        tags: T,
        summary: "评价我的诉求：是否解决、满意度（每单一次）",
        params: IdParams,
        body: Type.Object(
          {
            solved: Type.Boolean(),
            satisfaction: OneOf(["satisfied", "basically_satisfied", "unsatisfied"] as const),
            comment: Type.Optional(Text({ maxLength: 500 })),
          },
          B,
        ),
        response: { 200: Type.Object({ state: Str, stateLabel: Str }), ...appErrors },
      },
    },
    async (req) => residentApp.rate(ctx, me(req), req.params.id, req.body),
  );
  app.post(
    "/api/app/wishes",
    {
      schema: {
        tags: T,
        summary: "许一个微心愿：社区审核后上心愿墙（隐去姓名、电话、门牌），志愿者认领圆梦",
        body: Type.Object(
          { title: Line({ minLength: 2, maxLength: 40 }), detail: Text({ minLength: 2, maxLength: 500 }) },
          B,
        ),
        response: { 201: Type.Object({ id: Type.Integer(), state: Str }), ...appErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await residentApp.makeWish(ctx, me(req), req.body)),
  );
  app.get(
    "/api/app/wishes/:id/photo",
    {
      schema: {
        tags: T,
        summary: "我的微心愿的圆梦照片",
        params: IdParams,
        response: { 200: Type.Unsafe({ type: "string", format: "binary" }), ...appErrors },
      },
    },
    async (req, reply) => {
      const p = await residentApp.wishPhoto(ctx, me(req), req.params.id);
      reply.type(p.type).header("cache-control", "private, max-age=86400");
      return reply.send(p.data);
    },
  );
  app.get(
    "/api/app/medicines",
    {
      schema: {
        tags: T,
        summary: "本社区共享药箱里有没有这种药",
        querystring: Type.Object({ q: Line({ minLength: 1, maxLength: 30 }) }, B),
        response: { 200: Type.Object({ items: Type.Array(StockSchema) }), ...appErrors },
      },
    },
    async (req) => ({ items: (await residentApp.findMedicine(ctx, me(req), req.query.q)).map(presentStock) }),
  );
  app.post(
    "/api/app/medicine-requests",
    {
      schema: {
        tags: T,
        summary: "申请药品：匹配社区药箱，爱心专班 1 小时内送达",
        body: Type.Object(
          {
            medicineName: Line({ minLength: 2, maxLength: 40 }),
            quantity: Int(1, 10),
            note: Type.Optional(Text({ maxLength: 300 })),
          },
          B,
        ),
        response: { 201: Type.Object({ id: Type.Integer(), state: Str }), ...appErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await residentApp.requestMedicine(ctx, me(req), req.body)),
  );
  app.post(
    "/api/app/medicine-requests/:id/confirm",
    {
      schema: {
        tags: T,
        summary: "确认已收到药品",
        params: IdParams,
        response: { 200: Type.Object({ id: Type.Integer(), state: Str }), ...appErrors },
      },
    },
    async (req) => residentApp.confirmMedicine(ctx, me(req), req.params.id),
  );
  app.get(
    "/api/app/events",
    {
      schema: {
        tags: T,
        summary: "可报名的活动（义诊、便民集市、讲座）",
        response: { 200: Type.Object({ items: Type.Array(MyEventSchema) }), ...appErrors },
      },
    },
    async (req) => ({
      items: (await residentApp.eventsForMe(ctx, me(req))).map((e) => ({
        ...presentEvent(e),
        myState: e.myState,
      })),
    }),
  );
  app.post(
    "/api/app/events/:id/signup",
    {
      schema: {
        tags: T,
        summary: "报名活动（满额进入候补）",
        params: IdParams,
        response: { 201: Type.Object({ id: Type.Integer(), state: Str }), ...appErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await residentApp.signUp(ctx, me(req), req.params.id)),
  );
  app.post(
    "/api/app/events/:id/cancel",
    {
      schema: {
        tags: T,
        summary: "取消报名",
        params: IdParams,
        response: {
          200: Type.Object({ state: Str, promotedSignupId: Type.Union([Type.Integer(), Type.Null()]) }),
          ...appErrors,
        },
      },
    },
    async (req) => residentApp.cancelSignUp(ctx, me(req), req.params.id),
  );
}
