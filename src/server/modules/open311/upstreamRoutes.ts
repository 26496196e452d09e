import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import {
  Id,
  IdParams,
  Items,
  Line,
  Str,
  StrOrNull,
  stdErrors,
  Time,
  TimeOrNull,
  Type,
} from "../../platform/schemas.ts";
import { createLink, listLinks, updateLink } from "./upstream.ts";

/** A link as staff see it: the api key only masked (kept encrypted, sent only to the upstream). */
export const UpstreamLinkSchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  baseUrl: Str,
  apiKeyMasked: Str,
  jurisdictionId: Str,
  orgUnitId: Type.Integer(),
  orgName: Str,
  defaultCategory: Str,
  pollIntervalMinutes: Type.Integer(),
  enabled: Type.Boolean(),
  pollCursor: Time,
  lastPollAt: TimeOrNull,
  lastPollOkAt: TimeOrNull,
  lastPollError: StrOrNull,
  orders: Type.Integer(),
  pending: Type.Integer(),
  failed: Type.Integer(),
});

/** An order's upstream id and sync state (the order detail's `upstream`, staff only). */
export const UpstreamOfOrderSchema = Type.Union([
  Type.Object({
    platform: Str,
    upstreamId: Str,
    syncState: Type.Union([Type.Literal("synced"), Type.Literal("pending"), Type.Literal("failed")]),
    syncLabel: Str,
    pendingUpdates: Type.Integer(),
    sentUpdates: Type.Integer(),
    lastError: StrOrNull,
    lastSentAt: TimeOrNull,
  }),
  Type.Null(),
]);

// Lengths only: what a value must look like is checked by the service, which names each field in Chinese.
const linkFields = {
  name: Line({ maxLength: 60 }),
  baseUrl: Line({ maxLength: 300 }),
  apiKey: Line({ maxLength: 200 }),
  jurisdictionId: Line({ maxLength: 40 }),
  orgUnitId: Id,
  defaultCategory: Line({ maxLength: 40 }),
  pollIntervalMinutes: Type.Integer({ minimum: -2147483648, maximum: 2147483647 }),
  enabled: Type.Boolean(),
};

export async function upstreamRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  app.get(
    "/api/open311/upstream",
    {
      schema: {
        tags: ["open311"],
        summary: "上级交办对接（12345 平台）与同步状态",
        response: { 200: Items(UpstreamLinkSchema), ...stdErrors },
      },
    },
    async (req) => ({
      items: (await listLinks(ctx, req.actor)).map((l) => ({
        id: l.id,
        name: l.name,
        baseUrl: l.baseUrl,
        apiKeyMasked: l.apiKeyMasked,
        jurisdictionId: l.jurisdictionId,
        orgUnitId: l.orgUnitId,
        orgName: l.orgName,
        defaultCategory: l.defaultCategory,
        pollIntervalMinutes: l.pollIntervalMinutes,
        enabled: l.enabled,
        pollCursor: l.pollCursor,
        lastPollAt: l.lastPollAt,
        lastPollOkAt: l.lastPollOkAt,
        lastPollError: l.lastPollError,
        orders: l.orders,
        pending: l.pending,
        failed: l.failed,
      })),
    }),
  );
  app.post(
    "/api/open311/upstream",
    {
      schema: {
        tags: ["open311"],
        summary: "新建上级交办对接",
        body: Type.Object(
          {
            ...linkFields,
            pollIntervalMinutes: Type.Optional(linkFields.pollIntervalMinutes),
            enabled: Type.Optional(linkFields.enabled),
            since: Type.Optional(Line({ maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send({ id: await createLink(ctx, req.actor, req.body) }),
  );
  app.patch(
    "/api/open311/upstream/:id",
    {
      schema: {
        tags: ["open311"],
        summary: "修改上级交办对接（地址、密钥、辖区、接收单位、轮询间隔、停用；密钥留空则不变）",
        params: IdParams,
        body: Type.Partial(Type.Object(linkFields), { additionalProperties: false }),
        response: { 204: Type.Null(), ...stdErrors },
      },
    },
    async (req, reply) => {
      await updateLink(ctx, req.actor, req.params.id, req.body);
      return reply.status(204).send(null);
    },
  );
}
