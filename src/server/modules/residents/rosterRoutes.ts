import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { sendDownload } from "../../platform/download.ts";
import { RevealQuery } from "../../platform/reveal.ts";
import {
  ErrorBody,
  Id,
  IdParams,
  Items,
  Line,
  OneOf,
  Page,
  PageSize,
  Str,
  StrOrNull,
  Strs,
  stdErrors,
  Time,
  TimeOrNull,
  Type,
} from "../../platform/schemas.ts";
import {
  mappingSchema,
  SheetPreviewSchema,
  SPREADSHEET_TYPES,
  uploadedFile,
  XLSX_MIME,
} from "../../platform/spreadsheet/upload.ts";
import { flaggedRowsFile } from "./rosterFlagged.ts";
import {
  cancelRoster,
  createRoster,
  decideConflict,
  getRoster,
  listConflicts,
  listRosters,
  previewRoster,
  ROSTER_FIELDS,
  ROSTER_STATES,
  startRoster,
} from "./rosterImport.ts";

/** A community's roster: a few thousand rows, well under this. */
const UPLOAD_LIMIT = 20 * 1024 * 1024;
const T = ["residents"];

const MappingSchema = mappingSchema(ROSTER_FIELDS);
const PreviewSchema = SheetPreviewSchema;
const SummarySchema = Type.Object({
  rows: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  conflicts: Type.Integer(),
  flagged: Type.Integer(),
  skipped: Type.Integer(),
  skippedBy: Type.Record(Type.String(), Type.Integer()),
});
const RosterSchema = Type.Object({
  id: Type.Integer(),
  orgUnitId: Type.Integer(),
  filename: StrOrNull,
  state: OneOf(ROSTER_STATES),
  jobId: Type.Union([Type.Integer(), Type.Null()]),
  total: Type.Integer(),
  done: Type.Integer(),
  error: StrOrNull,
  summary: SummarySchema,
  flags: Type.Array(
    Type.Object({ n: Type.Integer(), reasons: Strs, imported: Type.Optional(Type.Boolean()) }),
  ),
  createdAt: Time,
});
const RosterListSchema = Type.Object({
  total: Type.Integer(),
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      orgUnitId: Type.Integer(),
      orgName: Str,
      filename: StrOrNull,
      state: OneOf(ROSTER_STATES),
      total: Type.Integer(),
      done: Type.Integer(),
      summary: SummarySchema,
      ownerName: Str,
      createdAt: Time,
    }),
  ),
});
const ConflictSchema = Type.Object({
  id: Type.Integer(),
  importId: Type.Integer(),
  n: Type.Integer(),
  residentId: Type.Integer(),
  residentName: Str,
  kind: OneOf(["name", "household", "community"] as const),
  registryValue: Str,
  rosterValue: Str,
  state: OneOf(["open", "applied", "kept"] as const),
  decidedByName: StrOrNull,
  decidedAt: TimeOrNull,
});

