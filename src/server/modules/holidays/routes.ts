import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { AppError } from "../../platform/errors.ts";
import { Day, Int, Line, OneOf, stdErrors, Type } from "../../platform/schemas.ts";
import { holidayPolicy } from "./policy.ts";
import { CoverageSchema, YearSchema } from "./presenter.ts";
import { coverage, importArrangement, loadHolidays, removeDay, setDay, yearView } from "./service.ts";

const T = ["holidays"];
const FILE_LIMIT = 256 * 1024;

export async function holidayRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  // The calendars honour the entered days from the first request on.
  app.addHook("onReady", async () => {
    await loadHolidays(ctx);
  });
  // An arrangement file arrives as the raw body: iCalendar or a small table (csv / pasted text).
  app.addContentTypeParser(
    ["text/calendar", "text/csv"],
    { parseAs: "string", bodyLimit: FILE_LIMIT },
    (_r, body, done) => done(null, body),
  );

  app.get(
    "/api/holidays",
    {
      schema: {
        tags: T,
        summary: "节假日安排（某年：内置数据与区里录入的，录入的优先）",
        querystring: Type.Object({ year: Int(2000, 2099) }, { additionalProperties: false }),
        response: { 200: YearSchema, ...stdErrors },
      },
    },
    async (req) => yearView(ctx, req.actor, req.query.year),
  );

  app.get(
    "/api/holidays/coverage",
    {
      schema: {
        tags: T,
        summary: "下一年的节假日安排是否已有（没有时 12345 时限会把春节算作工作日）",
        response: { 200: CoverageSchema, ...stdErrors },
      },
    },
    async (req) => {
      holidayPolicy.authorize(req.actor, "read");
      return coverage();
    },
  );

  app.put(
    "/api/holidays/:day",
    {
      schema: {
        tags: T,
        summary: "录入或修改一天（休 holiday / 班 workday），覆盖内置数据",
        params: Type.Object({ day: Day }),
        body: Type.Object(
          { kind: OneOf(["holiday", "workday"] as const), name: Line({ minLength: 1, maxLength: 20 }) },
          { additionalProperties: false },
        ),
        response: { 200: YearSchema, ...stdErrors },
      },
    },
    async (req) =>
      setDay(ctx, req.actor, { day: req.params.day, kind: req.body.kind, name: req.body.name.trim() }),
  );

  app.delete(
    "/api/holidays/:day",
    {
      schema: {
        tags: T,
        summary: "删除录入的一天（恢复内置数据）",
        params: Type.Object({ day: Day }),
        response: { 204: Type.Null(), ...stdErrors },
      },
    },
    async (req, reply) => {
      await removeDay(ctx, req.actor, req.params.day);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/api/holidays/import",
    {
      bodyLimit: FILE_LIMIT,
      schema: {
        tags: T,
        summary:
          "导入节假日安排：.ics 日历（「春节(休)」「春节(班)」）或表格（开始日期,结束日期,名称,休|班）",
        description: "Content-Type: text/calendar 或 text/csv（或 text/plain）。有任何错误时整份不导入。",
        response: {
          200: Type.Object({
            days: Type.Integer(),
            holidays: Type.Integer(),
            workdays: Type.Integer(),
            years: Type.Array(Type.Integer()),
          }),
          413: stdErrors[400],
          415: stdErrors[400],
          422: stdErrors[400],
          ...stdErrors,
        },
      },
    },
    async (req) => {
      if (typeof req.body !== "string" || !req.body.trim())
        throw new AppError(400, "invalid", "请上传节假日文件（.ics 或表格）", {
          fields: [{ field: "file", message: "文件为空" }],
        });
      const type = String(req.headers["content-type"] ?? "");
      const format =
        type.startsWith("text/calendar") || req.body.includes("BEGIN:VCALENDAR") ? "ics" : "table";
      return importArrangement(ctx, req.actor, req.body, format);
    },
  );
}
