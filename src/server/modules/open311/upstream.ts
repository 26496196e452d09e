import { sql } from "drizzle-orm";
import { STATE_LABELS } from "../../../domain/workflow/index.ts";
import type { Actor, AppContext } from "../../context.ts";
import { scopeWhere, systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid } from "../../platform/errors.ts";
import * as notifications from "../notifications/index.ts";
import { getOrgUnit } from "../orgs/index.ts";
import * as workOrders from "../workOrders/index.ts";
import { extendedStatus, MAX_WINDOW_DAYS } from "./georeport.ts";
import { keyPolicy } from "./keys.ts";
import { placeOf } from "./place.ts";

// 上级交办: this installation as an Open311 *client* of an upstream platform (a city 12345). Three steps,
// each safe to run in several processes at once and to repeat (see README.md in this folder):
// - poll: read the upstream's requests of the link's jurisdiction window by window; each new one becomes a
//   local order (channel 12345热线) in one transaction with its upstream_requests row, whose unique
//   (origin, upstream id) makes any second delivery create nothing;
// - queue: each new step on such an order becomes an outbox message (notifications, kind upstream_update)
//   in the same transaction that advances the order's pushed_event_id;
// - send: the outbox deliverer with this module's transport POSTs them to the upstream's
//   servicerequestupdates, with the outbox's retries and backoff; our update_id (gk-<event id>) makes a
//   repeated POST a no-op upstream.

export const UPSTREAM_KIND = "upstream_update";
/** A window starts this long before the cursor: requests committed upstream a little late are still read. */
export const POLL_OVERLAP_MS = 10 * 60_000;
const DAY = 86_400_000;
const PAGE_SIZE = 200;
/** Attempts before an update is given up (the outbox's backoff caps at 30 min: about a working day). */
export const UPSTREAM_MAX_ATTEMPTS = 20;

export interface UpstreamOptions {
  /** Milliseconds before an upstream call is given up (a failure, retried). */
  timeoutMs?: number;
  /**
   * The outbox's clock for this round (a test moves it past a backoff). Polling always reads the real clock:
   * a window must never end in the future, or the cursor would pass requests not yet made.
   */
  deliverAt?: () => Date;
}

export interface LinkRow {
  id: number;
  name: string;
  baseUrl: string;
  apiKeyCipher: string;
  jurisdictionId: string;
  orgUnitId: number;
  orgPath: string;
  defaultCategory: string;
  pollCursor: Date;
}

const LINK_COLUMNS = `id, name, base_url as "baseUrl", api_key_cipher as "apiKeyCipher", jurisdiction_id as "jurisdictionId",
  org_unit_id as "orgUnitId", org_path as "orgPath", default_category as "defaultCategory", poll_cursor as "pollCursor"`;

/** What an upstream answered that is not what GeoReport promises: the whole answer is refused. */
export class UpstreamError extends Error {}

/** A request as the upstream lists it, checked. */
interface UpstreamRequest {
  id: string;
  serviceCode: string | null;
  description: string;
  address: string | null;
  lat: number | null;
  long: number | null;
  requestedAt: Date;
}

