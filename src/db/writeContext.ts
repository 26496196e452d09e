import { AsyncLocalStorage } from "node:async_hooks";
import { sql } from "drizzle-orm";
import type { Db } from "./client.ts";

/**
 * What the request being served asks of the writes it makes. Set by the platform's Idempotency-Key hook:
 * the id of the key's row, which every transaction the request commits marks as `committed` in the same
 * transaction. After a crash, a retry then knows whether the work was done (never run it again) or was
 * rolled back with the process (safe to run).
 */
export interface WriteContext {
  idempotencyId?: number;
  /** The route pattern serving the request, for the slow-query log and metrics. */
  route?: string;
  /** Its reads may go to the read replica (platform/replica.ts decides). */
  replica?: boolean;
}

export const writeContext = new AsyncLocalStorage<WriteContext>();

/** The idempotency row the current request writes under, if any. */
export const currentIdempotencyId = (): number | undefined => writeContext.getStore()?.idempotencyId;

/**
 * Wraps a Drizzle database's `transaction` so that, inside a request with an Idempotency-Key, each
 * outermost transaction marks the key committed just before it commits (nested ones are savepoints).
 */
export function markingCommits(db: Db): Db {
  const begin = db.transaction.bind(db);
  (db as any).transaction = (fn: (tx: any) => Promise<unknown>, config?: any) =>
    begin(async (tx: any) => {
      const result = await fn(tx);
      const id = currentIdempotencyId();
      if (id !== undefined)
        await tx.execute(sql`update idempotency_keys set committed = true where id = ${id}`);
      return result;
    }, config);
  return db;
}

/** A statement that took longer than SLOW_QUERY_MS, with the route that issued it (none for background work). */
export interface SlowQuery {
  ms: number;
  /** The statement's text, shortened: parameters are never part of it. */
  statement: string;
  name?: string;
  route?: string;
}

const slowListeners = new Set<(q: SlowQuery) => void>();
/** Threshold of the slow-query log, in ms (SLOW_QUERY_MS, default 500). */
let slowQueryMs = Number(process.env.SLOW_QUERY_MS ?? 500);

/** Changes the slow-query threshold (tests log every statement); returns the previous one. */
export function setSlowQueryMs(ms: number): number {
  const before = slowQueryMs;
  slowQueryMs = ms;
  return before;
}

/** Registers a listener for slow statements; returns the function that removes it. */
export function onSlowQuery(listener: (q: SlowQuery) => void): () => void {
  slowListeners.add(listener);
  return () => slowListeners.delete(listener);
}

/** Called by the database client after each raw statement. */
export function noteQueryTime(text: string, ms: number, name?: string): void {
  if (ms < slowQueryMs || slowListeners.size === 0) return;
  const q: SlowQuery = {
    ms: Math.round(ms),
    statement: text.replace(/\s+/g, " ").trim().slice(0, 300),
    name,
    route: writeContext.getStore()?.route,
  };
  for (const l of slowListeners) l(q);
}
