import { sql } from "drizzle-orm";
import { STATE_LABELS } from "../../../domain/workflow/index.ts";
import type { Actor, AppContext } from "../../context.ts";
import { scopeWhere, systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
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
  /**
   * Poll only the links whose interval has passed since their last poll (the server's minute sweep). Without
   * it (the CLI, tests) every enabled link is polled now.
   */
  onlyDue?: boolean;
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
  enabled: boolean;
}

const LINK_COLUMNS = `id, name, base_url as "baseUrl", api_key_cipher as "apiKeyCipher", jurisdiction_id as "jurisdictionId",
  org_unit_id as "orgUnitId", org_path as "orgPath", default_category as "defaultCategory", poll_cursor as "pollCursor",
  enabled`;

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
    out.error = withoutSecret((e as Error).message, ctx.crypto.decrypt(link.apiKeyCipher)).slice(0, 500);
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

/** An error text with the link's key blanked out (an upstream may echo the URL it was asked for). */
function withoutSecret(text: string, key: string) {
  return key ? text.split(key).join("****").split(encodeURIComponent(key)).join("****") : text;
}

/** A secret as staff may see it: its last four characters when it is long enough to spare them. */
export function maskSecret(key: string) {
  return key.length >= 12 ? `****${key.slice(-4)}` : "****";
}

export interface SyncResult {
  polls: PollResult[];
  queued: number;
  sent: number;
  failed: number;
}