/** The roster import's routes (its own plugin: the raw-body parser stays here). */
export async function rosterRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  app.addContentTypeParser(
    SPREADSHEET_TYPES,
    { parseAs: "buffer", bodyLimit: UPLOAD_LIMIT },
    (_req, body, done) => done(null, body),
  );

  app.post(
    "/api/residents/rosters",
    {
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: T,
        summary: "上传社区居民花名册（xlsx 或 csv 原始请求体），返回表头识别结果供确认",
        description: `Content-Type: ${XLSX_MIME} 或 text/csv。识别「姓名」「身份证号」「手机」「楼栋/幢」「单元」「室/房号」「网格」「与户主关系」等列；确认后调用 start 开始后台导入。`,
        querystring: Type.Object(
          { org: Id, filename: Type.Optional(Line({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: PreviewSchema, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, ...stdErrors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await createRoster(ctx, req.actor, uploadedFile(req.body, "花名册文件"), req.query)),
  );

  app.get(
    "/api/residents/rosters",
    {
      schema: {
        tags: T,
        summary: "本辖区（或其中一个组织）的花名册导入记录，新的在前，分页",
        querystring: Type.Object(
          { org: Type.Optional(Id), page: Page, pageSize: PageSize(100, 20) },
          { additionalProperties: false },
        ),
        response: { 200: RosterListSchema, ...stdErrors },
      },
    },
    async (req) => listRosters(ctx, req.actor, req.query),
  );

  app.get(
    "/api/residents/rosters/:id",
    {
      schema: {
        tags: T,
        summary: "花名册导入进度与结果（新增、更新、未变、冲突、标记、跳过，合计等于读取行数）",
        params: IdParams,
        response: { 200: RosterSchema, ...stdErrors },
      },
    },
    async (req) => getRoster(ctx, req.actor, req.params.id),
  );

  app.get(
    "/api/residents/rosters/:id/preview",
    {
      schema: {
        tags: T,
        summary: "花名册的表头识别与前几行（证件号、电话脱敏）",
        params: IdParams,
        response: { 200: PreviewSchema, ...stdErrors },
      },
    },
    async (req) => previewRoster(ctx, req.actor, req.params.id),
  );

  app.post(
    "/api/residents/rosters/:id/start",
    {
      schema: {
        tags: T,
        summary: "确认列对应关系，清洗全部行并开始后台导入（进度见 GET /api/jobs/{jobId}）",
        params: IdParams,
        body: Type.Object(
          { headerRow: Type.Integer({ minimum: 1, maximum: 1000 }), mapping: MappingSchema },
          { additionalProperties: false },
        ),
        response: {
          202: Type.Object({ id: Type.Integer(), jobId: Type.Integer() }),
          422: ErrorBody,
          ...stdErrors,
        },
      },
    },
    async (req, reply) => reply.status(202).send(await startRoster(ctx, req.actor, req.params.id, req.body)),
  );

  app.post(
    "/api/residents/rosters/:id/cancel",
    {
      schema: {
        tags: T,
        summary: "取消花名册导入：未开始的直接关闭，进行中的在下一批前停止，已写入的保留并计数；已结束为 409",
        params: IdParams,
        response: { 200: RosterSchema, ...stdErrors },
      },
    },
    async (req) => cancelRoster(ctx, req.actor, req.params.id),
  );

  app.get(
    "/api/residents/rosters/:id/flagged.xlsx",
    {
      schema: {
        tags: T,
        summary:
          "下载花名册标记行（xlsx）：原表行号、原表各列、是否导入与中文原因；证件号和手机号脱敏，除非有权限并填写事由；记入审计",
        description: "不含冲突行（冲突在页面上逐条处理）。",
        params: IdParams,
        querystring: Type.Object(
          {
            ...RevealQuery,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const file = await flaggedRowsFile(ctx, req.actor, req.params.id, req.query);
      return sendDownload(reply, { kind: "xlsx", filename: file.filename, body: file.stream });
    },
  );

  app.get(
    "/api/residents/rosters/:id/conflicts",
    {
      schema: {
        tags: T,
        summary: "花名册与登记不一致、待人工决定的记录",
        params: IdParams,
        response: { 200: Items(ConflictSchema), ...stdErrors },
      },
    },
    async (req) => listConflicts(ctx, req.actor, req.params.id),
  );

  app.post(
    "/api/residents/roster-conflicts/:id/decide",
    {
      schema: {
        tags: T,
        summary: "处理一条冲突：采用花名册的值（roster）或保留登记的值（registry）",
        params: IdParams,
        body: Type.Object(
          { choice: OneOf(["roster", "registry"] as const) },
          { additionalProperties: false },
        ),
        response: { 200: ConflictSchema, ...stdErrors },
      },
    },
    async (req) => decideConflict(ctx, req.actor, req.params.id, req.body.choice),
  );
}
