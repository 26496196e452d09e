import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { ORDER_ACTIONS, ORDER_STATES } from "../../../domain/workflow/index.ts";
import {
  CheckIn,
  Id,
  IdParams,
  Int,
  ItemsTotal,
  Line,
  OneOf,
  Page,
  PageSize,
  Str,
  stdErrors,
  Text,
  Type,
} from "../../platform/schemas.ts";
import * as open311 from "../open311/index.ts";
import { CategorySchema, createCategory, listCategories, updateCategory } from "./categories.ts";
import {
  BuildingSchema,
  CallerLookupSchema,
  intakeDuplicates,
  lookupBuildings,
  lookupCallers,
} from "./lookup.ts";
import { CHANNELS, ClientExtrasSchema, EventSchema, OrderSchema, presentOrder } from "./presenter.ts";
import {
  createOrder,
  getOrder,
  likelyDuplicates,
  listOrders,
  transitionOrder,
  workerQueue,
} from "./service.ts";

const T = ["workOrders"];
const OrderList = ItemsTotal(OrderSchema);

const categoryFields = {
  code: Line({ maxLength: 40, pattern: "^[a-z][a-z0-9_]{1,39}$" }),
  name: Line({ minLength: 1, maxLength: 30 }),
  slaPolicy: Line({ maxLength: 20 }),
  ownerRole: Line({ maxLength: 30 }),
  department: Type.Union([Line({ maxLength: 60 }), Type.Null()]),
  active: Type.Boolean(),
  sortOrder: Int(0, 10_000),
  visibility: OneOf(["public", "private", "hidden"] as const),
  publicWording: Type.Union([Line({ maxLength: 40 }), Type.Null()]),
  parentId: Type.Union([Id, Type.Null()]),
  synonyms: Type.Array(Line({ maxLength: 20 }), { maxItems: 30 }),
};
const { code: _code, ...fixedCode } = categoryFields; // the code is the key Open311 clients use: fixed
/** A service definition's extra field (Open311 GeoReport `attribute`); what each must hold is checked in Chinese. */
const AttributeInput = Type.Object(
  {
    code: Line({ maxLength: 40 }),
    datatype: OneOf(["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"] as const),
    required: Type.Boolean(),
    description: Line({ maxLength: 60 }),
    datatypeDescription: Type.Optional(Type.Union([Line({ maxLength: 100 }), Type.Null()])),
    order: Type.Optional(Int(1, 100)),
    variable: Type.Optional(Type.Boolean()),
    values: Type.Optional(
      Type.Array(
        Type.Object(
          { key: Line({ maxLength: 40 }), name: Line({ maxLength: 40 }) },
          { additionalProperties: false },
        ),
        { maxItems: 50 },
      ),
    ),
  },
  { additionalProperties: false },
);
const patchFields = { ...fixedCode, attributes: Type.Array(AttributeInput, { maxItems: 30 }) };