/** One round of all three steps for every link: what the server's sweep and `gridkeeper upstream sync` run. */
export async function syncUpstream(ctx: AppContext, opts: UpstreamOptions = {}): Promise<SyncResult> {
  // The sweep runs every minute: a link is due when its interval has passed, less half a minute of the
  // sweep's own jitter (else a 1-minute link would be polled every other tick). Read with the links themselves.
  const links = await ctx.database.query<LinkRow & { due: boolean }>(
    `select ${LINK_COLUMNS}, (last_poll_at is null
       or last_poll_at <= now() - make_interval(secs => poll_interval_minutes * 60 - 30)) as due
     from upstream_links order by id`,
  );
  const polls: PollResult[] = [];
  for (const link of links)
    if (link.enabled && (!opts.onlyDue || link.due)) polls.push(await pollLink(ctx, link, opts));
  const disabled = links.filter((l) => !l.enabled).map((l) => l.id);
  let queued = 0;
  for (let n = await queueUpdates(ctx); n > 0; n = await queueUpdates(ctx)) queued += n;
  const transport = await upstreamTransport(ctx, opts);
  const r = await notifications.drainOutbox(
    ctx,
    transport,
    100,
    {
      kinds: [UPSTREAM_KIND],
      maxAttempts: UPSTREAM_MAX_ATTEMPTS,
      // A disabled link's steps wait, queued, until it is enabled again.
      where: disabled.length
        ? sql`not ((payload->>'linkId')::int = any(${`{${disabled.join(",")}}`}::int[]))`
        : undefined,
    },
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
  /** Minutes between polls (default 1). */
  pollIntervalMinutes?: number;
  enabled?: boolean;
  /** Where the first window starts (default: a day back). */
  since?: string;
}

/** A change to a link: any of its settings; an absent or blank apiKey keeps the key it has. */
export type LinkChange = Partial<Omit<NewLink, "since">>;

const POLL_INTERVAL_MAX = 1440;

/** The settings checked, each problem a Chinese field error (all of them at once), nothing written. */
async function checkSettings(ctx: AppContext, actor: Actor, input: LinkChange) {
  const fields: { field: string; message: string }[] = [];
  const out: {
    name?: string;
    baseUrl?: string;
    apiKey?: string;
    jurisdictionId?: string;
    unit?: { id: number; path: string };
    defaultCategory?: string;
    pollIntervalMinutes?: number;
    enabled?: boolean;
  } = {};
  if (input.name !== undefined) {
    out.name = input.name.trim();
    if (!out.name) fields.push({ field: "name", message: "名称: 不能为空" });
  }
  if (input.baseUrl !== undefined) {
    let base: URL | null = null;
    try {
      base = new URL(input.baseUrl.trim());
    } catch {}
    if (!base || (base.protocol !== "http:" && base.protocol !== "https:"))
      fields.push({
        field: "baseUrl",
        message: "接口地址: 须为 http(s) 地址，如 https://12345.example.gov.cn/open311/v2",
      });
    else if (base.username || base.password || base.search)
      fields.push({ field: "baseUrl", message: "接口地址: 不要在地址里带账号或参数，密钥请填在“接口密钥”" });
    else out.baseUrl = `${base.origin}${base.pathname.replace(/\/+$/, "")}`;
  }
  if (input.apiKey?.trim()) out.apiKey = input.apiKey.trim();
  if (input.jurisdictionId !== undefined) {
    out.jurisdictionId = input.jurisdictionId.trim();
    if (!/^[\w.:-]{1,40}$/.test(out.jurisdictionId))
      fields.push({ field: "jurisdictionId", message: "辖区编码: 须为字母、数字或 . : - _，如 320600" });
  }
  if (input.orgUnitId !== undefined) {
    const unit = await getOrgUnit(ctx, actor, input.orgUnitId);
    if (unit.kind !== "street" && unit.kind !== "community" && unit.kind !== "grid")
      fields.push({ field: "orgUnitId", message: "接收单位: 须为街道、社区或网格" });
    else out.unit = { id: unit.id, path: unit.path };
  }
  if (input.defaultCategory !== undefined) {
    const known = new Set((await workOrders.listServices(ctx.database)).map((s) => s.code));
    if (!known.has(input.defaultCategory))
      fields.push({ field: "defaultCategory", message: "默认分类: 未知或已停用" });
    else out.defaultCategory = input.defaultCategory;
  }
  if (input.pollIntervalMinutes !== undefined) {
    const n = input.pollIntervalMinutes;
    if (!Number.isInteger(n) || n < 1 || n > POLL_INTERVAL_MAX)
      fields.push({
        field: "pollIntervalMinutes",
        message: `轮询间隔: 须为 1–${POLL_INTERVAL_MAX} 分钟的整数`,
      });
    else out.pollIntervalMinutes = n;
  }
  if (input.enabled !== undefined) out.enabled = input.enabled;
  if (fields.length) throw Invalid(fields.map((f) => f.message).join("；"), fields);
  return out;
}

const isUniqueViolation = (e: unknown) =>
  (e as { code?: string }).code === "23505" || (e as { cause?: { code?: string } }).cause?.code === "23505";

export async function createLink(ctx: AppContext, actor: Actor, input: NewLink) {
  keyPolicy.authorize(actor, "manage");
  const v = await checkSettings(ctx, actor, input);
  if (!v.apiKey) throw Invalid("接口密钥不能为空", [{ field: "apiKey", message: "接口密钥: 不能为空" }]);
  const since = input.since ? new Date(input.since) : new Date(Date.now() - DAY);
  if (Number.isNaN(since.getTime()))
    throw Invalid("起始时间不合法", [{ field: "since", message: "起始时间: 须为 ISO 时间" }]);
  const unit = v.unit as { id: number; path: string };
  const [row] = await ctx.database.query<{ id: number }>(
    `insert into upstream_links (name, base_url, api_key_cipher, jurisdiction_id, org_unit_id, org_path, default_category,
       poll_cursor, poll_interval_minutes, enabled, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict do nothing returning id`,
    [
      v.name,
      v.baseUrl,
      ctx.crypto.encrypt(v.apiKey),
      v.jurisdictionId,
      unit.id,
      unit.path,
      v.defaultCategory,
      since,
      v.pollIntervalMinutes ?? 1,
      v.enabled ?? true,
      actor.id,
    ],
  );
  if (!row) throw Conflict("该平台的这个辖区已经对接");
  await audit.record(ctx.database.db, actor, {
    action: "create",
    entity: "upstream_link",
    entityId: row.id,
    orgPath: unit.path,
    after: {
      name: v.name,
      baseUrl: v.baseUrl,
      jurisdictionId: v.jurisdictionId,
      orgUnitId: unit.id,
      defaultCategory: v.defaultCategory,
      pollIntervalMinutes: v.pollIntervalMinutes ?? 1,
      enabled: v.enabled ?? true,
      apiKey: maskSecret(v.apiKey),
    },
  });
  return row.id;
}

/**
 * Changes a link's settings (the admin card's form): outside the caller's subtree it is not found. A new
 * base URL carries the link's delivered requests with it (their origin), so re-reading the overlap from the
 * moved address creates nothing twice. The audit entry names what changed; a new key only as masked.
 */
export async function updateLink(ctx: AppContext, actor: Actor, id: number, input: LinkChange) {
  keyPolicy.authorize(actor, "manage");
  const params: unknown[] = [id];
  const [before] = await ctx.database.query<{
    id: number;
    name: string;
    baseUrl: string;
    jurisdictionId: string;
    orgUnitId: number;
    orgPath: string;
    defaultCategory: string;
    pollIntervalMinutes: number;
    enabled: boolean;
    apiKeyCipher: string;
  }>(
    `select id, name, base_url as "baseUrl", jurisdiction_id as "jurisdictionId", org_unit_id as "orgUnitId",
       org_path as "orgPath", default_category as "defaultCategory", poll_interval_minutes as "pollIntervalMinutes",
       enabled, api_key_cipher as "apiKeyCipher"
     from upstream_links where id = $1 and ${scopeWhere(actor, "org_path", params)}`,
    params,
  );
  if (!before) throw NotFound("上级对接不存在");
  const v = await checkSettings(ctx, actor, input);
  const after = {
    name: v.name ?? before.name,
    baseUrl: v.baseUrl ?? before.baseUrl,
    jurisdictionId: v.jurisdictionId ?? before.jurisdictionId,
    orgUnitId: v.unit?.id ?? before.orgUnitId,
    orgPath: v.unit?.path ?? before.orgPath,
    defaultCategory: v.defaultCategory ?? before.defaultCategory,
    pollIntervalMinutes: v.pollIntervalMinutes ?? before.pollIntervalMinutes,
    enabled: v.enabled ?? before.enabled,
  };
  const oldKey = ctx.crypto.decrypt(before.apiKeyCipher);
  const keyChanged = v.apiKey !== undefined && v.apiKey !== oldKey;
  const changed = (Object.keys(after) as (keyof typeof after)[]).filter(
    (k) => k !== "orgPath" && after[k] !== before[k],
  );
  if (!changed.length && !keyChanged) return;
  try {
    await ctx.database.db.transaction(async (tx) => {
      await tx.execute(sql`update upstream_links set name = ${after.name}, base_url = ${after.baseUrl},
        jurisdiction_id = ${after.jurisdictionId}, org_unit_id = ${after.orgUnitId}, org_path = ${after.orgPath},
        default_category = ${after.defaultCategory}, poll_interval_minutes = ${after.pollIntervalMinutes},
        enabled = ${after.enabled},
        api_key_cipher = ${keyChanged ? ctx.crypto.encrypt(v.apiKey as string) : before.apiKeyCipher},
        last_poll_error = ${changed.includes("enabled") || keyChanged || changed.includes("baseUrl") ? null : sql`last_poll_error`},
        updated_at = now() where id = ${id}`);
      if (after.baseUrl !== before.baseUrl)
        await tx.execute(
          sql`update upstream_requests set origin = ${after.baseUrl}, updated_at = now() where link_id = ${id}`,
        );
      await audit.record(tx, actor, {
        action: "update",
        entity: "upstream_link",
        entityId: id,
        orgPath: after.orgPath,
        before: {
          ...Object.fromEntries(changed.map((k) => [k, before[k]])),
          ...(keyChanged ? { apiKey: maskSecret(oldKey) } : {}),
        },
        after: {
          ...Object.fromEntries(changed.map((k) => [k, after[k]])),
          ...(keyChanged ? { apiKey: maskSecret(v.apiKey as string) } : {}),
        },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw Conflict("该平台的这个辖区已经对接");
    throw e;
  }
}

export interface LinkState {
  id: number;
  name: string;
  baseUrl: string;
  apiKeyMasked: string;
  jurisdictionId: string;
  orgUnitId: number;
  orgName: string;
  defaultCategory: string;
  pollIntervalMinutes: number;
  enabled: boolean;
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
  const rows = await ctx.database.query<Omit<LinkState, "apiKeyMasked"> & { apiKeyCipher: string }>(
    `select l.id, l.name, l.base_url as "baseUrl", l.jurisdiction_id as "jurisdictionId", l.org_unit_id as "orgUnitId",
       u.name as "orgName", l.default_category as "defaultCategory", l.poll_interval_minutes as "pollIntervalMinutes",
       l.enabled, l.api_key_cipher as "apiKeyCipher", l.poll_cursor as "pollCursor", l.last_poll_at as "lastPollAt",
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
  // The key is kept because it is sent; staff see only its last characters.
  return rows.map(({ apiKeyCipher, ...l }) => ({
    ...l,
    apiKeyMasked: maskSecret(ctx.crypto.decrypt(apiKeyCipher)),
  }));
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
