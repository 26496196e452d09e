import { sql } from "drizzle-orm";
import { date, index, integer, pgTable, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { bytea, timestamps } from "./columns.ts";
import { accounts, orgUnits } from "./platform.ts";

/**
 * 信息日报 archive: one row per unit and day, made at 08:00 Asia/Shanghai for the district and each street
 * (and kept when made on demand by the scheduler's catch-up). The unique (unit, date) row is also the claim:
 * of several server processes, the one whose insert lands makes the report; a claim whose maker died
 * (`claimed_at` older than the lease, no files) is taken over.
 */
export const dailyReports = pgTable(
  "daily_reports",
  {
    id: serial().primaryKey(),
    orgUnitId: integer()
      .notNull()
      .references(() => orgUnits.id),
    orgPath: text().notNull(),
    date: date({ mode: "string" }).notNull(),
    /** generating | ready */
    state: text().notNull().default("generating"),
    claimedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    pdf: bytea(),
    xlsx: bytea(),
    /** Recipients the report was queued to through the outbox. */
    sentTo: integer().notNull().default(0),
    readyAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("daily_reports_unit_date_idx").on(t.orgUnitId, t.date),
    index("daily_reports_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`, t.date),
  ],
);

/** Leaders who receive a unit's daily report (set at district level). */
export const dailyReportRecipients = pgTable(
  "daily_report_recipients",
  {
    id: serial().primaryKey(),
    orgUnitId: integer()
      .notNull()
      .references(() => orgUnits.id),
    accountId: integer()
      .notNull()
      .references(() => accounts.id),
    ...timestamps(),
  },
  (t) => [uniqueIndex("daily_report_recipients_idx").on(t.orgUnitId, t.accountId)],
);
