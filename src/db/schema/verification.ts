import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { bytea, timestamps } from "./columns.ts";

/**
 * A list received for verification (大数据核查). The upload is kept with it (sealed), so an import stopped by a
 * crash re-reads the file from its checkpoint (the sheet row number of the last committed chunk); its
 * counters move in the same transaction as the rows of that chunk.
 */
export const verificationLists = pgTable(
  "verification_lists",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    title: text().notNull(),
    filename: text(),
    format: text().notNull(),
    /** The upload, sealed at rest (platform/uploads.ts). */
    file: bytea().notNull(),
    /** Fingerprint of the key that sealed `file`; null: kept as uploaded, before uploads were sealed. */
    fileKey: text(),
    /** Header row number and column of each field, as the admin confirmed them. */
    headerRow: integer().notNull().default(0),
    mapping: jsonb().notNull().default(sql`'{}'::jsonb`),
    /** previewed | running | succeeded | failed | cancelled */
    state: text().notNull().default("previewed"),
    /** Sheet rows (by number) read and committed. */
    checkpoint: integer().notNull().default(0),
    /** Rows in the sheet, as far as known before reading (for the progress bar). */
    estimate: integer().notNull().default(0),
    counters: jsonb().notNull().default(sql`'{}'::jsonb`),
    deadline: date({ mode: "string" }),
    ownerId: integer().notNull(),
    ownerName: text().notNull(),
    error: text(),
    attempts: integer().notNull().default(0),
    heartbeatAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    routedAt: timestamp({ withTimezone: true }),
    /**
     * Batches 批次: a later list of the same verification campaign points at the campaign's first list
     * (null on the first itself) and adds only the people the earlier batches did not hold.
     */
    campaignId: integer(),
    batchNo: integer().notNull().default(1),
    ...timestamps(),
  },
  (t) => [
    index("verification_lists_campaign_idx").on(t.campaignId),
    index("verification_lists_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`),
    index("verification_lists_state_idx").on(t.state),
  ],
);

/**
 * One data row of a list: what was typed (encrypted, as it may hold an ID number), the cleaned values, the
 * class and the reasons. An effective row (found / routed) is also a verification task of the resident's
 * grid: `grid_path`, the outcome and who recorded it.
 */
export const verificationRows = pgTable(
  "verification_rows",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    listId: integer().notNull(),
    n: integer().notNull(),
    /**
     * The ID number and phone as typed (JSON, encrypted), when either differs from its cleaned value; null
     * when both were typed as cleaned (the other fields as typed are in the list's kept file).
     */
    originalCipher: text(),
    name: text().notNull(),
    idCipher: text(),
    idHash: text(),
    idTail: text(),
    idStatus: text().notNull(),
    phoneCipher: text(),
    phoneTail: text(),
    address: text().notNull(),
    statedCommunity: text().notNull(),
    /** found | routed | not_found | duplicate | invalid */
    class: text().notNull(),
    reasons: text().array().notNull().default(sql`'{}'::text[]`),
    residentId: integer(),
    matchBy: text(),
    score: real(),
    /** Where the row is counted: the resident's place, or the stated community when it names one in scope. */
    orgPath: text().notNull(),
    streetCode: text(),
    communityCode: text(),
    gridPath: text(),
    /** Keyed hash of what makes two rows of the list the same person (ID number, or name and phone). */
    dupKey: text(),
    outcome: text(),
    outcomeNote: text(),
    outcomeAt: timestamp({ withTimezone: true }),
    outcomeBy: integer(),
    outcomeByName: text(),
    /**
     * Against the campaign's earlier batches: new (a person they did not hold), unchanged or changed (the
     * same person; `changed_fields` names what differs from `prior_row_id`, the latest earlier row).
     */
    batchStatus: text(),
    changedFields: text().array().notNull().default(sql`'{}'::text[]`),
    priorRowId: bigint({ mode: "number" }),
    ...timestamps(),
  },
  (t) => [
    index("verification_rows_dup_key_idx").on(t.dupKey, t.listId),
    uniqueIndex("verification_rows_list_n_uq").on(t.listId, t.n),
    index("verification_rows_list_class_idx").on(t.listId, t.class),
    index("verification_rows_grid_idx").using("btree", sql`${t.gridPath} text_pattern_ops`, t.listId),
  ],
);
