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
