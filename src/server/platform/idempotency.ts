import crypto from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Database } from "../../db/client.ts";
import { writeContext } from "../../db/writeContext.ts";
import { AppError } from "./errors.ts";

/**
 * Idempotent writes. A write (POST, PUT, PATCH, DELETE under /api and /open311) sent with an
 * `Idempotency-Key` header runs once per caller and key: the first request claims the key in
 * `idempotency_keys`, and its answer (status and body) is stored before it leaves the server. A retry
 * with the same key gets that answer again with `Idempotent-Replayed: true`; the same key with another
 * request is refused (422); a retry while the first is still running waits for it a few seconds, then
 * answers 409 (try again). Keys belong to the caller (an account, an Open311 key, or a public page's
 * address), so two callers never see each other's answers; they are kept 24 hours.
 *
 * A crash between the write and the stored answer: the claim holds a lease that the running request
 * renews; when it runs out, the key is free again only if nothing was committed under it — every
 * transaction the request commits (and the grouped intake statement) marks the key committed in the same
 * transaction (db/writeContext.ts). A committed key without an answer is never run again; its retry learns
 * that the write was done (409 idempotency_outcome_unknown) and reads the result from the lists.
 * Single-statement writes outside a transaction (few: counters, key revocation) are not marked.
 */

export const IDEMPOTENCY_HEADER = "idempotency-key";
const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** How long answers are kept: a retry a day later is a new request. */
export const IDEMPOTENCY_TTL_HOURS = 24;

export interface IdempotencyOptions {
  /** How long a claim holds without renewal (a process that died frees its keys after this). */
  leaseMs?: number;
  /** How long a retry waits for the first request to finish before answering 409. */
  waitMs?: number;
  /** How long an answer waits for the database to store it (a restart) before it is sent unstored. */
  storeRetryMs?: number;
}

interface Claim {
  id: number;
  renew: NodeJS.Timeout;
  settled: boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    idempotency?: Claim;
  }
}

interface KeyRow {
  id: number;
  method: string;
  path: string;
  requestHash: string;
  state: string;
  leaseOver: boolean;
  committed: boolean;
  status: number | null;
  contentType: string | null;
  body: string | null;
  bodyEncoding: string;
}

/** Whether the request is a write this plugin guards (auth's login and logout are not: sessions are not replayed). */
export function guardedWrite(method: string, url: string): boolean {
  if (!WRITES.has(method)) return false;
  const path = url.split("?")[0];
  return (path.startsWith("/api/") && !path.startsWith("/api/auth/")) || path.startsWith("/open311/");
}

/** Who owns the key: the signed-in account, the Open311 client by its api_key, or the public page's address. */
function ownerOf(app: FastifyInstance, req: FastifyRequest): string {
  if (req.actor?.id) return `a:${req.actor.id}`;
  const apiKey = (req.body as any)?.api_key ?? (req.query as any)?.api_key;
  if (typeof apiKey === "string" && apiKey) return `k:${app.ctx.crypto.hash(apiKey)}`;
  return `ip:${req.ip}`;
}

