import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { CLASSES, OUTCOMES } from "../../../domain/verification/match.ts";
import { FIELDS } from "../../../domain/verification/rows.ts";
import { sendDownload } from "../../platform/download.ts";
import { RevealQuery } from "../../platform/reveal.ts";
import {
  Day,
  ErrorBody,
  Id,
  IdParams,
  Int,
  Items,
  Line,
  OneOf,
  Page,
  PageSize,
  Str,
  StrOrNull,
  stdErrors,
  Text,
  Type,
} from "../../platform/schemas.ts";
import {
  mappingSchema,
  SheetPreviewSchema,
  SPREADSHEET_TYPES,
  uploadedFile,
  XLSX_MIME,
} from "../../platform/spreadsheet/upload.ts";
import {
  cancelList,
  createList,
  haltLists,
  previewList,
  resumeLists,
  STALE_MS,
  startList,
} from "./imports.ts";
import { applyOutcomeSheet, outcomeSheet } from "./outcomeSheet.ts";
import { CountersSchema, ListSchema, RowSchema } from "./presenter.ts";
import { exportRows, getList, gridProgress, listBatches, listLists, listRows, summary } from "./results.ts";
import { listTasks, recordOutcome } from "./tasks.ts";

/** A list of 400,000 rows is some 40 MB as csv, less as xlsx. */
export const UPLOAD_LIMIT = 100 * 1024 * 1024;
const T = ["verification"];

const MappingSchema = mappingSchema(FIELDS);
const PreviewSchema = SheetPreviewSchema;
const Counts = Type.Record(Type.String(), Type.Integer());
const SummarySchema = Type.Object({
  listId: Type.Integer(),
  rowsRead: Type.Integer(),
  headerRows: Type.Integer(),
  skipped: Type.Array(Type.Object({ reason: Str, label: Str, count: Type.Integer() })),
  classified: Type.Integer(),
  totals: Counts,
  /** The classified rows against the campaign's earlier batches (all new for a first batch). */
  batch: Type.Object({
    campaignId: Type.Integer(),
    batchNo: Type.Integer(),
    new: Type.Integer(),
    unchanged: Type.Integer(),
    changed: Type.Integer(),
  }),
  lines: Type.Array(
    Type.Object({
      streetCode: StrOrNull,
      streetName: StrOrNull,
      communityCode: StrOrNull,
      communityName: StrOrNull,
      counts: Counts,
      total: Type.Integer(),
    }),
  ),
});
const GridsSchema = Items(
  Type.Object({
    gridPath: Str,
    gridName: Str,
    total: Type.Integer(),
    done: Type.Integer(),
    outcomes: CountersSchema,
  }),
);
const Ref = Type.Object({ id: Type.Integer() });
const BatchesSchema = Type.Object({
  campaignId: Type.Integer(),
  items: Type.Array(
    Type.Object({
      ...ListSchema.properties,
      rowsRead: Type.Integer(),
      headerRows: Type.Integer(),
      skipped: Type.Integer(),
      new: Type.Integer(),
      unchanged: Type.Integer(),
      changed: Type.Integer(),
    }),
  ),
});
const SheetReportSchema = Type.Object({
  listId: Type.Integer(),
  rows: Type.Integer(),
  applied: Type.Integer(),
  unchanged: Type.Integer(),
  unfilled: Type.Integer(),
  refused: Type.Integer(),
  problems: Type.Array(Type.Object({ n: Type.Integer(), key: Str, outcome: Str, reason: Str })),
});
const Code = Line({ maxLength: 40 });

