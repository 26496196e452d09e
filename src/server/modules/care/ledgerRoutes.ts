import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { KEY_TAGS } from "../../../domain/people/generate.ts";
import { sendDownload } from "../../platform/download.ts";
import { authorize } from "../../platform/policy.ts";
import { Id, IdParams, Int, OneOf, Page, PageSize, Text, Type } from "../../platform/schemas.ts";
import { addTag, exportLedger, ledgerSummary, listLedger, removeTag, tagEvidence } from "./ledger.ts";
import { ledgerImportRoutes } from "./ledgerImportRoutes.ts";
import { carePolicy } from "./policy.ts";
import {
  FileSchema,
  LedgerPageSchema,
  LedgerSummarySchema,
  TagAssignmentSchema,
  TagEvidenceSchema,
  TagsAfterRemovalSchema,
} from "./presenter.ts";
import { careErrors as errors, T } from "./schemas.ts";

// 重点人群台账: the ledger of key residents, their tags with evidence, its export and import.

const Tag = OneOf(KEY_TAGS);
const ledgerFilter = {
  org: Type.Optional(Id),
  tag: Type.Optional(Tag),
  notVisitedDays: Type.Optional(Int(0, 3650)),
};

export async function ledgerRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  await app.register(ledgerImportRoutes);

  app.get(
    "/api/care/ledger/summary",
    {
      schema: {
        tags: T,
        summary: "重点人群台账：各网格分类统计（含一周未走访）",
        querystring: Type.Object({ org: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: LedgerSummarySchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "read");
      return ledgerSummary(ctx, req.actor, req.query.org);
    },
  );

  app.get(
    "/api/care/ledger",
    {
      schema: {
        tags: T,
        summary: "重点人群名单：按组织、标签、未走访天数筛选",
        querystring: Type.Object(
          { ...ledgerFilter, page: Page, pageSize: PageSize(100, 20) },
          { additionalProperties: false },
        ),
        response: { 200: LedgerPageSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "read");
      return listLedger(ctx, req.actor, req.query);
    },
  );

  app.get(
    "/api/care/ledger/export",
    {
      schema: {
        tags: T,
        summary: "导出重点人群台账 (xlsx，证件号脱敏)",
        querystring: Type.Object(ledgerFilter, { additionalProperties: false }),
        response: { 200: FileSchema, ...errors },
      },
    },
    async (req, reply) => {
      carePolicy.authorize(req.actor, "read");
      authorize(req.actor, "resident.export");
      const stream = await exportLedger(ctx, req.actor, req.query);
      return sendDownload(reply, { kind: "xlsx", filename: "care-ledger.xlsx", body: stream });
    },
  );

  app.get(
    "/api/care/residents/:id/tags",
    {
      schema: {
        tags: T,
        summary: "居民的人群标签及依据（谁、何时、来源）",
        params: IdParams,
        response: { 200: TagEvidenceSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "read");
      return tagEvidence(ctx, req.actor, req.params.id);
    },
  );

  app.post(
    "/api/care/residents/:id/tags",
    {
      schema: {
        tags: T,
        summary: "为居民添加人群标签（记录依据，审计）",
        params: IdParams,
        body: Type.Object(
          {
            tag: Tag,
            note: Type.Optional(Text({ maxLength: 200 })),
            source: Type.Optional(OneOf(["manual", "visit", "registry"] as const)),
          },
          { additionalProperties: false },
        ),
        response: { 201: TagAssignmentSchema, ...errors },
      },
    },
    async (req, reply) => {
      carePolicy.authorize(req.actor, "write");
      return reply.status(201).send(await addTag(ctx, req.actor, req.params.id, req.body));
    },
  );

  app.delete(
    "/api/care/residents/:id/tags/:tag",
    {
      schema: {
        tags: T,
        summary: "移除居民的人群标签（保留历史，审计）",
        params: Type.Object({ id: Id, tag: Tag }),
        querystring: Type.Object(
          { note: Type.Optional(Text({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: TagsAfterRemovalSchema, ...errors },
      },
    },
    async (req) => {
      carePolicy.authorize(req.actor, "write");
      return removeTag(ctx, req.actor, req.params.id, req.params.tag, req.query.note?.trim() || null);
    },
  );
}
