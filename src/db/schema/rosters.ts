import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { bytea, timestamps } from "./columns.ts";

/**
 * A community roster imported into the registry: the uploaded file (kept with the import, sealed at rest: the
 * start reads it, and the flagged-row download reads it again), the header and mapping the admin confirmed,
 * what the reading found before the job wrote anything (rows read, skipped by reason, flagged with their
 * reasons — row numbers and words, no personal data), and the background job (jobs) that writes the rest.
 */
export const rosterImports = pgTable(
  "roster_imports",
  {
    id: serial().primaryKey(),
    /** The community the roster is for. */
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    filename: text(),
    format: text().notNull(),
    /** The upload, sealed at rest (platform/uploads.ts); the job holds the cleaned rows, encrypted. */
    file: bytea(),
    /** Fingerprint of the key that sealed `file`; null: kept as uploaded, before uploads were sealed. */
    fileKey: text(),
    headerRow: integer().notNull(),
    mapping: jsonb().notNull(),
    /** previewed | started */
    state: text().notNull().default("previewed"),
    jobId: integer(),
    /** rows, skip_title, skip_header, skip_total, skip_blank, flagged, items */
    counters: jsonb().notNull().default(sql`'{}'::jsonb`),
    /** [{ n, reasons }] for the rows not imported, and notes on rows imported with a field left out. */
    flags: jsonb().notNull().default(sql`'[]'::jsonb`),
    ownerId: integer().notNull(),
    ownerUsername: text().notNull(),
    ownerName: text().notNull(),
    ...timestamps(),
  },
  (t) => [index("roster_imports_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`)],
);

/**
 * What a roster row says and the registry says otherwise, for a person to decide: never applied by the
 * import. `roster` holds what applying needs (a name, or the building/unit/room to move into).
 */
export const rosterConflicts = pgTable(
  "roster_conflicts",
  {
    id: serial().primaryKey(),
    importId: integer().notNull(),
    /** The roster row's number in the sheet. */
    n: integer().notNull(),
    residentId: integer().notNull(),
    /** The community the roster is for (scope of whoever decides). */
    orgPath: text().notNull(),
    /** name | household | community */
    kind: text().notNull(),
    registryValue: text().notNull(),
    rosterValue: text().notNull(),
    roster: jsonb().notNull(),
    /** open | applied | kept */
    state: text().notNull().default("open"),
    decidedBy: integer(),
    decidedByName: text(),
    decidedAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    index("roster_conflicts_import_idx").on(t.importId, t.id),
    index("roster_conflicts_resident_idx").on(t.residentId, t.kind),
  ],
);
