import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import {
  Id,
  Items,
  Line,
  Str,
  StrOrNull,
  stdErrors,
  Time,
  TimeOrNull,
  Type,
} from "../../platform/schemas.ts";
import { createLink, listLinks } from "./upstream.ts";

/** A link as staff see it: never the api key (kept encrypted, sent only to the upstream). */
export const UpstreamLinkSchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  baseUrl: Str,
  jurisdictionId: Str,
  orgUnitId: Type.Integer(),
  orgName: Str,
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
        jurisdictionId: l.jurisdictionId,
        orgUnitId: l.orgUnitId,
        orgName: l.orgName,
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
            name: Line({ minLength: 1, maxLength: 60 }),
            baseUrl: Line({ minLength: 8, maxLength: 300 }),
            apiKey: Line({ minLength: 1, maxLength: 200 }),
            jurisdictionId: Line({ minLength: 1, maxLength: 40 }),
            orgUnitId: Id,
            defaultCategory: Line({ minLength: 1, maxLength: 40 }),
            since: Type.Optional(Line({ maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send({ id: await createLink(ctx, req.actor, req.body) }),
  );
}
