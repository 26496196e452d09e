import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { ErrorBody, Id, Line, stdErrors, Type } from "../../platform/schemas.ts";
import { SPREADSHEET_TYPES, uploadedFile, XLSX_MIME } from "../../platform/spreadsheet/upload.ts";
import { JobSchema } from "../jobs/index.ts";
import { importLedger } from "./ledgerImport.ts";

const IMPORT_LIMIT = 20 * 1024 * 1024;
const T = ["care"];

/** The ledger import's routes, apart from the rest of care so each can change without the other. */
export async function ledgerImportRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  // A ledger arrives as the raw body (no multipart plugin): read into a Buffer, capped at 20 MB. What is in
  // it is decided by its bytes, not its label (platform/spreadsheet).
  app.addContentTypeParser(
    SPREADSHEET_TYPES,
    { parseAs: "buffer", bodyLimit: IMPORT_LIMIT },
    (_req, body, done) => done(null, body),
  );

  app.post(
    "/api/care/ledger/import",
    {
      bodyLimit: IMPORT_LIMIT,
      schema: {
        tags: T,
        summary: "导入老年人/重点人群台账（xlsx 或 csv 原始请求体）：检查无误后转为后台任务，返回任务号",
        description: `Content-Type: ${XLSX_MIME} 或 text/csv。表头：姓名、身份证号、人群类别（或 标签）、备注。有任何错误行时整批不导入（422，逐行说明）；否则 202，按 GET /api/jobs/{id} 查询进度。`,
        querystring: Type.Object(
          { org: Type.Optional(Id), filename: Type.Optional(Line({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 202: JobSchema, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, ...stdErrors },
      },
    },
    async (req, reply) => {
      return reply
        .status(202)
        .send(await importLedger(ctx, req.actor, uploadedFile(req.body, "台账文件"), req.query));
    },
  );
}
