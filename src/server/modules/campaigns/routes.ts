import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { NOTICE_METHODS, OUTCOMES, STATUSES } from "../../../domain/campaigns/outcomes.ts";
import { sendDownload } from "../../platform/download.ts";
import {
  CheckIn,
  Day,
  ErrorBody,
  Id,
  IdParams,
  Int,
  Line,
  OneOf,
  Page,
  PageSize,
  stdErrors,
  Text,
  Type,
} from "../../platform/schemas.ts";
import { SPREADSHEET_TYPES, uploadedFile, XLSX_MIME } from "../../platform/spreadsheet/upload.ts";
import * as campaigns from "./campaigns.ts";
import * as fieldWork from "./field.ts";
import {
  AssignmentBoardSchema,
  CampaignDetailSchema,
  CampaignListSchema,
  FieldSchema,
  HouseholdListSchema,
  HouseholdRecordsSchema,
  MemberSchema,
  ProgressSchema,
  Questions,
  SyncResultSchema,
  UploadSchema,
} from "./presenter.ts";
import * as progress from "./progress.ts";
import * as uploads from "./uploads.ts";

const T = ["campaigns"];
const B = { additionalProperties: false } as const;
const UPLOAD_LIMIT = 20 * 1024 * 1024;
const TAGS = [
  "living_alone",
  "empty_nest",
  "aged_80_plus",
  "disabled_care",
  "severe_disability",
  "chronic_disease",
  "low_income",
  "maternal",
  "left_behind_child",
] as const;

/** A phone's compressed photo, base64: some 100 KB after the canvas; 2 MB is the most a record may carry. */
const PhotoData = Type.String({ maxLength: 2_800_000, pattern: "^[A-Za-z0-9+/=]*$" });
const AnswerValue = Type.Union([
  Type.Number(),
  Type.String({ maxLength: 500 }),
  Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 }),
]);

const SyncRecord = Type.Object(
  {
    clientId: Type.String({ format: "uuid" }),
    campaignId: Id,
    householdId: Id,
    outcome: OneOf(OUTCOMES),
    questionnaireVersion: Int(1, 10_000),
    answers: Type.Record(Type.String({ maxLength: 30 }), AnswerValue, { maxProperties: 50 }),
    deviceTime: Type.String({ format: "date-time" }),
    note: Type.Optional(Text({ maxLength: 500 })),
    location: Type.Optional(CheckIn),
    notice: Type.Optional(
      Type.Object(
        {
          method: OneOf(NOTICE_METHODS),
          to: Type.Optional(Line({ maxLength: 20 })),
          at: Type.Optional(Type.String({ format: "date-time" })),
        },
        B,
      ),
    ),
    photos: Type.Optional(
      Type.Array(Type.Object({ key: Line({ minLength: 1, maxLength: 30 }), data: PhotoData }, B), {
        maxItems: 3,
      }),
    ),
  },
  B,
);

