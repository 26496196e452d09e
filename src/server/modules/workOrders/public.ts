import type { FastifyInstance } from "fastify";
import { type OrderState, STATE_LABELS } from "../../../domain/workflow/index.ts";
import { Conflict, errorSchema, NotFound, TooMany } from "../../platform/errors.ts";
import { FailureLimiter } from "../../platform/failureLimiter.ts";
import { ORDER_COLUMNS, type OrderRow, transitionOrder } from "./service.ts";

// The resident's status page: no account, just the order number and the last four digits of the phone
// the request came from. Wrong digits are a 404 (no hint whether the number exists) and are rate-limited.

const PUBLIC_STEPS = new Set([
  "receive",
  "dispatch",
  "accept",
  "arrive",
  "plan",
  "reply",
  "resolve",
  "verify",
  "close",
  "reopen",
  "rework",
]);

export async function publicOrderRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  const limiter = new FailureLimiter(5, 10 * 60_000);

  async function lookup(ip: string, number: string, phone4: string): Promise<OrderRow> {
    const wait = limiter.retryAfter(ip);
    if (wait > 0) throw TooMany("查询错误次数过多，请稍后再试", wait);
    const [row] = await ctx.database.query<
      OrderRow & { callerPhoneTail: string | null; ratedAt: Date | null; ratingComment: string | null }
    >(
      `select ${ORDER_COLUMNS}, o.caller_phone_tail as "callerPhoneTail", o.rated_at as "ratedAt", o.rating_comment as "ratingComment"
       from work_orders o join categories c on c.id = o.category_id join org_units u on u.id = o.org_unit_id where o.number = $1`,
      [number],
    );
    if (!row?.callerPhoneTail || row.callerPhoneTail !== phone4) {
      limiter.fail(ip);
      throw NotFound("未找到该工单，请核对工单号和手机号后四位");
    }
    return row;
  }

  const params = {
    type: "object",
    properties: { number: { type: "string", pattern: "^\\d{8,20}$" } },
    required: ["number"],
  } as const;

  app.get<{ Params: { number: string }; Querystring: { phone4: string } }>(
    "/api/public/orders/:number",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "居民查询工单进度（工单号 + 手机号后四位）",
        params,
        querystring: {
          type: "object",
          properties: { phone4: { type: "string", pattern: "^\\d{4}$" } },
          required: ["phone4"],
        },
        response: {
          200: { type: "object", additionalProperties: true },
          404: errorSchema,
          429: errorSchema,
          400: errorSchema,
        },
      },
    },
    async (req) => {
      const row = (await lookup(req.ip, req.params.number, req.query.phone4)) as any;
      const events = await ctx.database.query<{ action: string; toState: string; at: Date }>(
        `select action, to_state as "toState", at from work_order_events where order_id = $1 order by id`,
        [row.id],
      );
      return {
        number: row.number,
        category: row.categoryName,
        state: row.state,
        stateLabel: STATE_LABELS[row.state as OrderState] ?? row.state,
        createdAt: row.createdAt,
        orgName: row.orgName,
        canRate: row.state === "callback" && !row.ratedAt,
        rated: !!row.ratedAt,
        satisfaction: row.satisfaction,
        timeline: events
          .filter((e) => PUBLIC_STEPS.has(e.action))
          .map((e) => ({
            at: e.at,
            state: e.toState,
            label: STATE_LABELS[e.toState as OrderState] ?? e.toState,
          })),
      };
    },
  );

  app.post<{
    Params: { number: string };
    Body: {
      phone4: string;
      solved: boolean;
      satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied";
      comment?: string;
    };
  }>(
    "/api/public/orders/:number/rating",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "居民评价：是否解决、满意度、意见（每单一次）",
        params,
        body: {
          type: "object",
          properties: {
            phone4: { type: "string", pattern: "^\\d{4}$" },
            solved: { type: "boolean" },
            satisfaction: { type: "string", enum: ["satisfied", "basically_satisfied", "unsatisfied"] },
            comment: { type: "string", maxLength: 500 },
          },
          required: ["phone4", "solved", "satisfaction"],
          additionalProperties: false,
        },
        response: {
          200: { type: "object", additionalProperties: true },
          404: errorSchema,
          409: errorSchema,
          429: errorSchema,
          400: errorSchema,
        },
      },
    },
    async (req) => {
      const row = (await lookup(req.ip, req.params.number, req.body.phone4)) as any;
      if (row.ratedAt) throw Conflict("该工单已评价，感谢您的反馈");
      if (row.state !== "callback") throw Conflict("工单尚未办结核查，暂不能评价", { state: row.state });
      const { solved, satisfaction } = req.body;
      const action = solved && satisfaction !== "unsatisfied" ? "close" : "reopen";
      const r = await transitionOrder(
        ctx,
        null,
        row.id,
        action,
        { version: row.version, callback: { solved, satisfaction } },
        { resident: { comment: req.body.comment?.trim() || null } },
      );
      return { state: r.state, stateLabel: STATE_LABELS[r.state as OrderState] };
    },
  );
}
