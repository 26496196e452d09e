import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { timestamps } from "./columns.ts";

/**
 * Background jobs (long imports): written in chunks, each chunk committed together with `checkpoint`, so a
 * process that dies mid-job leaves whole chunks and a place to resume from. `heartbeat_at` tells a live
 * runner from a dead one when several processes share the database.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: serial().primaryKey(),
    kind: text().notNull(),
    /** queued | running | succeeded | failed | cancelled */
    state: text().notNull().default("queued"),
    ownerId: integer().notNull(),
    ownerName: text().notNull(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    /** What the job works through (cleaned rows), so it can be resumed without the original upload. */
    input: jsonb().notNull(),
    total: integer().notNull().default(0),
    /** Items of `input` done: the next chunk starts here. */
    checkpoint: integer().notNull().default(0),
    /** Counters the job keeps as it goes (tags added, residents changed, unchanged). */
    counters: jsonb().notNull().default(sql`'{}'::jsonb`),
    result: jsonb(),
    error: text(),
    attempts: integer().notNull().default(0),
    heartbeatAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [index("jobs_state_idx").on(t.state), index("jobs_owner_idx").on(t.ownerId, t.id)],
);
