import { boolean, index, integer, pgTable, primaryKey, serial, text, timestamp } from "drizzle-orm/pg-core";
import { timestamps } from "./columns.ts";

/**
 * One row per Idempotency-Key a caller sent with a write (platform/idempotency.ts): the first request's
 * fingerprint and, once it answered, its status and body, so a retry gets the same answer instead of a
 * second order. `committed` is set inside the write's own transaction, so after a crash a pending row
 * tells whether the work was done (never run again) or not (safe to run). Kept 24 hours.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    id: serial().notNull().unique(),
    /** Who sent it: `a:<account id>`, `k:<hash of an Open311 api_key>` or `ip:<address>` for public pages. */
    actor: text().notNull(),
    key: text().notNull(),
    method: text().notNull(),
    path: text().notNull(),
    /** SHA-256 of method, path and body: the same key with another request is refused (422). */
    requestHash: text().notNull(),
    /** pending → done; a pending row whose lease ran out belongs to a process that died. */
    state: text().notNull().default("pending"),
    leaseUntil: timestamp({ withTimezone: true }).notNull(),
    committed: boolean().notNull().default(false),
    status: integer(),
    contentType: text(),
    /** The first answer's body: utf8 text, or base64 when it was bytes. */
    body: text(),
    bodyEncoding: text().notNull().default("utf8"),
    ...timestamps(),
  },
  (t) => [primaryKey({ columns: [t.actor, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);
