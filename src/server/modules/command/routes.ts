import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { sendDownload } from "../../platform/download.ts";
import { Day, ErrorBody, Id, IdParams, Int, Month, OneOf, stdErrors, Type } from "../../platform/schemas.ts";
import { cityMonth, closeCityPool } from "./city.ts";
import { changeCount, endStreams, stopLive, subscribe } from "./live.ts";
import {
  ArchiveSchema,
  CityMonthSchema,
  DashboardSchema,
  HotSpotsSchema,
  MapSchema,
  RecipientsSchema,
} from "./presenter.ts";
import { dailyReport, recordDownload, reportPdf, reportXlsx } from "./report.ts";
import { archivedFile, listArchive, listRecipients, setRecipients } from "./schedule.ts";
import {
  commandMap,
  dashboard,
  HOT_DAYS,
  HOT_MIN,
  listHotSpots,
  liveUnit,
  openGovernanceItem,
} from "./service.ts";

const T = ["command"];

export async function commandRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  app.addHook("preClose", (done) => {
    endStreams(ctx);
    done();
  });
  app.addHook("onClose", async () => {
    await stopLive(ctx);
    await closeCityPool(ctx);
  });

  app.get(
    "/api/command/city",
    {
      schema: {
        tags: T,
        summary:
          "全市汇总：市级汇总库（CITY_DATABASE_URL，各区逻辑复制而来）中各区当月五率、受理办结、志愿服务与敲门行动，并列比较；未配置时 404",
        querystring: Type.Object({ month: Month }, { additionalProperties: false }),
        response: { 200: CityMonthSchema, ...stdErrors, 503: ErrorBody },
      },
    },
    async (req) => cityMonth(ctx, req.actor, req.query.month),
  );

  app.get(
    "/api/command/dashboard",
    {
      schema: {
        tags: T,
        summary: "指挥中心：单位当前态势、本期与上期对比、下级单位、高频诉求与关爱（只含统计数）",
        querystring: Type.Object(
          { org: Type.Optional(Id), from: Type.Optional(Day), to: Type.Optional(Day) },
          { additionalProperties: false },
        ),
        response: { 200: DashboardSchema, ...stdErrors },
      },
    },
    async (req) => dashboard(ctx, req.actor, req.query),
  );

  app.get(
    "/api/command/hotspots",
    {
      schema: {
        tags: T,
        summary: "高频诉求：同一楼栋（或网格）同类诉求在 N 天内达到 M 件",
        querystring: Type.Object(
          {
            org: Type.Optional(Id),
            days: Int(1, 365, { default: HOT_DAYS }),
            min: Int(2, 1000, { default: HOT_MIN }),
          },
          { additionalProperties: false },
        ),
        response: { 200: HotSpotsSchema, ...stdErrors },
      },
    },
    async (req) => listHotSpots(ctx, req.actor, req.query),
  );

  app.get(
    "/api/command/live",
    {
      schema: {
        tags: T,
        summary:
          "实时推送：Accept: text/event-stream 时为 SSE 流，单位内工单有变化即推送 changed（每 2 秒至多一次）；否则返回变化计数",
        querystring: Type.Object({ org: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: Type.Object({ changes: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) => {
      const unit = await liveUnit(ctx, req.actor, req.query.org);
      if (!String(req.headers.accept ?? "").includes("text/event-stream"))
        return { changes: await changeCount(ctx) };
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      // A dropped stream is opened again by the browser after this many milliseconds.
      res.write("retry: 3000\n\nevent: ready\ndata: {}\n\n");
      const stop = await subscribe(
        ctx,
        unit.path,
        () => res.write(`event: changed\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`),
        () => res.end(),
      );
      // Proxies close silent connections: a comment line now and then keeps it open.
      const ping = setInterval(() => res.write(": ping\n\n"), 25_000);
      res.on("close", () => {
        clearInterval(ping);
        stop();
      });
    },
  );

  app.get(
    "/api/command/daily-report",
    {
      schema: {
        tags: T,
        summary:
          "信息日报（默认昨日）：受理、结案、超期、五率、下级单位、诉求类别、高频诉求、关爱；PDF 或 xlsx",
        querystring: Type.Object(
          {
            org: Type.Optional(Id),
            date: Type.Optional(Day),
            format: Type.Optional(OneOf(["pdf", "xlsx"] as const)),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Unsafe<unknown>({ type: "string", format: "binary" }), ...stdErrors },
      },
    },
    async (req, reply) => {
      const report = await dailyReport(ctx, req.actor, req.query);
      const format = req.query.format ?? "pdf";
      await recordDownload(ctx, req.actor, report, format);
      return sendDownload(reply, {
        kind: format,
        filename: `${report.unit.name}信息日报${report.date}.${format}`,
        fallback: `daily-report-${report.date}.${format}`,
        body: format === "xlsx" ? await reportXlsx(report) : reportPdf(report),
      });
    },
  );
  app.get(
    "/api/command/map",
    {
      schema: {
        tags: T,
        summary:
          "指挥地图：单位及下级单位的边界、下级单位人口与走访逾期数；社区及网格级附在办工单点位（仅编号与状态）",
        querystring: Type.Object({ org: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: MapSchema, ...stdErrors },
      },
    },
    async (req) => commandMap(ctx, req.actor, req.query),
  );

  app.get(
    "/api/command/reports",
    {
      schema: {
        tags: T,
        summary: "日报存档：每天 08:00 为区和各街道生成的昨日信息日报",
        querystring: Type.Object(
          { org: Type.Optional(Id), limit: Int(1, 500, { default: 60 }) },
          { additionalProperties: false },
        ),
        response: { 200: ArchiveSchema, ...stdErrors },
      },
    },
    async (req) => listArchive(ctx, req.actor, req.query),
  );

  app.get(
    "/api/command/reports/:id",
    {
      schema: {
        tags: T,
        summary: "下载存档日报（PDF 或 xlsx，记入审计）",
        params: IdParams,
        querystring: Type.Object(
          { format: Type.Optional(OneOf(["pdf", "xlsx"] as const)) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Unsafe<unknown>({ type: "string", format: "binary" }), ...stdErrors },
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? "pdf";
      const r = await archivedFile(ctx, req.actor, req.params.id, format);
      return sendDownload(reply, {
        kind: format,
        filename: `${r.unitName}信息日报${r.date}.${format}`,
        fallback: `daily-report-${r.date}.${format}`,
        body: r.file,
      });
    },
  );

  app.get(
    "/api/command/report-recipients",
    {
      schema: {
        tags: T,
        summary: "日报接收人（区或街道）：街道只读",
        querystring: Type.Object({ org: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: RecipientsSchema, ...stdErrors },
      },
    },
    async (req) => listRecipients(ctx, req.actor, req.query.org),
  );

  app.put(
    "/api/command/report-recipients",
    {
      schema: {
        tags: T,
        summary: "设置日报接收人（仅区级）",
        body: Type.Object(
          { org: Id, accountIds: Type.Array(Id, { maxItems: 100 }) },
          { additionalProperties: false },
        ),
        response: { 200: RecipientsSchema, ...stdErrors },
      },
    },
    async (req) => setRecipients(ctx, req.actor, req.body.org, req.body.accountIds),
  );
  app.post(
    "/api/command/hotspots/governance",
    {
      schema: {
        tags: T,
        summary:
          "未诉先办：把一处高频诉求转为治理工单（渠道「未诉先办」，派至所在网格）；同处同类已有在办治理工单时 409",
        body: Type.Object(
          {
            orgUnitId: Id,
            buildingId: Type.Union([Id, Type.Null()]),
            categoryCode: Type.String({ minLength: 1, maxLength: 40 }),
            days: Int(1, 365, { default: HOT_DAYS }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.Integer(), number: Type.String() }), ...stdErrors },
      },
    },
    async (req, reply) => {
      reply.code(201);
      return openGovernanceItem(ctx, req.actor, req.body);
    },
  );
}
