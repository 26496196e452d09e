import type { FastifyInstance } from "fastify";
import { csvCell } from "../../../domain/files/cells.ts";
import { KEY_TAGS } from "../../../domain/people/generate.ts";
import { idParams, stdErrors } from "../../platform/schemas.ts";
import { getOrgUnit } from "../orgs/index.ts";
import { residentSchema } from "./presenter.ts";
import { getBuilding, getHousehold, listBuildings } from "./registry.ts";
import {
  createResident,
  exportResidents,
  getResident,
  type ResidentInput,
  revealResidentField,
  searchResidents,
  updateResident,
} from "./service.ts";

const filterProps = {
  q: { type: "string", maxLength: 50 },
  org: { type: "integer", minimum: 1 },
  tag: { type: "string", enum: [...KEY_TAGS] },
} as const;

const inputProps = {
  name: { type: "string", maxLength: 30 },
  idNumber: { type: "string", maxLength: 18 },
  phone: { type: ["string", "null"], maxLength: 20 },
  householdId: { type: "integer", minimum: 1 },
  tags: { type: "array", items: { type: "string" }, maxItems: 20 },
  livingArrangement: { type: ["string", "null"], maxLength: 30 },
  relationToHead: { type: ["string", "null"], maxLength: 20 },
} as const;

const placeSchema = { type: "object", additionalProperties: true } as const;
const crumbs = { type: "array", items: { type: "object", additionalProperties: true } } as const;

export async function residentRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { q?: string; org?: number; tag?: string; page: number; pageSize: number } }>(
    "/api/residents",
    {
      schema: {
        tags: ["residents"],
        summary: "居民搜索：姓名、拼音首字母、手机/身份证尾号、地址；按标签和组织筛选",
        querystring: {
          type: "object",
          properties: {
            ...filterProps,
            page: { type: "integer", minimum: 1, maximum: 10000, default: 1 },
            pageSize: { type: "integer", minimum: 1, maximum: 100, default: 20 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: {
              items: { type: "array", items: residentSchema },
              total: { type: "integer" },
              totalCapped: { type: "boolean" },
              page: { type: "integer" },
              pageSize: { type: "integer" },
            },
          },
          ...stdErrors,
        },
      },
    },
    async (req) => searchResidents(app.ctx, req.actor, req.query),
  );

  app.get<{ Querystring: { q?: string; org?: number; tag?: string } }>(
    "/api/residents/export",
    {
      schema: {
        tags: ["residents"],
        summary: "导出居民名单 (CSV，证件号与手机号脱敏)",
        querystring: { type: "object", properties: filterProps, additionalProperties: false },
      },
    },
    async (req, reply) => {
      const rows = exportResidents(app.ctx, req.actor, req.query);
      // Pull the first row before sending headers so a 403 still answers as JSON.
      const first = await rows.next();
      const header = "姓名,性别,出生日期,身份证号,手机号,地址,与户主关系,人群标签\n";
      const line = (r: any) =>
        `${[
          r.name,
          r.genderLabel,
          r.birthDate,
          r.idNumberMasked,
          r.phoneMasked ?? "",
          r.address,
          r.relationLabel ?? "",
          r.tagLabels.join("、"),
        ]
          .map(csvCell)
          .join(",")}\n`;
      async function* body() {
        yield `\ufeff${header}`;
        if (!first.done) yield line(first.value);
        for await (const r of rows) yield line(r);
      }
      reply.header("content-type", "text/csv; charset=utf-8");
      reply.header("content-disposition", `attachment; filename="residents.csv"`);
      const { Readable } = await import("node:stream");
      return reply.send(Readable.from(body()));
    },
  );

  app.get<{ Params: { id: number } }>(
    "/api/residents/:id",
    {
      schema: {
        tags: ["residents"],
        summary: "居民详情",
        params: idParams,
        response: { 200: residentSchema, ...stdErrors },
      },
    },
    async (req) => (await getResident(app.ctx, req.actor, req.params.id)).resident,
  );

  app.post<{ Params: { id: number }; Body: { field: "idNumber" | "phone"; reason: string } }>(
    "/api/residents/:id/reveal",
    {
      schema: {
        tags: ["residents"],
        summary: "查看完整证件号或手机号（需说明理由，记入审计）",
        params: idParams,
        body: {
          type: "object",
          properties: {
            field: { type: "string", enum: ["idNumber", "phone"] },
            reason: { type: "string", minLength: 2, maxLength: 200 },
          },
          required: ["field", "reason"],
          additionalProperties: false,
        },
        response: {
          200: { type: "object", properties: { field: { type: "string" }, value: { type: "string" } } },
          ...stdErrors,
        },
      },
    },
    async (req) =>
      revealResidentField(app.ctx, req.actor, req.params.id, req.body.field, req.body.reason.trim()),
  );

  app.post<{ Body: ResidentInput }>(
    "/api/residents",
    {
      schema: {
        tags: ["residents"],
        summary: "登记居民",
        body: {
          type: "object",
          properties: inputProps,
          required: ["name", "idNumber", "householdId"],
          additionalProperties: false,
        },
        response: { 201: residentSchema, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await createResident(app.ctx, req.actor, req.body)),
  );

  app.patch<{ Params: { id: number }; Body: ResidentInput & { version: number } }>(
    "/api/residents/:id",
    {
      schema: {
        tags: ["residents"],
        summary: "修改居民信息（version 用于并发控制，过期返回 409）",
        params: idParams,
        body: {
          type: "object",
          properties: { ...inputProps, version: { type: "integer", minimum: 1 } },
          required: ["version"],
          additionalProperties: false,
        },
        response: { 200: residentSchema, ...stdErrors },
      },
    },
    async (req) => {
      const { version, ...input } = req.body;
      return updateResident(app.ctx, req.actor, req.params.id, version, input);
    },
  );

  app.get<{ Params: { id: number } }>(
    "/api/households/:id",
    {
      schema: {
        tags: ["residents"],
        summary: "户详情与成员",
        params: idParams,
        response: {
          200: {
            type: "object",
            properties: {
              household: placeSchema,
              members: { type: "array", items: residentSchema },
              breadcrumb: crumbs,
            },
          },
          ...stdErrors,
        },
      },
    },
    async (req) => getHousehold(app.ctx, req.actor, req.params.id),
  );

  app.get<{ Params: { id: number } }>(
    "/api/buildings/:id",
    {
      schema: {
        tags: ["residents"],
        summary: "楼栋详情与各户",
        params: idParams,
        response: {
          200: {
            type: "object",
            properties: {
              building: placeSchema,
              households: { type: "array", items: placeSchema },
              breadcrumb: crumbs,
            },
          },
          ...stdErrors,
        },
      },
    },
    async (req) => getBuilding(app.ctx, req.actor, req.params.id),
  );

  app.get<{ Querystring: { org: number } }>(
    "/api/buildings",
    {
      schema: {
        tags: ["residents"],
        summary: "组织内的楼栋",
        querystring: {
          type: "object",
          properties: { org: { type: "integer", minimum: 1 } },
          required: ["org"],
          additionalProperties: false,
        },
        response: {
          200: { type: "object", properties: { items: { type: "array", items: placeSchema } } },
          ...stdErrors,
        },
      },
    },
    async (req) => {
      const unit = await getOrgUnit(app.ctx, req.actor, req.query.org);
      return { items: await listBuildings(app.ctx, req.actor, unit.path) };
    },
  );
}
