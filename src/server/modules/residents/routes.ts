import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { csvCell } from "../../../domain/files/cells.ts";
import { KEY_TAGS, LIVING_ARRANGEMENTS } from "../../../domain/people/generate.ts";
import { sendDownload } from "../../platform/download.ts";
import { Id, IdParams, Line, OneOf, Page, PageSize, stdErrors, Text, Type } from "../../platform/schemas.ts";
import {
  BuildingDetailSchema,
  BuildingLineSchema,
  HouseholdDetailSchema,
  type PresentedResident,
  ResidentPageSchema,
  ResidentSchema,
  RevealSchema,
} from "./presenter.ts";
import { getBuilding, getHousehold, listBuildings } from "./registry.ts";
import { rosterRoutes } from "./rosterRoutes.ts";
import {
  createResident,
  exportResidents,
  getResident,
  revealResidentField,
  searchResidents,
  updateResident,
} from "./service.ts";

const T = ["residents"];

const filterProps = {
  q: Type.Optional(Line({ maxLength: 50 })),
  org: Type.Optional(Id),
  tag: Type.Optional(OneOf(KEY_TAGS)),
};

// The fields a registry form sets. Nothing else: the org, the path, the version counter, the family doctor
// and the ciphers are the server's (the household decides the place; care sets the doctor), so a body that
// names them is refused whole with 400 (additionalProperties: false), and nothing changes.
const inputProps = {
  name: Type.Optional(Line({ maxLength: 30 })),
  idNumber: Type.Optional(Line({ maxLength: 18 })),
  phone: Type.Optional(Type.Union([Line({ maxLength: 20 }), Type.Null()])),
  householdId: Type.Optional(Id),
  tags: Type.Optional(Type.Array(OneOf(KEY_TAGS), { maxItems: 20 })),
  livingArrangement: Type.Optional(Type.Union([OneOf(LIVING_ARRANGEMENTS), Type.Null()])),
  relationToHead: Type.Optional(Type.Union([Line({ maxLength: 20 }), Type.Null()])),
};

export async function residentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  await fastify.register(rosterRoutes);

  app.get(
    "/api/residents",
    {
      schema: {
        tags: T,
        summary: "居民搜索：姓名、拼音首字母、手机/身份证尾号、地址；按标签和组织筛选",
        querystring: Type.Object(
          { ...filterProps, page: Page, pageSize: PageSize(100, 20) },
          { additionalProperties: false },
        ),
        response: { 200: ResidentPageSchema, ...stdErrors },
      },
    },
    async (req) => searchResidents(ctx, req.actor, req.query),
  );

  app.get(
    "/api/residents/export",
    {
      schema: {
        tags: T,
        summary: "导出居民名单 (CSV，证件号与手机号脱敏)",
        querystring: Type.Object(filterProps, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const rows = exportResidents(ctx, req.actor, req.query);
      // Pull the first row before sending headers so a 403 still answers as JSON.
      const first = await rows.next();
      const header = "姓名,性别,出生日期,身份证号,手机号,地址,与户主关系,人群标签\n";
      const line = (r: PresentedResident) =>
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
      const { Readable } = await import("node:stream");
      return sendDownload(reply, { kind: "csv", filename: "residents.csv", body: Readable.from(body()) });
    },
  );

  app.get(
    "/api/residents/:id",
    {
      schema: {
        tags: T,
        summary: "居民详情",
        params: IdParams,
        response: { 200: ResidentSchema, ...stdErrors },
      },
    },
    async (req) => (await getResident(ctx, req.actor, req.params.id)).resident,
  );

  app.post(
    "/api/residents/:id/reveal",
    {
      schema: {
        tags: T,
        summary: "查看完整证件号或手机号（需说明理由，记入审计）",
        params: IdParams,
        body: Type.Object(
          { field: OneOf(["idNumber", "phone"] as const), reason: Text({ minLength: 2, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: RevealSchema, ...stdErrors },
      },
    },
    async (req) => revealResidentField(ctx, req.actor, req.params.id, req.body.field, req.body.reason.trim()),
  );

  app.post(
    "/api/residents",
    {
      schema: {
        tags: T,
        summary: "登记居民",
        body: Type.Object(
          {
            ...inputProps,
            name: Line({ maxLength: 30 }),
            idNumber: Line({ maxLength: 18 }),
            householdId: Id,
          },
          { additionalProperties: false },
        ),
        response: { 201: ResidentSchema, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await createResident(ctx, req.actor, req.body)),
  );

  app.patch(
    "/api/residents/:id",
    {
      schema: {
        tags: T,
        summary: "修改居民信息（version 用于并发控制，过期返回 409）",
        params: IdParams,
        body: Type.Object(
          { ...inputProps, version: Type.Integer({ minimum: 1, maximum: 2147483647 }) },
          { additionalProperties: false },
        ),
        response: { 200: ResidentSchema, ...stdErrors },
      },
    },
    async (req) => {
      const { version, ...input } = req.body;
      return updateResident(ctx, req.actor, req.params.id, version, input);
    },
  );

  app.get(
    "/api/households/:id",
    {
      schema: {
        tags: T,
        summary: "户详情与成员",
        params: IdParams,
        response: { 200: HouseholdDetailSchema, ...stdErrors },
      },
    },
    async (req) => getHousehold(ctx, req.actor, req.params.id),
  );

  app.get(
    "/api/buildings/:id",
    {
      schema: {
        tags: T,
        summary: "楼栋详情与各户",
        params: IdParams,
        response: { 200: BuildingDetailSchema, ...stdErrors },
      },
    },
    async (req) => getBuilding(ctx, req.actor, req.params.id),
  );

  app.get(
    "/api/buildings",
    {
      schema: {
        tags: T,
        summary: "组织内的楼栋",
        querystring: Type.Object({ org: Id }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(BuildingLineSchema) }), ...stdErrors },
      },
    },
    async (req) => listBuildings(ctx, req.actor, req.query.org),
  );
}