function requestHash(req: FastifyRequest): string {
  const h = crypto.createHash("sha256").update(`${req.method}\u0000${req.url}\u0000`);
  const b = req.body;
  if (Buffer.isBuffer(b)) h.update(b);
  else if (typeof b === "string") h.update(b, "utf8");
  else h.update(JSON.stringify(b ?? null), "utf8");
  return h.digest("base64url");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const SELECT_KEY = `select id, method, path, request_hash as "requestHash", state, lease_until < now() as "leaseOver",
  committed, status, content_type as "contentType", body, body_encoding as "bodyEncoding"
  from idempotency_keys where actor = $1 and key = $2`;

export const idempotencyPlugin = fp(async (app: FastifyInstance, opts: IdempotencyOptions) => {
  const leaseMs = opts.leaseMs ?? 15_000;
  const waitMs = opts.waitMs ?? 5_000;
  const storeRetryMs = opts.storeRetryMs ?? 10_000;
  const database = () => app.ctx.database;

  // Every request runs in its own write context, so the writes it makes can find its key (and its route).
  app.addHook("onRequest", (req, _reply, done) => {
    writeContext.run({ route: req.routeOptions.url }, done);
  });

  app.addHook("preHandler", async (req, reply) => {
    const raw = req.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined || !guardedWrite(req.method, req.url)) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!KEY_PATTERN.test(key))
      throw new AppError(400, "invalid", "Idempotency-Key 须为 1–255 个可打印 ASCII 字符", {
        fields: [{ field: "Idempotency-Key", message: "格式不正确" }],
      });
    const owner = ownerOf(app, req);
    const hash = requestHash(req);
    const path = req.url;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const claimed = await claim(database(), owner, key, req.method, path, hash, leaseMs);
      if (claimed !== undefined) return own(req, claimed);
      const [row] = await database().query<KeyRow>(SELECT_KEY, [owner, key]);
      if (!row) continue; // swept between the two statements: claim again
      if (row.requestHash !== hash)
        throw new AppError(
          422,
          "idempotency_key_reused",
          "同一个 Idempotency-Key 已用于另一个请求；每次新操作请使用新的键",
          { method: row.method, path: row.path },
        );
      if (row.state === "done") return replay(reply, row);
      if (row.leaseOver) {
        if (!row.committed) {
          // Its process died before committing anything: this request runs it.
          const taken = await takeOver(database(), row.id, leaseMs);
          if (taken) return own(req, row.id);
          continue;
        }
        // Its process died after committing and before answering: never run it twice.
        const lost = await settleLost(database(), row.id);
        return replay(reply, lost ?? row);
      }
      if (Date.now() >= deadline)
        throw new AppError(
          409,
          "idempotency_in_flight",
          "同一操作正在处理中，请稍后重试",
          { retryAfterSeconds: 1 },
          { "retry-after": "1" },
        );
      await sleep(100);
    }
  });

  function own(req: FastifyRequest, id: number) {
    const store = writeContext.getStore();
    if (store) store.idempotencyId = id;
    const renew = setInterval(
      () => {
        void database()
          .query(
            "update idempotency_keys set lease_until = now() + make_interval(secs => $2) where id = $1",
            [id, leaseMs / 1000],
          )
          .catch(() => {});
      },
      Math.max(100, leaseMs / 3),
    );
    renew.unref();
    req.idempotency = { id, renew, settled: false };
  }

  // The answer is stored before it leaves: a caller that got it, and retries, gets it again.
  app.addHook("onSend", async (req, reply, payload) => {
    const c = req.idempotency;
    if (!c || c.settled) return payload;
    c.settled = true;
    clearInterval(c.renew);
    const status = reply.statusCode;
    // An answer that sets a cookie (a sign-in) cannot be replayed: the cookie is not kept.
    const setsCookie = [reply.getHeader("set-cookie") ?? []]
      .flat()
      .some((c) => !String(c).startsWith("gk_rw="));
    const bytes = (typeof payload === "string" || Buffer.isBuffer(payload)) && !setsCookie;
    const store = async () => {
      // A 5xx, a 429 or a stream is not kept unless something was committed: the retry runs again.
      const stored =
        bytes && status !== 429
          ? await database().query(
              `update idempotency_keys set state = 'done', status = $2, content_type = $3, body = $4,
                 body_encoding = $5, updated_at = now()
               where id = $1 and ($2 < 500 or committed) returning id`,
              [
                c.id,
                status,
                String(reply.getHeader("content-type") ?? ""),
                Buffer.isBuffer(payload) ? payload.toString("base64") : payload,
                Buffer.isBuffer(payload) ? "base64" : "utf8",
              ],
            )
          : [];
      if (stored.length === 0) await release(database(), c.id);
    };
    // The database may be restarting right after the write committed: the answer waits for it a while, so
    // that a retry gets this answer rather than "done, answer lost". Past that the caller still gets it.
    // A failure's answer is not worth the wait: its key is freed (or its lease runs out) either way.
    const until = Date.now() + (status < 500 ? storeRetryMs : 0);
    for (;;) {
      try {
        await store();
        break;
      } catch (err) {
        if (Date.now() >= until) {
          req.log.warn({ err }, "idempotency: answer not stored");
          break;
        }
        await sleep(250);
      }
    }
    return payload;
  });

  // A request that ended without sending (aborted, crashed handler) frees its key unless it committed.
  app.addHook("onResponse", async (req) => {
    const c = req.idempotency;
    if (!c || c.settled) return;
    c.settled = true;
    clearInterval(c.renew);
    await release(database(), c.id).catch(() => {});
  });
});

async function claim(
  database: Database,
  owner: string,
  key: string,
  method: string,
  path: string,
  hash: string,
  leaseMs: number,
): Promise<number | undefined> {
  const [row] = await database.query<{ id: number }>(
    `insert into idempotency_keys (actor, key, method, path, request_hash, lease_until)
     values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
     on conflict (actor, key) do nothing returning id`,
    [owner, key, method, path, hash, leaseMs / 1000],
    { name: "idempotency_claim" },
  );
  return row?.id;
}

async function takeOver(database: Database, id: number, leaseMs: number): Promise<boolean> {
  const rows = await database.query(
    `update idempotency_keys set lease_until = now() + make_interval(secs => $2), updated_at = now()
     where id = $1 and state = 'pending' and lease_until < now() and not committed returning id`,
    [id, leaseMs / 1000],
  );
  return rows.length > 0;
}

const LOST_BODY = JSON.stringify({
  error: {
    code: "idempotency_outcome_unknown",
    message: "该操作已执行，但处理它的服务进程在应答前中断；请刷新查看结果，不要重复提交",
  },
});

/** A committed key whose answer was lost gets a fixed answer, kept like any other. */
async function settleLost(database: Database, id: number): Promise<KeyRow | undefined> {
  const [row] = await database.query<KeyRow>(
    `update idempotency_keys set state = 'done', status = 409, content_type = 'application/json; charset=utf-8',
       body = $2, body_encoding = 'utf8', updated_at = now()
     where id = $1 and state = 'pending' returning id, method, path, request_hash as "requestHash", state,
       false as "leaseOver", committed, status, content_type as "contentType", body, body_encoding as "bodyEncoding"`,
    [id, LOST_BODY],
  );
  return row;
}

/** Frees a claim whose request committed nothing (a failed or unanswered request may be tried again). */
async function release(database: Database, id: number): Promise<void> {
  await database.query(`delete from idempotency_keys where id = $1 and state = 'pending' and not committed`, [
    id,
  ]);
}

function replay(reply: FastifyReply, row: KeyRow) {
  if (row.state !== "done" || row.status === null)
    throw new Error("idempotency: replay of an unfinished key");
  reply.status(row.status).header("idempotent-replayed", "true");
  if (row.contentType) reply.header("content-type", row.contentType);
  const body = row.bodyEncoding === "base64" ? Buffer.from(row.body ?? "", "base64") : (row.body ?? "");
  return reply.send(body);
}

/** Drops keys older than a day (run by the background jobs). */
export async function pruneIdempotencyKeys(database: Database, now = new Date()): Promise<number> {
  const rows = await database.query(
    `delete from idempotency_keys where created_at < $1::timestamptz - make_interval(hours => $2) returning 1`,
    [now, IDEMPOTENCY_TTL_HOURS],
  );
  return rows.length;
}