export async function campaignRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  // An uploaded list arrives as the raw body (no multipart plugin), capped at 20 MB; what is in it is decided
  // by its bytes, not its label (platform/spreadsheet).
  app.addContentTypeParser(
    SPREADSHEET_TYPES,
    { parseAs: "buffer", bodyLimit: UPLOAD_LIMIT },
    (_req, body, done) => done(null, body),
  );

  // ——— the street / community ———
  app.post(
    "/api/campaigns/uploads",
    {
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: T,
        summary:
          "上传住户名单（xlsx 或 csv 原始请求体；身份证号或住址列）作为敲门行动的对象：逐行匹配到住户，未匹配的行注明原因",
        description: `Content-Type: ${XLSX_MIME} 或 text/csv，最大 20 MB。有「身份证号」列的行按身份证号找居民所在的户，否则按「住址」找户；在上传单位辖区内匹配。`,
        querystring: Type.Object(
          { org: Type.Optional(Id), filename: Type.Optional(Line({ maxLength: 200 })) },
          B,
        ),
        response: { 201: UploadSchema, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, ...stdErrors },
      },
    },
    async (req, reply) => {
      return reply
        .status(201)
        .send(await uploads.uploadTarget(ctx, req.actor, uploadedFile(req.body, "名单文件"), req.query));
    },
  );
  app.get(
    "/api/campaigns/uploads/:id",
    {
      schema: {
        tags: T,
        summary: "上传的住户名单：行数、匹配到的户数、未匹配的行及原因",
        params: IdParams,
        response: { 200: UploadSchema, ...stdErrors },
      },
    },
    async (req) => uploads.uploadDetail(ctx, req.actor, req.params.id),
  );
  app.get(
    "/api/campaigns/:id/board",
    {
      schema: {
        tags: T,
        summary: "调整分配看板：一个网格的网格员及其住户（拖动或批量改派）",
        params: IdParams,
        querystring: Type.Object({ org: Id }, B),
        response: { 200: AssignmentBoardSchema, ...stdErrors },
      },
    },
    async (req) => campaigns.assignmentBoard(ctx, req.actor, req.params.id, req.query.org),
  );
  app.get(
    "/api/campaigns",
    {
      schema: {
        tags: T,
        summary: "敲门行动列表（本辖区发起的，及上级发起且覆盖本辖区的）",
        response: { 200: CampaignListSchema, ...stdErrors },
      },
    },
    async (req) => ({ items: await campaigns.listCampaigns(ctx, req.actor) }),
  );
  app.post(
    "/api/campaigns",
    {
      schema: {
        tags: T,
        summary:
          "发起敲门行动：范围（网格）、对象（全部住户 / 重点人群 / 核查名单 / 上传的住户名单）、问卷、告知书；住户自动分配到微网格员",
        body: Type.Object(
          {
            name: Line({ minLength: 2, maxLength: 60 }),
            orgUnitId: Id,
            startsOn: Day,
            endsOn: Day,
            gridIds: Type.Array(Id, { minItems: 1, maxItems: 2000 }),
            target: Type.Object(
              {
                kind: OneOf(["all", "tags", "list", "upload"] as const),
                tags: Type.Optional(Type.Array(OneOf(TAGS), { maxItems: 9 })),
                listId: Type.Optional(Id),
                uploadId: Type.Optional(Id),
              },
              B,
            ),
            questions: Questions,
            notice: Type.Optional(
              Type.Object(
                { title: Line({ minLength: 2, maxLength: 60 }), body: Text({ maxLength: 4000 }) },
                B,
              ),
            ),
          },
          B,
        ),
        response: {
          201: Type.Object({ id: Type.Integer(), households: Type.Integer() }),
          ...stdErrors,
        },
      },
    },
    async (req, reply) => reply.status(201).send(await campaigns.launch(ctx, req.actor, req.body)),
  );
  app.get(
    "/api/campaigns/:id",
    {
      schema: {
        tags: T,
        summary: "敲门行动详情：当前问卷、历次版本、覆盖的网格",
        params: IdParams,
        response: { 200: CampaignDetailSchema, ...stdErrors },
      },
    },
    async (req) => campaigns.campaignDetail(ctx, req.actor, req.params.id),
  );
  app.put(
    "/api/campaigns/:id/questionnaire",
    {
      schema: {
        tags: T,
        summary: "修改问卷（生成新版本；已登记的答卷按原版本保留可读）",
        params: IdParams,
        body: Type.Object({ questions: Questions }, B),
        response: { 200: Type.Object({ version: Type.Integer() }), ...stdErrors },
      },
    },
    async (req) => campaigns.reviseQuestionnaire(ctx, req.actor, req.params.id, req.body.questions),
  );
  app.get(
    "/api/campaigns/:id/members",
    {
      schema: {
        tags: T,
        summary: "可接手住户的网格员（及其当前户数）",
        params: IdParams,
        response: { 200: MemberSchema, ...stdErrors },
      },
    },
    async (req) => ({ items: await campaigns.candidates(ctx, req.actor, req.params.id) }),
  );
  app.post(
    "/api/campaigns/:id/reassign",
    {
      schema: {
        tags: T,
        summary:
          "调整分配（拖动一户或批量）：指定住户或微网格（可限原负责人）交给另一名网格员；接手人或任一住户不在范围内 404，全部不调整",
        params: IdParams,
        body: Type.Object(
          {
            householdIds: Type.Optional(Type.Array(Id, { maxItems: 5000 })),
            unitIds: Type.Optional(Type.Array(Id, { maxItems: 2000 })),
            fromMemberId: Type.Optional(Id),
            toMemberId: Id,
          },
          B,
        ),
        response: {
          200: Type.Object({
            moved: Type.Integer(),
            to: Type.Object({ id: Type.Integer(), name: Type.String() }),
          }),
          ...stdErrors,
        },
      },
    },
    async (req) => campaigns.reassign(ctx, req.actor, req.params.id, req.body),
  );
  app.get(
    "/api/campaigns/:id/progress",
    {
      schema: {
        tags: T,
        summary: "进度：街道 → 社区 → 网格 → 网格员（目标、已入户、完成、待复访、拒绝），每日趋势",
        params: IdParams,
        querystring: Type.Object({ org: Type.Optional(Id) }, B),
        response: { 200: ProgressSchema, ...stdErrors },
      },
    },
    async (req) => progress.progress(ctx, req.actor, req.params.id, req.query.org),
  );
  app.get(
    "/api/campaigns/:id/households",
    {
      schema: {
        tags: T,
        summary: "行动中的住户（可按状态、多人登记筛选）",
        params: IdParams,
        querystring: Type.Object(
          {
            org: Type.Optional(Id),
            status: Type.Optional(OneOf(STATUSES)),
            flagged: Type.Optional(Type.Boolean()),
            page: Page,
            pageSize: PageSize(200, 50),
          },
          B,
        ),
        response: { 200: HouseholdListSchema, ...stdErrors },
      },
    },
    async (req) =>
      progress.households(ctx, req.actor, req.params.id, {
        orgId: req.query.org,
        status: req.query.status,
        flagged: req.query.flagged,
        page: req.query.page ?? 1,
        pageSize: req.query.pageSize ?? 50,
      }),
  );
  app.get(
    "/api/campaigns/:id/households/:householdId/records",
    {
      schema: {
        tags: T,
        summary: "一户的全部入户记录（按登记时的问卷版本显示）",
        params: Type.Object({ id: Id, householdId: Id }),
        response: { 200: HouseholdRecordsSchema, ...stdErrors },
      },
    },
    async (req) => progress.householdRecords(ctx, req.actor, req.params.id, req.params.householdId),
  );
  app.get(
    "/api/campaigns/:id/export",
    {
      schema: {
        tags: T,
        summary: "导出住户进度和入户记录（xlsx；告知书签收人姓名脱敏；记入审计）",
        params: IdParams,
      },
    },
    async (req, reply) => {
      const file = await progress.exportResults(ctx, req.actor, req.params.id);
      return sendDownload(reply, { kind: "xlsx", filename: file.filename, body: file.body });
    },
  );
  app.get(
    "/api/campaigns/photos/:id",
    {
      schema: { tags: T, summary: "入户记录的照片（告知书签收照、题目照片）", params: IdParams },
    },
    async (req, reply) => {
      const p = await progress.photo(ctx, req.actor, req.params.id);
      reply.header("content-type", p.type);
      reply.header("cache-control", "private, max-age=3600");
      return reply.send(p.data);
    },
  );

  // ——— the member at the door ———
  app.get(
    "/api/campaigns/field",
    {
      schema: {
        tags: T,
        summary: "我的入户任务：进行中的行动、问卷、告知书和按楼栋/单元/楼层排好的住户（离线缓存用）",
        response: { 200: FieldSchema, ...stdErrors },
      },
    },
    async (req) => fieldWork.field(ctx, req.actor),
  );
  app.post(
    "/api/campaigns/sync",
    {
      bodyLimit: 24 * 1024 * 1024,
      schema: {
        tags: T,
        summary:
          "同步手机离线登记的入户记录：按 clientId 幂等（重发只存一次）；不在本人任务中的住户 404；照片不是图片 400；整批要么全存要么不存",
        body: Type.Object({ records: Type.Array(SyncRecord, { minItems: 1, maxItems: 100 }) }, B),
        response: { 200: SyncResultSchema, ...stdErrors },
      },
    },
    async (req) => fieldWork.sync(ctx, req.actor, req.body.records),
  );
}
