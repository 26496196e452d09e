import type { FastifyInstance } from "fastify";
import { importLedger } from "./ledgerImport.ts";
import { errors, orgQuery } from "./schemas.ts";

const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const IMPORT_LIMIT = 20 * 1024 * 1024;
const T = ["care"];

/** The ledger import's routes, apart from the rest of care so each can change without the other. */
export async function ledgerImportRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  // An xlsx ledger arrives as the raw body (no multipart plugin): read into a Buffer, capped at 20 MB.
  app.addContentTypeParser(XLSX_MIME, { parseAs: "buffer", bodyLimit: IMPORT_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  app.post<{ Querystring: { org?: number; filename?: string }; Body: Buffer }>(
    "/api/care/ledger/import",
    {
      bodyLimit: IMPORT_LIMIT,
      schema: {
        tags: T,
        summary: "导入老年人/重点人群台账 (xlsx 原始请求体；有错误的批次整体不导入)",
        description: `Content-Type: ${XLSX_MIME}. 表头：姓名、身份证号、人群类别（或 标签）、备注。`,
        querystring: {
          type: "object",
          properties: { ...orgQuery, filename: { type: "string", maxLength: 200 } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: {
              rows: { type: "integer" },
              residentsChanged: { type: "integer" },
              tagsAdded: { type: "integer" },
              unchanged: { type: "integer" },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body))
        return reply.status(415).send({
          error: { code: "unsupported_media_type", message: `请以 ${XLSX_MIME} 上传 xlsx 文件` },
        });
      return importLedger(ctx, req.actor, req.body, req.query);
    },
  );
}
