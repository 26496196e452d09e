import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { workOrderEvents, workOrders } from "../../../db/schema/index.ts";
import { maskEmail } from "../../../domain/mask/mask.ts";
import { publicText } from "../../../domain/privacy/publicText.ts";
import { type OrderState, PUBLIC_CLOSED_STATES, STATE_LABELS } from "../../../domain/workflow/index.ts";
import type { AppContext, ClientPrincipal } from "../../context.ts";
import { scopeWhere, systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
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
  /** Either or both; both (or none) means every status. */
  statuses?: ("open" | "closed")[];
  limit: number;
  offset?: number;
}

function publicWhere(f: Omit<PublicFilter, "limit" | "offset">, params: unknown[]) {
  const p = (v: unknown) => `$${params.push(v)}`;
  const conds = ["c.visibility <> 'hidden'"];
  if (f.ids) conds.push(`o.id = any(${p(f.ids)}::int[])`);
  if (f.serviceCodes) conds.push(`c.code = any(${p(f.serviceCodes)}::text[])`);
  if (f.from) conds.push(`o.created_at >= ${p(f.from)}`);
  if (f.to) conds.push(`o.created_at <= ${p(f.to)}`);
  const statuses = new Set(f.statuses ?? []);
  if (statuses.size === 1) {
    const closed = `o.state = any(${p(PUBLIC_CLOSED_STATES)}::text[])`;
    conds.push(statuses.has("closed") ? closed : `not ${closed}`);
  }
  return conds.join(" and ");
}

/** Orders a stranger may see, newest first. Hidden categories are left out entirely. */
export async function listPublic(ctx: AppContext, f: PublicFilter): Promise<PublicOrder[]> {
  const params: unknown[] = [];
  const where = publicWhere(f, params);
  const rows = await ctx.database.query<PublicOrderRow>(
    `select ${PUBLIC_COLUMNS} from ${PUBLIC_FROM} where ${where} order by o.id desc
     limit ${Math.trunc(f.limit)} offset ${Math.trunc(f.offset ?? 0)}`,
    params,
  );
  return rows.map(presentPublicOrder);
}

/** How many orders `listPublic` would return without its limit (for paging). */
export async function countPublic(ctx: AppContext, f: Omit<PublicFilter, "limit" | "offset">) {
  const params: unknown[] = [];
  const [r] = await ctx.database.query<{ n: number }>(
    `select count(*)::int as n from ${PUBLIC_FROM} where ${publicWhere(f, params)}`,
    params,
  );
  return r.n;
}

/** A change on a public order, as a stranger may see it: which order, when, into which state, by what step. */
export interface PublicUpdate {
  id: number;
  orderId: number;
  action: string;
  state: string;
  at: Date;
  /** Only for an update a client posted itself (its own words, masked like a public description). */
  clientText: string | null;
}

/**
 * The timeline entries of public orders in a window (by when they happened), oldest first. Staff notes never
 * leave: an entry says which step was taken and the state it led to; only a client's own posted update
 * carries its text, masked.
 */
export async function listPublicUpdates(
  ctx: AppContext,
  f: { from: Date; to: Date; ids?: number[]; limit: number; offset?: number },
): Promise<{ items: PublicUpdate[]; total: number }> {
  const params: unknown[] = [f.from, f.to];
  const idCond = f.ids ? `and o.id = any($${params.push(f.ids)}::int[])` : "";
  const from = `work_order_events e join work_orders o on o.id = e.order_id join categories c on c.id = o.category_id
     where c.visibility <> 'hidden' and e.at >= $1 and e.at <= $2 ${idCond}`;
  const [{ n }] = await ctx.database.query<{ n: number }>(`select count(*)::int as n from ${from}`, params);
  const rows = await ctx.database.query<PublicUpdate & { callerName: string | null }>(
    `select e.id, e.order_id as "orderId", e.action, e.to_state as state, e.at,
       case when e.action = 'client_update' and c.visibility = 'public' then e.note end as "clientText",
       o.caller_name as "callerName"
     from ${from} order by e.at, e.id limit ${Math.trunc(f.limit)} offset ${Math.trunc(f.offset ?? 0)}`,
    params,
  );
  return {
    total: n,
    items: rows.map(({ callerName, ...u }) => ({
      ...u,
      clientText: u.clientText === null ? null : publicText(u.clientText, [callerName]),
    })),
  };
}

/**
 * A comment or status report a third-party client (Open311 `servicerequestupdates`) posts on an order in its
 * key's area: kept on the order's timeline for staff, with the status the client reports in its detail. It
 * never moves the workflow itself: closing or reopening a government order stays a staff decision, taken on
 * the order with the client's note in front of them. The client's own update id makes a repeat a no-op
 * (the first entry's id is answered again). An order outside the key's area is 404, as a missing one.
 */
export async function addClientUpdate(
  ctx: AppContext,
  who: ClientPrincipal,
  orderId: number,
  u: {
    ref: string;
    status: string;
    description: string;
    at: Date;
    email?: string | null;
    mediaUrl?: string | null;
    name?: string | null;
  },
): Promise<{ id: number; repeated: boolean }> {
  const params: unknown[] = [orderId];
  const [o] = await ctx.database.query<{ state: string; orgPath: string }>(
    `select o.state, o.org_path as "orgPath" from work_orders o join categories c on c.id = o.category_id
     where o.id = $1 and c.visibility <> 'hidden' and ${scopeWhere(who, "o.org_path", params)}`,
    params,
  );
  if (!o) throw NotFound(`service_request_id ${orderId} not found`);
  const ref = `${who.keyId}:${u.ref}`;
  const seen = async () =>
    (
      await ctx.database.query<{ id: number }>(
        `select id from work_order_events where order_id = $1 and action = 'client_update' and detail->>'ref' = $2
         order by id limit 1`,
        [orderId, ref],
      )
    )[0];
  const before = await seen();
  if (before) return { id: before.id, repeated: true };
  const id = await ctx.database.db.transaction(async (tx) => {
    const [e] = await tx
      .insert(workOrderEvents)
      .values({
        orderId,
        action: "client_update",
        fromState: o.state,
        toState: o.state,
        actorId: null,
        actorName: who.displayName,
        at: u.at,
        note: u.description,
        detail: {
          ref,
          status: u.status,
          email: u.email ? maskEmail(u.email) : null,
          mediaUrl: u.mediaUrl ?? null,
          name: u.name ?? null,
        },
      })
      .returning({ id: workOrderEvents.id });
    await tx.update(workOrders).set({ updatedAt: new Date() }).where(eq(workOrders.id, orderId));
    await audit.record(tx, who, {
      action: "client_update",
      entity: "work_order",
      entityId: orderId,
      orgPath: o.orgPath,
      after: { status: u.status, ref: u.ref },
    });
    return e.id;
  });
  return { id, repeated: false };
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
