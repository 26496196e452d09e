import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import {
  Id,
  IdParams,
  IntOrNull,
  OneOf,
  Str,
  StrOrNull,
  stdErrors,
  Text,
  Time,
  TimeOrNull,
  Type,
} from "../../platform/schemas.ts";
import { decideProposal, listProposals } from "./proposals.ts";

const T = ["care"];
const B = { additionalProperties: false } as const;

const ProposalSchema = Type.Object({
  id: Type.Integer(),
  householdId: Type.Integer(),
  address: Str,
  tag: Str,
  tagLabel: Str,
  source: Str,
  note: StrOrNull,
  proposedByName: Str,
  state: Str,
  decidedByName: StrOrNull,
  decidedAt: TimeOrNull,
  decisionNote: StrOrNull,
  residentId: IntOrNull,
  createdAt: Time,
  residents: Type.Array(
    Type.Object({ id: Type.Integer(), name: Str, birthDate: StrOrNull, hasTag: Type.Boolean() }),
  ),
});

// 标签建议: tags proposed from outside the ledger (a campaign's answer at the door), confirmed or rejected here.
export async function proposalRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  app.get(
    "/api/care/tag-proposals",
    {
      schema: {
        tags: T,
        summary: "待确认的人群标签建议（如敲门行动入户发现「独居」），附该户居民供选择",
        querystring: Type.Object(
          { state: Type.Optional(OneOf(["proposed", "confirmed", "rejected"] as const)) },
          B,
        ),
        response: { 200: Type.Object({ items: Type.Array(ProposalSchema) }), ...stdErrors },
      },
    },
    async (req) => ({ items: await listProposals(ctx, req.actor, req.query.state ?? "proposed") }),
  );
  app.post(
    "/api/care/tag-proposals/:id/decision",
    {
      schema: {
        tags: T,
        summary: "确认（为该户某位居民加上标签，来源：走访核实）或驳回标签建议；已处理的 409",
        params: IdParams,
        body: Type.Object(
          {
            decision: OneOf(["confirm", "reject"] as const),
            residentId: Type.Optional(Id),
            note: Type.Optional(Text({ maxLength: 500 })),
          },
          B,
        ),
        response: {
          200: Type.Object({
            id: Type.Integer(),
            state: Str,
            residentId: IntOrNull,
            tagAdded: Type.Boolean(),
          }),
          ...stdErrors,
        },
      },
    },
    async (req) => decideProposal(ctx, req.actor, req.params.id, req.body),
  );
}