export async function verificationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  let sweep: NodeJS.Timeout | undefined;
  // Runs a dead process left continue from their checkpoint (on PGlite this process is the only one).
  app.addHook("onReady", async () => {
    await resumeLists(ctx, ctx.database.kind === "pglite" ? 0 : STALE_MS);
    if (ctx.database.kind === "postgres")
      sweep = setInterval(() => void resumeLists(ctx).catch(() => {}), STALE_MS / 2).unref();
  });
  app.addHook("onClose", async () => {
    clearInterval(sweep);
    await haltLists(ctx);
  });
  app.addContentTypeParser(
    SPREADSHEET_TYPES,
    { parseAs: "buffer", bodyLimit: UPLOAD_LIMIT },
    (_req, body, done) => done(null, body),
  );

  app.post(
    "/api/verification/lists",
    {
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: T,
        summary: "上传核查名单（xlsx 或 csv 原始请求体），返回表头识别结果供确认",
        description: `Content-Type: ${XLSX_MIME} 或 text/csv，最大 100 MB。识别「姓名」「身份证号/证件号码」「手机/联系电话」「住址/现住址」「所属社区」等列；确认后调用 start 开始导入。`,
        querystring: Type.Object(
          {
            org: Type.Optional(Id),
            filename: Type.Optional(Line({ maxLength: 200 })),
            title: Type.Optional(Line({ maxLength: 200 })),
            /** Add the file as the next batch of this list's campaign (only new rows become tasks). */
            batchOf: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        response: { 201: PreviewSchema, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, ...stdErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await createList(ctx, req.actor, uploadedFile(req.body), req.query)),
  );

  app.get(
    "/api/verification/lists",
    {
      schema: {
        tags: T,
        summary: "本辖区的核查名单（含上级导入、涉及本辖区的名单）",
        response: { 200: Items(ListSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: await listLists(ctx, req.actor) }),
  );

  app.get(
    "/api/verification/lists/:id",
    {
      schema: {
        tags: T,
        summary: "核查名单及导入进度（已读行数、已清洗、已匹配）",
        params: IdParams,
        response: { 200: ListSchema, ...stdErrors },
      },
    },
    async (req) => getList(ctx, req.actor, req.params.id),
  );

  app.get(
    "/api/verification/lists/:id/preview",
    {
      schema: {
        tags: T,
        summary: "名单的表头识别与前几行（证件号、电话脱敏）",
        params: IdParams,
        response: { 200: PreviewSchema, ...stdErrors },
      },
    },
    async (req) => previewList(ctx, req.actor, req.params.id),
  );

  app.post(
    "/api/verification/lists/:id/start",
    {
      schema: {
        tags: T,
        summary: "确认列对应关系和核查期限，开始后台导入",
        params: IdParams,
        body: Type.Object(
          { headerRow: Int(1, 1000), mapping: MappingSchema, deadline: Type.Optional(Day) },
          { additionalProperties: false },
        ),
        response: { 202: Ref, ...stdErrors },
      },
    },
    async (req, reply) =>
      reply.status(202).send(await startList(ctx, req.actor, req.params.id, req.body as any)),
  );

  app.post(
    "/api/verification/lists/:id/cancel",
    {
      schema: {
        tags: T,
        summary: "取消导入（已写入的行保留并计数）",
        params: IdParams,
        response: { 200: Ref, ...stdErrors },
      },
    },
    async (req) => cancelList(ctx, req.actor, req.params.id),
  );

  app.get(
    "/api/verification/lists/:id/summary",
    {
      schema: {
        tags: T,
        summary: "分类汇总：按街道、社区，与读取行数、跳过行数相加一致",
        params: IdParams,
        response: { 200: SummarySchema, ...stdErrors },
      },
    },
    async (req) => summary(ctx, req.actor, req.params.id),
  );

  app.get(
    "/api/verification/lists/:id/batches",
    {
      schema: {
        tags: T,
        summary: "同一核查任务的各批名单：每批读取行数 = 表头 + 跳过 + 新增 + 未变 + 有变化",
        params: IdParams,
        response: { 200: BatchesSchema, ...stdErrors },
      },
    },
    async (req) => listBatches(ctx, req.actor, req.params.id),
  );

  app.get(
    "/api/verification/lists/:id/outcome-sheet",
    {
      schema: {
        tags: T,
        summary: "下载本辖区任务的结果回填表（xlsx，证件号和电话脱敏，核查结果为下拉选项；记入审计）",
        params: IdParams,
      },
    },
    async (req, reply) => {
      const file = await outcomeSheet(ctx, req.actor, req.params.id);
      return sendDownload(reply, { kind: "xlsx", filename: file.filename, body: file.body });
    },
  );

  app.post(
    "/api/verification/lists/:id/outcome-sheet",
    {
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: T,
        summary: "上传填好的结果回填表：逐行登记核查结果，拒绝的行附中文原因（已登记的不覆盖）",
        description: `Content-Type: ${XLSX_MIME}（原始请求体）。按「任务编号」「核查结果」「备注」列读取。`,
        params: IdParams,
        querystring: Type.Object(
          { filename: Type.Optional(Line({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: SheetReportSchema, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, ...stdErrors },
      },
    },
    async (req) => applyOutcomeSheet(ctx, req.actor, req.params.id, uploadedFile(req.body), req.query),
  );

  app.get(
    "/api/verification/lists/:id/rows",
    {
      schema: {
        tags: T,
        summary: "汇总下钻：某一类、某社区的行（脱敏），含原因",
        params: IdParams,
        querystring: Type.Object(
          {
            class: Type.Optional(OneOf(CLASSES)),
            community: Type.Optional(Code),
            street: Type.Optional(Code),
            flagged: Type.Optional(Type.Boolean()),
            batch: Type.Optional(OneOf(["new", "unchanged", "changed"] as const)),
            page: Page,
            pageSize: PageSize(200, 50),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(RowSchema) }), ...stdErrors },
      },
    },
    async (req) => listRows(ctx, req.actor, req.params.id, req.query as any),
  );

  app.get(
    "/api/verification/lists/:id/grids",
    {
      schema: {
        tags: T,
        summary: "各网格的核查进度（任务数、已登记结果数、各结果数）",
        params: IdParams,
        response: { 200: GridsSchema, ...stdErrors },
      },
    },
    async (req) => gridProgress(ctx, req.actor, req.params.id),
  );

  app.get(
    "/api/verification/lists/:id/export",
    {
      schema: {
        tags: T,
        summary: "导出核查结果或需处理的行（xlsx；证件号和电话脱敏，除非有权限并填写事由，均记入审计）",
        params: IdParams,
        querystring: Type.Object(
          {
            flagged: Type.Optional(Type.Boolean()),
            ...RevealQuery,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const file = await exportRows(ctx, req.actor, req.params.id, req.query);
      return sendDownload(reply, { kind: "xlsx", filename: file.filename, body: file.body });
    },
  );

  app.get(
    "/api/verification/tasks",
    {
      schema: {
        tags: T,
        summary: "我的核查任务（本网格，未完成的在前）",
        querystring: Type.Object(
          { open: Type.Optional(Type.Boolean()), list: Type.Optional(Id) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ open: Type.Integer(), items: Type.Array(RowSchema) }), ...stdErrors },
      },
    },
    async (req) => listTasks(ctx, req.actor, req.query),
  );

  app.post(
    "/api/verification/tasks/:id/outcome",
    {
      schema: {
        tags: T,
        summary: "登记核查结果（核实在住 / 已离开 / 查无此人 / 拒绝配合 / 其他 + 说明）",
        params: IdParams,
        body: Type.Object(
          { outcome: OneOf(OUTCOMES), note: Type.Optional(Text({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
        response: { 200: RowSchema, ...stdErrors },
      },
    },
    async (req) => recordOutcome(ctx, req.actor, req.params.id, req.body as any),
  );
}
