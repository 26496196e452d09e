import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import type { AppContext, Principal } from "../../context.ts";
import { scopeWhere } from "../../platform/access.ts";
import { authorize } from "../../platform/policy.ts";
import { NOTIFICATION_COLUMNS, type NotificationRow, presentNotification } from "./presenter.ts";

// Notifications outbox: a message is written in the same transaction as the change that causes it,
// and a deliverer sends it later through a transport. A crash between the two loses nothing.

export interface OutgoingMessage {
  kind: string;
  orderId?: number | null;
  recipientAccountId?: number | null;
  recipientOrgId?: number | null;
  /** A resident's phone, encrypted (ctx.crypto): the message goes to them, not to staff. */
  recipientPhoneCipher?: string | null;
  orgPath?: string | null;
  title: string;
  body: string;
  /** For a machine transport (an upstream platform's update): delivered only by a deliverer naming `kind`. */
  payload?: unknown;
}

/** Writes one message in the caller's transaction. With `insertNotificationsSelect`, the only writer of the table. */
export async function enqueue(db: Db, m: OutgoingMessage): Promise<void> {
  await db.execute(sql`insert into notifications (kind, order_id, recipient_account_id, recipient_org_id, recipient_phone_cipher, org_path, title, body, payload)
    values (${m.kind}, ${m.orderId ?? null}, ${m.recipientAccountId ?? null}, ${m.recipientOrgId ?? null}, ${m.recipientPhoneCipher ?? null}, ${m.orgPath ?? null}, ${m.title}, ${m.body}, ${m.payload === undefined ? null : JSON.stringify(m.payload)}::jsonb)`);
}

/**
 * For set-based writers (intake's batch, the SLA sweep) that queue many messages in one statement: an
 * `insert … select` over a relation yielding (kind, order_id, recipient_org_id, org_path, title, body).
 */
export const insertNotificationsSelect = (select: string) =>
  `insert into notifications (kind, order_id, recipient_org_id, org_path, title, body) ${select}`;

/** The same for messages to residents' phones: (kind, order_id, recipient_phone_cipher, org_path, title, body). */
export const insertPhoneMessagesSelect = (select: string) =>
  `insert into notifications (kind, order_id, recipient_phone_cipher, org_path, title, body) ${select}`;

/** How a message leaves the system. SMS and WeChat adapters implement the same interface later. */
export interface Transport {
  name: string;
  send(m: {
    id: number;
    kind: string;
    title: string;
    body: string;
    recipientOrgId: number | null;
    recipientAccountId: number | null;
    /** Encrypted; an SMS transport decrypts it with ctx.crypto at the moment of sending. */
    recipientPhoneCipher: string | null;
    orderId?: number | null;
    /** Only for the kinds a machine transport delivers (see `Delivery.kinds`). */
    payload?: unknown;
  }): Promise<void>;
}

/** The default transport: records delivery in the log (the message row itself is the record). */
export function logTransport(log: (msg: string) => void = () => {}): Transport {
  return {
    name: "log",
    async send(m) {
      log(`notification ${m.id} (${m.kind}) delivered`);
    },
  };
}

export const MAX_ATTEMPTS = 6;

/** Exponential backoff: 30 s, 1 min, 2 min … capped at 30 min. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30 * 60_000, 30_000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Which messages a deliverer takes. By default the messages for people (no payload); a machine transport
 * (an upstream platform) names its kinds and takes only those, with its own attempt limit.
 */
export interface Delivery {
  kinds?: string[];
  maxAttempts?: number;
  /** Further condition on the messages taken (an upstream transport leaves a disabled link's). */
  where?: SQL;
}

/**
 * Claims one batch of due messages with FOR UPDATE SKIP LOCKED (so several server processes never send one
 * twice), sends them, and records the outcome; failures retry with backoff until MAX_ATTEMPTS. The sent ones
 * are marked in one statement (one UPDATE per message made delivery a round trip per message).
 */
export async function deliverPending(
  ctx: AppContext,
  transport: Transport,
  now = new Date(),
  batch = 100,
  delivery: Delivery = {},
) {
  const which = delivery.kinds
    ? sql`kind = any(${`{${delivery.kinds.join(",")}}`}::text[])`
    : sql`payload is null`;
  const extra = delivery.where ? sql` and ${delivery.where}` : sql``;
  const maxAttempts = delivery.maxAttempts ?? MAX_ATTEMPTS;
  const sentIds: number[] = [];
  let failed = 0;
  await ctx.database.db.transaction(async (tx) => {
    const res = (await (
      tx as any
    ).execute(sql`select id, kind, title, body, attempts, recipient_org_id as "recipientOrgId",
        recipient_account_id as "recipientAccountId", recipient_phone_cipher as "recipientPhoneCipher", order_id as "orderId", payload
      from notifications where state = 'pending' and next_attempt_at <= ${now} and ${which}${extra}
      order by next_attempt_at, id limit ${batch} for update skip locked`)) as {
      rows: any[];
    };
    for (const m of res.rows) {
      try {
        await transport.send(m);
        sentIds.push(m.id);
      } catch (e) {
        const attempts = m.attempts + 1;
        const state = attempts >= maxAttempts ? "failed" : "pending";
        await (tx as any).execute(sql`update notifications set state = ${state}, attempts = ${attempts},
          next_attempt_at = ${new Date(now.getTime() + retryDelayMs(attempts))}, last_error = ${String((e as Error).message).slice(0, 500)},
          transport = ${transport.name}, updated_at = now() where id = ${m.id}`);
        failed++;
      }
    }
    if (sentIds.length)
      await (
        tx as any
      ).execute(sql`update notifications set state = 'sent', sent_at = ${now}, attempts = attempts + 1,
        transport = ${transport.name}, last_error = null, updated_at = now()
        where id = any(${`{${sentIds.join(",")}}`}::int[])`);
  });
  return { sent: sentIds.length, failed };
}

/**
 * Delivers batch after batch until the due backlog is empty. A sweep that marks thousands of orders overdue
 * writes thousands of messages at once; one batch per tick would take hours to send them.
 */
export async function drainOutbox(
  ctx: AppContext,
  transport: Transport,
  batch = 500,
  delivery: Delivery = {},
  now = () => new Date(),
) {
  const total = { sent: 0, failed: 0 };
  for (;;) {
    const r = await deliverPending(ctx, transport, now(), batch, delivery);
    total.sent += r.sent;
    total.failed += r.failed;
    if (r.sent + r.failed < batch) return total;
  }
}

/** The outbox of the caller's subtree, newest first. */
export async function listNotifications(
  ctx: AppContext,
  who: Principal,
  f: { state?: string; limit: number },
) {
  authorize(who, "notification.read");
  const params: unknown[] = [];
  let where = scopeWhere(who, "org_path", params);
  if (f.state) where += ` and state = $${params.push(f.state)}`;
  const rows = await ctx.database.query<NotificationRow>(
    `select ${NOTIFICATION_COLUMNS} from notifications where ${where} order by id desc limit ${f.limit}`,
    params,
  );
  return rows.map(presentNotification);
}
