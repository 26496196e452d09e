import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { type OrderState, PUBLIC_CLOSED_STATES, STATE_LABELS } from "../../../domain/workflow/index.ts";
import type { AppContext } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { Conflict, NotFound, TooMany } from "../../platform/errors.ts";
import { countFailure, failureKey, lockedFor, lockKeys } from "../../platform/failureCounts.ts";
import { ErrorBody, Line, OneOf, Str, Type } from "../../platform/schemas.ts";
import {
  type PublicOrder,
  type PublicOrderRow,
  PublicStatusSchema,
  presentPublicOrder,
  presentPublicStatus,
} from "./presenter.ts";
import { transitionOrder } from "./service.ts";

// The public faces of work orders: what Open311 lists, and the resident's status page (no account, just
// the order number and the last four digits of the phone the request came from). Everything leaves
// through the public presenter. Wrong digits are a 404 (no hint whether the number exists) and are limited
// per client address and per order number: a number locks after a few wrong tails whatever address they
// come from (ten tries leave a guesser one chance in a thousand at a number already known), and an address
// locks after a few wrong tries whatever number it tries.

/** Wrong tries allowed per client address and per order number, and the windows they are counted in. */
export const PUBLIC_LIMITS = {
  address: { max: 5, windowMs: 10 * 60_000 },
  number: { max: 10, windowMs: 24 * 3600_000 },
} as const;

const PUBLIC_COLUMNS = `o.id, o.number, o.state, c.code as "categoryCode", c.name as "categoryName", c.department,
  c.visibility, c.public_wording as "publicWording", o.description, o.address, o.building_id as "buildingId",
  b.address as "buildingAddress", o.lat, o.long, u.name as "orgName", o.created_at as "createdAt",
  o.updated_at as "updatedAt", o.next_due_at as "nextDueAt", o.caller_name as "callerName",
  (select r.name from residents r where r.id = o.resident_id) as "residentName"`;
const PUBLIC_FROM = `work_orders o join categories c on c.id = o.category_id join org_units u on u.id = o.org_unit_id
  left join buildings b on b.id = o.building_id`;

export interface PublicFilter {
  ids?: number[];
  serviceCodes?: string[];
  from?: Date;
  to?: Date;
  status?: "open" | "closed";
  limit: number;
}

/** Orders a stranger may see, newest first. Hidden categories are left out entirely. */
export async function listPublic(ctx: AppContext, f: PublicFilter): Promise<PublicOrder[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const conds = ["c.visibility <> 'hidden'"];
  if (f.ids) conds.push(`o.id = any(${p(f.ids)}::int[])`);
  if (f.serviceCodes) conds.push(`c.code = any(${p(f.serviceCodes)}::text[])`);
  if (f.from) conds.push(`o.created_at >= ${p(f.from)}`);
  if (f.to) conds.push(`o.created_at <= ${p(f.to)}`);
  if (f.status) {
    const closed = `o.state = any(${p(PUBLIC_CLOSED_STATES)}::text[])`;
    conds.push(f.status === "closed" ? closed : `not ${closed}`);
  }
  const rows = await ctx.database.query<PublicOrderRow>(
    `select ${PUBLIC_COLUMNS} from ${PUBLIC_FROM} where ${conds.join(" and ")} order by o.id desc limit ${f.limit}`,
    params,
  );
  return rows.map(presentPublicOrder);
}

/** One order by the token Open311 handed its client; null when unknown. */
export async function publicIdByToken(ctx: AppContext, token: string): Promise<number | null> {
  const [row] = await ctx.database.query<{ id: number }>(
    `select o.id from work_orders o join categories c on c.id = o.category_id
     where o.open311_token = $1 and c.visibility <> 'hidden'`,
    [token],
  );
  return row?.id ?? null;
}

const rater = systemPrincipal("public_rating", "居民（评价页）");

export async function publicOrderRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  async function lookup(ip: string, number: string, phone4: string) {
    const now = new Date();
    const keys = {
      address: failureKey(ctx, "public-order:address", ip),
      number: failureKey(ctx, "public-order:number", number),
    };
    const wait = await lockedFor(ctx.database, Object.values(keys), now);
    if (wait > 0) throw TooMany("查询错误次数过多，请稍后再试", wait);
    const [row] = await ctx.database.query<
      PublicOrderRow & {
        callerPhoneTail: string | null;
        ratedAt: Date | null;
        satisfaction: string | null;
        version: number;
      }
    >(
      `select ${PUBLIC_COLUMNS}, o.caller_phone_tail as "callerPhoneTail", o.rated_at as "ratedAt",
         o.satisfaction, o.version from ${PUBLIC_FROM} where o.number = $1`,
      [number],
    );
    // Wrong digits are a 404 like an unknown number: no hint whether the number exists.
    if (!row?.callerPhoneTail || row.callerPhoneTail !== phone4) {
      const counts = await countFailure(
        ctx.database,
        (["address", "number"] as const).map((k) => ({ key: keys[k], windowMs: PUBLIC_LIMITS[k].windowMs })),
        now,
      );
      // The failure that reaches the limit locks its key until its window ends.
      await lockKeys(
        ctx.database,
        (["address", "number"] as const).flatMap((k) => {
          const c = counts.get(keys[k]);
          return c && c.failures >= PUBLIC_LIMITS[k].max ? [{ key: keys[k], until: c.expiresAt }] : [];
        }),
      );
      throw NotFound("未找到该工单，请核对工单号和手机号后四位");
    }
    return row;
  }

  const params = Type.Object({ number: Line({ maxLength: 24, pattern: "^\\d{8,20}$" }) });
  const phone4 = Line({ maxLength: 4, pattern: "^\\d{4}$" });
  const errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };

  app.get(
    "/api/public/orders/:number",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "居民查询工单进度（工单号 + 手机号后四位）",
        params,
        querystring: Type.Object({ phone4 }),
        response: { 200: PublicStatusSchema, ...errors },
      },
    },
    async (req) => {
      const row = await lookup(req.ip, req.params.number, req.query.phone4);
      const events = await ctx.database.query<{ action: string; toState: string; at: Date }>(
        `select action, to_state as "toState", at from work_order_events where order_id = $1 order by id`,
        [row.id],
      );
      return presentPublicStatus(row, events);
    },
  );

  app.post(
    "/api/public/orders/:number/rating",
    {
      config: { public: true },
      schema: {
        tags: ["public"],
        summary: "居民评价：是否解决、满意度、意见（每单一次）",
        params,
        body: Type.Object(
          {
            phone4,
            solved: Type.Boolean(),
            satisfaction: OneOf(["satisfied", "basically_satisfied", "unsatisfied"] as const),
            comment: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ state: Str, stateLabel: Str }), ...errors },
      },
    },
    async (req) => {
      const row = await lookup(req.ip, req.params.number, req.body.phone4);
      if (row.ratedAt) throw Conflict("该工单已评价，感谢您的反馈");
      if (row.state !== "callback") throw Conflict("工单尚未办结核查，暂不能评价", { state: row.state });
      const { solved, satisfaction } = req.body;
      const action = solved && satisfaction !== "unsatisfied" ? "close" : "reopen";
      const r = await transitionOrder(
        ctx,
        rater,
        row.id,
        action,
        { version: row.version, callback: { solved, satisfaction } },
        { resident: { comment: req.body.comment?.trim() || null } },
      );
      return { state: r.state, stateLabel: STATE_LABELS[r.state as OrderState] };
    },
  );
}