async function call(url: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const err = e as Error;
    throw new UpstreamError(
      err.name === "TimeoutError" ? `上级平台 ${timeoutMs} ms 未应答` : `上级平台无法连接：${err.message}`,
    );
  }
  const text = await res.text().catch(() => "");
  if (res.status < 200 || res.status >= 300)
    throw new UpstreamError(`上级平台返回 ${res.status}：${text.slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError(`上级平台返回的不是 JSON：${text.slice(0, 80)}`);
  }
}

/** One listed request, or the reason the answer is refused. */
function checkRequest(x: unknown): UpstreamRequest {
  if (!x || typeof x !== "object" || Array.isArray(x)) throw new UpstreamError("列表项不是对象");
  const r = x as Record<string, unknown>;
  const id = typeof r.service_request_id === "number" ? String(r.service_request_id) : r.service_request_id;
  if (typeof id !== "string" || !/^[\w.:-]{1,64}$/.test(id))
    throw new UpstreamError("列表项缺少合法的 service_request_id");
  const at = typeof r.requested_datetime === "string" ? new Date(r.requested_datetime) : null;
  if (!at || Number.isNaN(at.getTime())) throw new UpstreamError(`请求 ${id} 的 requested_datetime 不合法`);
  const num = (v: unknown, max: number) => {
    if (v === null || v === undefined || v === "") return null;
    const n = Number(v);
    if (!Number.isFinite(n) || Math.abs(n) > max) throw new UpstreamError(`请求 ${id} 的坐标不合法`);
    return n;
  };
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : null);
  return {
    id,
    serviceCode: str(r.service_code),
    description: (str(r.description) ?? "").replace(/\r\n?/g, "\n").slice(0, 4000),
    address: str(r.address)?.slice(0, 200) ?? null,
    lat: num(r.lat, 90),
    long: num(r.long, 180),
    requestedAt: at,
  };
}

/** Every request of one window, all pages, checked before anything is written. */
async function fetchWindow(ctx: AppContext, link: LinkRow, from: Date, to: Date, timeoutMs: number) {
  const out: UpstreamRequest[] = [];
  for (let page = 1; page <= 1000; page++) {
    const q = new URLSearchParams({
      jurisdiction_id: link.jurisdictionId,
      start_date: from.toISOString(),
      end_date: to.toISOString(),
      page: String(page),
      page_size: String(PAGE_SIZE),
      api_key: ctx.crypto.decrypt(link.apiKeyCipher),
    });
    const body = await call(`${link.baseUrl}/requests.json?${q}`, { method: "GET" }, timeoutMs);
    if (!Array.isArray(body)) throw new UpstreamError("上级平台返回的不是请求列表");
    out.push(...body.map(checkRequest));
    if (body.length < PAGE_SIZE) return out;
  }
  throw new UpstreamError("上级平台的分页没有结束");
}

/**
 * One upstream request → one local order, or nothing when it was delivered before. The row is inserted
 * first, in the order's transaction: a second delivery (even at the same moment, from another process)
 * meets the unique index and writes nothing.
 */
async function deliver(
  ctx: AppContext,
  link: LinkRow,
  known: Set<string>,
  r: UpstreamRequest,
  now: Date,
): Promise<"created" | "duplicate"> {
  const [seen] = await ctx.database.query(
    "select 1 from upstream_requests where origin = $1 and upstream_id = $2",
    [link.baseUrl, r.id],
  );
  if (seen) return "duplicate";
  const who = systemPrincipal("upstream_sync", `上级交办（${link.name}）`, link.orgPath);
  const place = await placeOf(ctx, who, { addressString: r.address ?? undefined, lat: r.lat, long: r.long });
  const description = r.description.length >= 2 ? r.description : "（上级交办未附描述）";
  const prepared = await workOrders.prepareOrder(
    ctx,
    who,
    {
      channel: "hotline_12345",
      categoryCode: r.serviceCode && known.has(r.serviceCode) ? r.serviceCode : link.defaultCategory,
      description,
      buildingId: place.buildingId,
      orgUnitId: place.buildingId ? undefined : (place.gridId ?? link.orgUnitId),
      address: r.address ?? undefined,
    },
    now,
    { lat: r.lat, long: r.long },
  );
  return ctx.database.db.transaction(async (tx) => {
    const ins =
      (await tx.execute(sql`insert into upstream_requests (link_id, origin, upstream_id, requested_at)
      values (${link.id}, ${link.baseUrl}, ${r.id}, ${r.requestedAt}) on conflict do nothing returning id`)) as unknown as {
        rows: { id: number }[];
      };
    if (!ins.rows[0]) return "duplicate";
    const order = await workOrders.writePreparedOrder(tx, prepared);
    // The order's own first steps (received, dispatched) are not reported back: the upstream sent it.
    await tx.execute(sql`update upstream_requests set order_id = ${order.id}, updated_at = now(),
      pushed_event_id = coalesce((select max(id) from work_order_events where order_id = ${order.id}), 0)
      where id = ${ins.rows[0].id}`);
    return "created";
  });
}

export interface PollResult {
  linkId: number;
  created: number;
  duplicates: number;
  error?: string;
}

/**
 * Reads the link's new requests window by window (at most 90 days each, the spec's limit) up to now and
 * moves the cursor past each window read whole. A failure (down, timeout, garbage) leaves the cursor where
 * it was and is recorded on the link; what was created before it stays whole and is not created again.
 */
export async function pollLink(
  ctx: AppContext,
  link: LinkRow,
  opts: UpstreamOptions = {},
): Promise<PollResult> {
  const now = new Date();
  const out: PollResult = { linkId: link.id, created: 0, duplicates: 0 };
  const known = new Set((await workOrders.listServices(ctx.database)).map((s) => s.code));
  let cursor = new Date(link.pollCursor);
  try {
    for (let i = 0; i < 8 && cursor < now; i++) {
      const from = new Date(cursor.getTime() - POLL_OVERLAP_MS);
      const to = new Date(Math.min(now.getTime(), from.getTime() + MAX_WINDOW_DAYS * DAY));
      const requests = await fetchWindow(ctx, link, from, to, opts.timeoutMs ?? 10_000);
      // Oldest first, so a failure part-way has delivered a prefix.
      requests.sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime());
      for (const r of requests) {
        if ((await deliver(ctx, link, known, r, now)) === "created") out.created++;
        else out.duplicates++;
      }
      cursor = to;
      await ctx.database.query(
        `update upstream_links set poll_cursor = greatest(poll_cursor, $2), last_poll_at = now(), last_poll_ok_at = now(),
         last_poll_error = null, updated_at = now() where id = $1`,
        [link.id, cursor],
      );
    }
  } catch (e) {
    out.error = (e as Error).message.slice(0, 500);
    await ctx.database.query(
      "update upstream_links set last_poll_at = now(), last_poll_error = $2, updated_at = now() where id = $1",
      [link.id, out.error],
    );
  }
  return out;
}

/** Events that are worth telling the upstream: a change of state, and the reply or result itself. */
const REPLY_ACTIONS = new Set(["reply", "resolve"]);

/**
 * Queues the new steps of upstream orders as outbox messages, and moves each order's pushed_event_id past
 * them in the same transaction (so each step is queued once, whatever the number of processes).
 */
export async function queueUpdates(ctx: AppContext, batch = 200): Promise<number> {
  return ctx.database.db.transaction(async (tx) => {
    const due = (await tx.execute(sql`select r.id, r.link_id as "linkId", r.upstream_id as "upstreamId",
        r.order_id as "orderId", r.pushed_event_id as "pushedEventId"
      from upstream_requests r where r.order_id is not null
        and exists (select 1 from work_order_events e where e.order_id = r.order_id and e.id > r.pushed_event_id)
      order by r.id limit ${batch} for update skip locked`)) as unknown as {
      rows: { id: number; linkId: number; upstreamId: string; orderId: number; pushedEventId: number }[];
    };
    let queued = 0;
    for (const r of due.rows) {
      const events =
        (await tx.execute(sql`select e.id, e.action, e.from_state as "fromState", e.to_state as "toState",
          e.at, e.note, o.org_path as "orgPath"
        from work_order_events e join work_orders o on o.id = e.order_id
        where e.order_id = ${r.orderId} and e.id > ${r.pushedEventId} order by e.id`)) as unknown as {
          rows: {
            id: number;
            action: string;
            fromState: string | null;
            toState: string;
            at: Date | string;
            note: string | null;
            orgPath: string;
          }[];
        };
      for (const e of events.rows) {
        if (e.action === "client_update") continue;
        if (e.fromState === e.toState && !REPLY_ACTIONS.has(e.action)) continue;
        const label = STATE_LABELS[e.toState as keyof typeof STATE_LABELS] ?? e.toState;
        // The reply and the result carry the worker's words (what 12345 tells the caller); other steps the state.
        const description = REPLY_ACTIONS.has(e.action) && e.note?.trim() ? e.note.trim() : label;
        await notifications.enqueue(tx, {
          kind: UPSTREAM_KIND,
          orderId: r.orderId,
          orgPath: e.orgPath,
          title: `上级交办回传：${label}`,
          body: description,
          payload: {
            linkId: r.linkId,
            serviceRequestId: r.upstreamId,
            updateId: `gk-${e.id}`,
            status: extendedStatus(e.toState).toUpperCase(),
            at: new Date(e.at).toISOString(),
            description,
          },
        });
        queued++;
      }
      const last = events.rows.at(-1)?.id ?? r.pushedEventId;
      await tx.execute(
        sql`update upstream_requests set pushed_event_id = ${last}, updated_at = now() where id = ${r.id}`,
      );
    }
    return queued;
  });
}

interface UpdatePayload {
  linkId: number;
  serviceRequestId: string;
  updateId: string;
  status: string;
  at: string;
  description: string;
}

/**
 * The outbox transport for upstream updates: one form POST to the link's servicerequestupdates. Links are
 * read before delivery starts (the deliverer holds its transaction while sending). Anything but 2xx with a
 * GeoReport answer naming an update_id is a failure the outbox retries.
 */
export async function upstreamTransport(
  ctx: AppContext,
  opts: UpstreamOptions = {},
): Promise<notifications.Transport> {
  const links = new Map(
    (await ctx.database.query<LinkRow>(`select ${LINK_COLUMNS} from upstream_links`)).map((l) => [l.id, l]),
  );
  return {
    name: "upstream_open311",
    async send(m) {
      const p = m.payload as UpdatePayload | null;
      const link = p ? links.get(p.linkId) : undefined;
      if (!p || !link) throw new Error("上级交办回传缺少对接配置");
      const body = new URLSearchParams({
        api_key: ctx.crypto.decrypt(link.apiKeyCipher),
        jurisdiction_id: link.jurisdictionId,
        service_request_id: p.serviceRequestId,
        update_id: p.updateId,
        status: p.status,
        updated_datetime: p.at,
        description: p.description,
      });
      const answer = await call(
        `${link.baseUrl}/servicerequestupdates.json`,
        { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body },
        opts.timeoutMs ?? 10_000,
      );
      const first = Array.isArray(answer) ? (answer[0] as Record<string, unknown> | undefined) : undefined;
      if (!first || (typeof first.update_id !== "string" && typeof first.update_id !== "number"))
        throw new UpstreamError("上级平台的应答里没有 update_id");
    },
  };
}

export interface SyncResult {
  polls: PollResult[];
  queued: number;
  sent: number;
  failed: number;
}

/** One round of all three steps for every link: what the server's sweep and `gridkeeper upstream sync` run. */
export async function syncUpstream(ctx: AppContext, opts: UpstreamOptions = {}): Promise<SyncResult> {
  const links = await ctx.database.query<LinkRow>(`select ${LINK_COLUMNS} from upstream_links order by id`);
  const polls: PollResult[] = [];
  for (const link of links) polls.push(await pollLink(ctx, link, opts));
  let queued = 0;
  for (let n = await queueUpdates(ctx); n > 0; n = await queueUpdates(ctx)) queued += n;
  const transport = await upstreamTransport(ctx, opts);
  const r = await notifications.drainOutbox(
    ctx,
    transport,
    100,
    { kinds: [UPSTREAM_KIND], maxAttempts: UPSTREAM_MAX_ATTEMPTS },
    opts.deliverAt ?? (() => new Date()),
  );
  return { polls, queued, sent: r.sent, failed: r.failed };
}

// ——— staff: the links and their state ———

export interface NewLink {
  name: string;
  baseUrl: string;
  apiKey: string;
  jurisdictionId: string;
  orgUnitId: number;
  defaultCategory: string;
  /** Where the first window starts (default: a day back). */
  since?: string;
}

export async function createLink(ctx: AppContext, actor: Actor, input: NewLink) {
  keyPolicy.authorize(actor, "manage");
  const unit = await getOrgUnit(ctx, actor, input.orgUnitId);
  if (unit.kind !== "street" && unit.kind !== "community" && unit.kind !== "grid")
    throw Invalid("请选择街道、社区或网格", [
      { field: "orgUnitId", message: "接收单位: 须为街道、社区或网格" },
    ]);
  let base: URL;
  try {
    base = new URL(input.baseUrl.trim());
  } catch {
    throw Invalid("地址不合法", [{ field: "baseUrl", message: "接口地址: 须为 http(s) 地址" }]);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:")
    throw Invalid("地址不合法", [{ field: "baseUrl", message: "接口地址: 须为 http(s) 地址" }]);
  const baseUrl = `${base.origin}${base.pathname.replace(/\/+$/, "")}`;
  const known = new Set((await workOrders.listServices(ctx.database)).map((s) => s.code));
  if (!known.has(input.defaultCategory))
    throw Invalid("未知的诉求分类", [{ field: "defaultCategory", message: "默认分类: 未知或已停用" }]);
  const since = input.since ? new Date(input.since) : new Date(Date.now() - DAY);
  if (Number.isNaN(since.getTime()))
    throw Invalid("起始时间不合法", [{ field: "since", message: "起始时间: 须为 ISO 时间" }]);
  const [row] = await ctx.database.query<{ id: number }>(
    `insert into upstream_links (name, base_url, api_key_cipher, jurisdiction_id, org_unit_id, org_path, default_category, poll_cursor, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing returning id`,
    [
      input.name.trim(),
      baseUrl,
      ctx.crypto.encrypt(input.apiKey.trim()),
      input.jurisdictionId.trim(),
      unit.id,
      unit.path,
      input.defaultCategory,
      since,
      actor.id,
    ],
  );
  if (!row) throw Conflict("该平台的这个辖区已经对接");
  await audit.record(ctx.database.db, actor, {
    action: "create",
    entity: "upstream_link",
    entityId: row.id,
    orgPath: unit.path,
    after: { name: input.name.trim(), baseUrl, jurisdictionId: input.jurisdictionId.trim() },
  });
  return row.id;
}

export interface LinkState {
  id: number;
  name: string;
  baseUrl: string;
  jurisdictionId: string;
  orgUnitId: number;
  orgName: string;
  pollCursor: Date;
  lastPollAt: Date | null;
  lastPollOkAt: Date | null;
  lastPollError: string | null;
  orders: number;
  pending: number;
  failed: number;
}

export async function listLinks(ctx: AppContext, actor: Actor): Promise<LinkState[]> {
  keyPolicy.authorize(actor, "manage");
  const params: unknown[] = [];
  return ctx.database.query<LinkState>(
    `select l.id, l.name, l.base_url as "baseUrl", l.jurisdiction_id as "jurisdictionId", l.org_unit_id as "orgUnitId",
       u.name as "orgName", l.poll_cursor as "pollCursor", l.last_poll_at as "lastPollAt",
       l.last_poll_ok_at as "lastPollOkAt", l.last_poll_error as "lastPollError",
       (select count(*)::int from upstream_requests r where r.link_id = l.id) as orders,
       (select count(*)::int from notifications n where n.kind = '${UPSTREAM_KIND}' and n.state = 'pending'
          and (n.payload->>'linkId')::int = l.id) as pending,
       (select count(*)::int from notifications n where n.kind = '${UPSTREAM_KIND}' and n.state = 'failed'
          and (n.payload->>'linkId')::int = l.id) as failed
     from upstream_links l join org_units u on u.id = l.org_unit_id
     where ${scopeWhere(actor, "l.org_path", params)} order by l.id`,
    params,
  );
}

/** An order's upstream id and sync state, for staff (null for an order that did not come from upstream). */
export async function upstreamOfOrder(ctx: AppContext, orderId: number) {
  const [r] = await ctx.database.query<{
    linkName: string;
    upstreamId: string;
    pending: number;
    failed: number;
    sent: number;
    lastError: string | null;
    lastSentAt: Date | null;
  }>(
    `select l.name as "linkName", r.upstream_id as "upstreamId",
       count(*) filter (where n.state = 'pending')::int as pending,
       count(*) filter (where n.state = 'failed')::int as failed,
       count(*) filter (where n.state = 'sent')::int as sent,
       (array_agg(n.last_error order by n.id desc) filter (where n.state <> 'sent'))[1] as "lastError",
       max(n.sent_at) as "lastSentAt"
     from upstream_requests r join upstream_links l on l.id = r.link_id
     left join notifications n on n.order_id = r.order_id and n.kind = '${UPSTREAM_KIND}'
     where r.order_id = $1 group by l.name, r.upstream_id`,
    [orderId],
  );
  if (!r) return null;
  const syncState = r.failed ? "failed" : r.pending ? "pending" : "synced";
  return {
    platform: r.linkName,
    upstreamId: r.upstreamId,
    syncState,
    syncLabel: { failed: "回传失败", pending: "待回传", synced: "已同步" }[syncState],
    pendingUpdates: r.pending,
    sentUpdates: r.sent,
    lastError: r.lastError,
    lastSentAt: r.lastSentAt,
  } as const;
}
