import type { FastifyInstance } from "fastify";
import { ORDER_ACTIONS, type OrderAction } from "../../../domain/workflow/index.ts";
import { idParams, stdErrors } from "../../platform/schemas.ts";
import { listNotifications } from "../notifications/service.ts";
import { type CategoryInput, createCategory, listCategories, updateCategory } from "./categories.ts";
import { orderSchema, presentOrder } from "./presenter.ts";
import {
  CHANNELS,
  type CreateOrderInput,
  createOrder,
  getOrder,
  likelyDuplicates,
  listOrders,
  type TransitionInput,
  transitionOrder,
  workerQueue,
} from "./service.ts";

const list = {
  type: "object",
  properties: { items: { type: "array", items: orderSchema }, total: { type: "integer" } },
} as const;

export async function workOrderRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  const categoryProps = {
    code: { type: "string", maxLength: 40 },
    name: { type: "string", minLength: 1, maxLength: 30 },
    slaPolicy: { type: "string", maxLength: 20 },
    ownerRole: { type: "string", maxLength: 30 },
    department: { type: ["string", "null"], maxLength: 60 },
    active: { type: "boolean" },
    sortOrder: { type: "integer", minimum: 0, maximum: 10000 },
  } as const;
  const { code: _code, ...patchProps } = categoryProps; // the code is the key Open311 clients use: fixed
  const items = {
    type: "object",
    properties: { items: { type: "array", items: { type: "object", additionalProperties: true } } },
  } as const;

  app.get<{ Querystring: { q?: string; all?: boolean } }>(
    "/api/categories",
    {
      schema: {
        tags: ["workOrders"],
        summary: "诉求分类（支持拼音首字母搜索；all=true 含停用分类，需分类管理权限）",
        querystring: {
          type: "object",
          properties: { q: { type: "string", maxLength: 20 }, all: { type: "boolean" } },
          additionalProperties: false,
        },
        response: { 200: items, ...stdErrors },
      },
    },
    async (req) => ({ items: await listCategories(ctx, req.actor, req.query.q, req.query.all === true) }),
  );

  app.post<{ Body: CategoryInput & { code: string; name: string; slaPolicy: string; ownerRole: string } }>(
    "/api/categories",
    {
      schema: {
        tags: ["workOrders"],
        summary: "新增诉求分类",
        body: {
          type: "object",
          properties: categoryProps,
          required: ["code", "name", "slaPolicy", "ownerRole"],
          additionalProperties: false,
        },
        response: { 201: { type: "object", additionalProperties: true }, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await createCategory(ctx, req.actor, req.body)),
  );

  app.patch<{ Params: { id: number }; Body: CategoryInput }>(
    "/api/categories/:id",
    {
      schema: {
        tags: ["workOrders"],
        summary: "修改诉求分类（名称、默认时限规则、责任角色或部门、停用）",
        params: idParams,
        body: { type: "object", properties: patchProps, additionalProperties: false },
        response: { 200: { type: "object", additionalProperties: true }, ...stdErrors },
      },
    },
    async (req) => updateCategory(ctx, req.actor, req.params.id, req.body),
  );

  app.post<{ Body: CreateOrderInput }>(
    "/api/orders",
    {
      schema: {
        tags: ["workOrders"],
        summary: "受理诉求，按地址路由到网格并派单",
        body: {
          type: "object",
          properties: {
            channel: { type: "string", enum: [...CHANNELS] },
            categoryCode: { type: "string", maxLength: 40 },
            description: { type: "string", minLength: 1, maxLength: 2000 },
            callerName: { type: "string", maxLength: 30 },
            callerPhone: { type: "string", maxLength: 20 },
            residentId: { type: "integer", minimum: 1 },
            buildingId: { type: "integer", minimum: 1 },
            orgUnitId: { type: "integer", minimum: 1 },
            address: { type: "string", maxLength: 200 },
            dispatch: { type: "boolean" },
          },
          required: ["channel", "categoryCode", "description"],
          additionalProperties: false,
        },
        response: { 201: orderSchema, ...stdErrors },
      },
    },
    async (req, reply) => {
      const now = new Date();
      const { row, known } = await createOrder(ctx, req.actor, req.body, now);
      return reply.status(201).send(presentOrder(row, ctx.crypto, req.actor, now, known));
    },
  );

  app.get<{
    Querystring: {
      state?: string;
      org?: number;
      overdue?: boolean;
      q?: string;
      page: number;
      pageSize: number;
    };
  }>(
    "/api/orders",
    {
      schema: {
        tags: ["workOrders"],
        summary: "工单列表（超时优先，按时限排序）",
        querystring: {
          type: "object",
          properties: {
            state: { type: "string", maxLength: 20 },
            org: { type: "integer", minimum: 1 },
            overdue: { type: "boolean" },
            q: { type: "string", maxLength: 30 },
            page: { type: "integer", minimum: 1, default: 1 },
            pageSize: { type: "integer", minimum: 1, maximum: 200, default: 50 },
          },
          additionalProperties: false,
        },
        response: { 200: list, ...stdErrors },
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
        tags: ["workOrders"],
        summary: "我的待办（按剩余时限排序）",
        response: { 200: list, ...stdErrors },
      },
    },
    async (req) => {
      const rows = await workerQueue(ctx, req.actor);
      return { items: rows.map((r) => presentOrder(r, ctx.crypto, req.actor)), total: rows.length };
    },
  );

  app.get<{ Params: { id: number } }>(
    "/api/orders/:id",
    {
      schema: {
        tags: ["workOrders"],
        summary: "工单详情与时间线",
        params: idParams,
        response: {
          200: {
            type: "object",
            properties: {
              order: orderSchema,
              events: { type: "array", items: { type: "object", additionalProperties: true } },
            },
          },
          ...stdErrors,
        },
      },
    },
    async (req) => {
      const { row, events } = await getOrder(ctx, req.actor, req.params.id);
      return { order: presentOrder(row, ctx.crypto, req.actor), events };
    },
  );

  app.get<{ Params: { id: number } }>(
    "/api/orders/:id/duplicates",
    {
      schema: {
        tags: ["workOrders"],
        summary: "疑似重复工单（同楼栋同分类 24 小时内）",
        params: idParams,
        response: { 200: list, ...stdErrors },
      },
    },
    async (req) => {
      const rows = await likelyDuplicates(ctx, req.actor, req.params.id);
      return { items: rows.map((r) => presentOrder(r, ctx.crypto, req.actor)), total: rows.length };
    },
  );

  app.post<{ Params: { id: number; action: OrderAction }; Body: TransitionInput }>(
    "/api/orders/:id/actions/:action",
    {
      schema: {
        tags: ["workOrders"],
        summary:
          "工单流转：派单、签收、到场、办结、退单、吹哨、核查、回访、合并、作废、延期…（version 用于并发控制）",
        params: {
          type: "object",
          properties: {
            id: { type: "integer", minimum: 1 },
            action: { type: "string", enum: [...ORDER_ACTIONS] },
          },
          required: ["id", "action"],
        },
        body: {
          type: "object",
          properties: {
            version: { type: "integer", minimum: 0 },
            note: { type: "string", maxLength: 1000 },
            reason: { type: "string", maxLength: 1000 },
            orgUnitId: { type: "integer", minimum: 1 },
            intoOrderId: { type: "string", maxLength: 20 },
            escalateTo: {
              type: "object",
              properties: {
                level: { type: "string", enum: ["street", "department"] },
                unitId: { type: "string", maxLength: 60 },
              },
              required: ["level", "unitId"],
            },
            extra: {
              type: "object",
              properties: {
                amount: { type: "number", exclusiveMinimum: 0 },
                unit: { type: "string", enum: ["minutes", "hours", "days"] },
              },
              required: ["amount", "unit"],
            },
            callback: {
              type: "object",
              properties: {
                solved: { type: "boolean" },
                satisfaction: {
                  type: ["string", "null"],
                  enum: ["satisfied", "basically_satisfied", "unsatisfied", null],
                },
              },
              required: ["solved", "satisfaction"],
            },
          },
          required: ["version"],
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: { id: { type: "integer" }, state: { type: "string" }, version: { type: "integer" } },
          },
          ...stdErrors,
        },
      },
    },
    async (req) => transitionOrder(ctx, req.actor, req.params.id, req.params.action, req.body),
  );

  app.get<{ Querystring: { state?: string; limit: number } }>(
    "/api/notifications",
    {
      schema: {
        tags: ["workOrders"],
        summary: "消息发送记录（派单、预警、超时、回访）",
        querystring: {
          type: "object",
          properties: {
            state: { type: "string", enum: ["pending", "sent", "failed"] },
            limit: { type: "integer", minimum: 1, maximum: 500, default: 100 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: { type: "object", additionalProperties: true } } },
          },
          ...stdErrors,
        },
      },
    },
    async (req) => ({ items: await listNotifications(ctx, req.actor, req.query) }),
  );
}