export async function workOrderRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  app.get(
    "/api/categories",
    {
      schema: {
        tags: T,
        summary:
          "诉求分类，两级（类别→子类）；q 按名称、同义词、拼音或首字母搜索并按匹配程度排序；all=true 含停用分类，需分类管理权限",
        querystring: Type.Object(
          { q: Type.Optional(Line({ maxLength: 20 })), all: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(CategorySchema) }), ...stdErrors },
      },
    },
    async (req) => ({ items: await listCategories(ctx, req.actor, req.query.q, req.query.all === true) }),
  );

  app.post(
    "/api/categories",
    {
      schema: {
        tags: T,
        summary: "新增诉求分类（区级）",
        body: Type.Object(
          {
            code: categoryFields.code,
            name: categoryFields.name,
            slaPolicy: categoryFields.slaPolicy,
            ownerRole: categoryFields.ownerRole,
            department: Type.Optional(categoryFields.department),
            active: Type.Optional(categoryFields.active),
            sortOrder: Type.Optional(categoryFields.sortOrder),
            visibility: Type.Optional(categoryFields.visibility),
            publicWording: Type.Optional(categoryFields.publicWording),
            parentId: Type.Optional(categoryFields.parentId),
            synonyms: Type.Optional(categoryFields.synonyms),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await createCategory(ctx, req.actor, req.body)),
  );

  app.patch(
    "/api/categories/:id",
    {
      schema: {
        tags: T,
        summary: "修改诉求分类（名称、默认时限规则、责任角色或部门、公开范围、停用；区级）",
        params: IdParams,
        body: Type.Partial(Type.Object(patchFields), { additionalProperties: false }),
        response: { 200: CategorySchema, ...stdErrors },
      },
    },
    async (req) => updateCategory(ctx, req.actor, req.params.id, req.body),
  );

  app.get(
    "/api/intake/callers",
    {
      schema: {
        tags: T,
        summary:
          "受理台查找来电人：手机尾号（4 位以上）、姓名、拼音首字母或地址，一个输入框；最匹配的在前，最多 10 人并给出其余人数；身份证号须输全",
        querystring: Type.Object({ q: Line({ maxLength: 50 }) }, { additionalProperties: false }),
        response: { 200: CallerLookupSchema, ...stdErrors },
      },
    },
    async (req) => lookupCallers(ctx, req.actor, req.query.q),
  );

  app.get(
    "/api/intake/buildings",
    {
      schema: {
        tags: T,
        summary: "受理台选择楼栋：按社区名和楼栋名搜索（如“苏阳 12”）",
        querystring: Type.Object({ q: Line({ maxLength: 40 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(BuildingSchema) }), ...stdErrors },
      },
    },
    async (req) => ({ items: await lookupBuildings(ctx, req.actor, req.query.q) }),
  );

  app.get(
    "/api/intake/duplicates",
    {
      schema: {
        tags: T,
        summary: "受理中的疑似重复：同楼栋（或同一居民）7 天内未办结的工单，同类在前",
        querystring: Type.Object(
          {
            buildingId: Type.Optional(Id),
            residentId: Type.Optional(Id),
            categoryCode: Type.Optional(Line({ maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: OrderList, ...stdErrors },
      },
    },
    async (req) => {
      const rows = await intakeDuplicates(ctx, req.actor, req.query);
      return { items: rows.map((r) => presentOrder(r, ctx.crypto, req.actor)), total: rows.length };
    },
  );

  app.post(
    "/api/orders",
    {
      schema: {
        tags: T,
        summary: "受理诉求，按地址路由到网格并派单",
        body: Type.Object(
          {
            channel: OneOf(CHANNELS),
            categoryCode: Line({ maxLength: 40 }),
            description: Text({ minLength: 1, maxLength: 2000 }),
            callerName: Type.Optional(Line({ maxLength: 30 })),
            callerPhone: Type.Optional(Line({ maxLength: 20 })),
            residentId: Type.Optional(Id),
            buildingId: Type.Optional(Id),
            orgUnitId: Type.Optional(Id),
            address: Type.Optional(Line({ maxLength: 200 })),
            dispatch: Type.Optional(Type.Boolean()),
            callerIsResident: Type.Optional(Type.Boolean()),
            checkIn: Type.Optional(CheckIn),
          },
          { additionalProperties: false },
        ),
        response: { 201: OrderSchema, ...stdErrors },
      },
    },
    async (req, reply) => {
      const now = new Date();
      const { row, known } = await createOrder(ctx, req.actor, req.body, now);
      return reply.status(201).send(presentOrder(row, ctx.crypto, req.actor, now, known));
    },
  );

  app.get(
    "/api/orders",
    {
      schema: {
        tags: T,
        summary: "工单列表（超时优先，按时限排序）",
        querystring: Type.Object(
          {
            state: Type.Optional(OneOf(["active", ...ORDER_STATES] as const)),
            org: Type.Optional(Id),
            overdue: Type.Optional(Type.Boolean()),
            /** Open, not overdue, and due within the hour (the command center's 1小时内到期). */
            dueSoon: Type.Optional(Type.Boolean()),
            q: Type.Optional(Line({ maxLength: 30 })),
            page: Page,
            pageSize: PageSize(200, 50),
          },
          { additionalProperties: false },
        ),
        response: { 200: OrderList, ...stdErrors },
      },
    },
    async (req) => {
      const { rows, total } = await listOrders(ctx, req.actor, req.query);
      return { items: rows.map((r) => presentOrder(r, ctx.crypto, req.actor)), total };
    },
  );

  app.get(
    "/api/orders/queue",
    {
      schema: {
        tags: T,
        summary: "我的待办（按剩余时限排序）",
        response: { 200: OrderList, ...stdErrors },
      },
    },
    async (req) => {
      const { rows, total } = await workerQueue(ctx, req.actor);
      return { items: rows.map((r) => presentOrder(r, ctx.crypto, req.actor)), total };
    },
  );

  app.get(
    "/api/orders/:id",
    {
      schema: {
        tags: T,
        summary: "工单详情与时间线",
        params: IdParams,
        response: {
          200: Type.Object({
            order: OrderSchema,
            events: Type.Array(EventSchema),
            client: ClientExtrasSchema,
            /** 上级交办: the upstream platform's request id and how far our updates have reached it (staff only). */
            upstream: open311.UpstreamOfOrderSchema,
          }),
          ...stdErrors,
        },
      },
    },
    async (req) => {
      const { row, events, client } = await getOrder(ctx, req.actor, req.params.id);
      // Read after getOrder's scope check: the order is the caller's.
      const upstream = await open311.upstreamOfOrder(ctx, row.id);
      return { order: presentOrder(row, ctx.crypto, req.actor), events, client, upstream };
    },
  );

  app.get(
    "/api/orders/:id/duplicates",
    {
      schema: {
        tags: T,
        summary: "疑似重复工单（同楼栋同分类 24 小时内，本辖区内）",
        params: IdParams,
        response: { 200: OrderList, ...stdErrors },
      },
    },
    async (req) => {
      const rows = await likelyDuplicates(ctx, req.actor, req.params.id);
      return { items: rows.map((r) => presentOrder(r, ctx.crypto, req.actor)), total: rows.length };
    },
  );

  app.post(
    "/api/orders/:id/actions/:action",
    {
      schema: {
        tags: T,
        summary:
          "工单流转：派单、签收、到场、办结、退单、吹哨、核查、回访、合并、作废、延期…（version 用于并发控制）",
        params: Type.Object({ id: Id, action: OneOf(ORDER_ACTIONS) }),
        body: Type.Object(
          {
            version: Int(0, 1_000_000),
            note: Type.Optional(Text({ maxLength: 1000 })),
            reason: Type.Optional(Text({ maxLength: 1000 })),
            orgUnitId: Type.Optional(Id),
            intoOrderId: Type.Optional(Line({ maxLength: 20, pattern: "^\\d{1,10}$" })),
            escalateTo: Type.Optional(
              Type.Object(
                {
                  level: OneOf(["street", "department"] as const),
                  unitId: Line({ minLength: 1, maxLength: 60 }),
                },
                { additionalProperties: false },
              ),
            ),
            extra: Type.Optional(
              Type.Object(
                {
                  amount: Type.Number({ exclusiveMinimum: 0, maximum: 129_600 }),
                  unit: OneOf(["minutes", "hours", "days"] as const),
                },
                { additionalProperties: false },
              ),
            ),
            callback: Type.Optional(
              Type.Object(
                {
                  solved: Type.Boolean(),
                  satisfaction: Type.Union([
                    OneOf(["satisfied", "basically_satisfied", "unsatisfied"] as const),
                    Type.Null(),
                  ]),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ id: Type.Integer(), state: Str, version: Type.Integer() }),
          ...stdErrors,
        },
      },
    },
    async (req) => transitionOrder(ctx, req.actor, req.params.id, req.params.action, req.body),
  );
}
