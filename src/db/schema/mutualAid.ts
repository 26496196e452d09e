import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { timestamps } from "./columns.ts";

// Mutual aid and services: service points 驿站/读书角/党群服务中心, shared medicine boxes 共享药箱 with their
// stock, medicine requests on a one-hour clock, community events 义诊/便民集市 with sign-up, and the resident
// app's accounts, one-time codes and sessions. Every table carries `org_path` so scope is one LIKE.

/** A place residents can go: 党群服务中心, 驿站 (outdoor workers' rest station), 读书角, a medicine box site. */
export const servicePoints = pgTable(
  "service_points",
  {
    id: serial().primaryKey(),
    /** party_center | rest_station | reading_corner | medicine_box_site */
    kind: text().notNull(),
    name: text().notNull(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    address: text().notNull(),
    lat: doublePrecision(),
    long: doublePrecision(),
    hours: text().notNull(),
    services: text().array().notNull().default(sql`'{}'::text[]`),
    /** The point's own public phone (a landline or duty mobile), never a resident's. */
    phone: text(),
    active: boolean().notNull().default(true),
    ...timestamps(),
  },
  (t) => [index("service_points_org_idx").on(t.orgPath, t.kind)],
);

/** A shared medicine box 共享药箱, kept at a service point. */
export const medicineBoxes = pgTable(
  "medicine_boxes",
  {
    id: serial().primaryKey(),
    servicePointId: integer().notNull(),
    name: text().notNull(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    active: boolean().notNull().default(true),
    ...timestamps(),
  },
  (t) => [index("medicine_boxes_org_idx").on(t.orgPath)],
);

/**
 * One batch of one medicine in one box. `quantity` only changes by conditional UPDATEs (… where quantity
 * >= n), and the check refuses anything below zero, so concurrent dispensing never overdraws.
 */
export const medicineStock = pgTable(
  "medicine_stock",
  {
    id: serial().primaryKey(),
    boxId: integer().notNull(),
    orgPath: text().notNull(),
    medicineName: text().notNull(),
    spec: text().notNull(),
    batch: text().notNull(),
    expiresOn: date({ mode: "string" }).notNull(),
    quantity: integer().notNull(),
    /** Prescription medicine 处方药: dispensing needs a doctor's approval. */
    prescription: boolean().notNull().default(false),
    /** Name and specification folded as people type them (lower case, no spaces): what a search matches. */
    searchKey: text().generatedAlwaysAs(sql`replace(lower(medicine_name || spec), ' ', '')`),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("medicine_stock_batch_uq").on(t.boxId, t.medicineName, t.spec, t.batch),
    index("medicine_stock_org_idx").on(t.orgPath, t.medicineName),
    index("medicine_stock_expiry_idx").on(t.expiresOn),
    check("medicine_stock_quantity_ck", sql`${t.quantity} >= 0`),
  ],
);

/** Every change of stock: a donation in, a dispensing out, a disposal of expired stock. Append-only. */
export const medicineMovements = pgTable(
  "medicine_movements",
  {
    id: serial().primaryKey(),
    stockId: integer().notNull(),
    boxId: integer().notNull(),
    orgPath: text().notNull(),
    /** donation | dispense | disposal */
    kind: text().notNull(),
    quantity: integer().notNull(),
    requestId: integer(),
    approvedBy: integer(),
    note: text(),
    actorName: text().notNull(),
    ...timestamps(),
  },
  (t) => [index("medicine_movements_stock_idx").on(t.stockId, t.id)],
);

/**
 * A resident's request for medicine: from a grid worker, the hotline or the resident app; matched to a box
 * that has it, claimed by an on-duty care-team member or volunteer, delivered and confirmed, under the
 * care-urgent clock (at the door within the hour) whose deadline is stored in `due_at`.
 */
export const medicineRequests = pgTable(
  "medicine_requests",
  {
    id: serial().primaryKey(),
    /** grid | hotline | app */
    source: text().notNull(),
    residentId: integer(),
    residentAccountId: integer(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    medicineName: text().notNull(),
    quantity: integer().notNull(),
    note: text(),
    /** requested (no box has it yet) | matched | claimed | delivered | confirmed | cancelled */
    state: text().notNull(),
    boxId: integer(),
    stockId: integer(),
    prescription: boolean().notNull().default(false),
    approvedBy: integer(),
    approvedByName: text(),
    approvedAt: timestamp({ withTimezone: true }),
    claimedBy: integer(),
    claimedByName: text(),
    claimedAt: timestamp({ withTimezone: true }),
    deliveredAt: timestamp({ withTimezone: true }),
    confirmedAt: timestamp({ withTimezone: true }),
    dueAt: timestamp({ withTimezone: true }).notNull(),
    createdBy: integer(),
    createdByName: text().notNull(),
    ...timestamps(),
  },
  (t) => [
    index("medicine_requests_org_idx").on(t.orgPath, t.state),
    index("medicine_requests_due_idx").on(t.dueAt).where(sql`delivered_at is null and state <> 'cancelled'`),
    index("medicine_requests_account_idx").on(t.residentAccountId, t.id),
  ],
);

/** A community event 义诊 / 便民集市 / talk, with a capacity and an audience (its scope, optionally tags). */
export const communityEvents = pgTable(
  "community_events",
  {
    id: serial().primaryKey(),
    /** clinic | fair | talk */
    kind: text().notNull(),
    title: text().notNull(),
    description: text(),
    place: text().notNull(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    endsAt: timestamp({ withTimezone: true }).notNull(),
    capacity: integer().notNull(),
    /** Places taken: changed only together with a sign-up, in one statement (never above capacity). */
    taken: integer().notNull().default(0),
    /** Residents with any of these key-population tags; empty = every resident of the scope. */
    audienceTags: text().array().notNull().default(sql`'{}'::text[]`),
    /** open | cancelled */
    state: text().notNull().default("open"),
    createdBy: integer(),
    createdByName: text(),
    ...timestamps(),
  },
  (t) => [
    index("community_events_org_idx").on(t.orgPath, t.startsAt),
    check("community_events_taken_ck", sql`${t.taken} >= 0 and ${t.taken} <= ${t.capacity}`),
  ],
);

/** A resident's place at an event: confirmed or waitlisted (moved up in order when someone cancels). */
export const eventSignups = pgTable(
  "event_signups",
  {
    id: serial().primaryKey(),
    eventId: integer().notNull(),
    residentId: integer().notNull(),
    orgPath: text().notNull(),
    /** confirmed | waitlisted | cancelled */
    state: text().notNull(),
    /** Who signed them up: an account (a grid worker on their behalf) or null (the resident in the app). */
    signedUpBy: integer(),
    signedUpByName: text().notNull(),
    checkedInAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("event_signups_event_resident_uq").on(t.eventId, t.residentId),
    index("event_signups_event_idx").on(t.eventId, t.state, t.id),
    index("event_signups_resident_idx").on(t.residentId),
  ],
);

/**
 * An event's automatic reminder to its confirmed sign-ups (the day before, 2 hours before): the row is the
 * claim — inserted in the same transaction as the outbox messages, so each reminder goes out once whatever
 * the number of server processes — and keeps the counts.
 */
export const eventReminders = pgTable(
  "event_reminders",
  {
    id: serial().primaryKey(),
    eventId: integer().notNull(),
    /** day_before | two_hours */
    kind: text().notNull(),
    orgPath: text().notNull(),
    sent: integer().notNull().default(0),
    /** Confirmed sign-ups whose phone opted out of notices: skipped and counted. */
    optedOut: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [uniqueIndex("event_reminders_event_kind_uq").on(t.eventId, t.kind)],
);

/** A resident's account in the phone app, bound to the registry entry whose phone it signed in with. */
export const residentAccounts = pgTable(
  "resident_accounts",
  {
    id: serial().primaryKey(),
    residentId: integer().notNull(),
    phoneHash: text().notNull(),
    orgPath: text().notNull(),
    lastSignInAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("resident_accounts_resident_uq").on(t.residentId),
    index("resident_accounts_phone_idx").on(t.phoneHash),
  ],
);

/** A resident app session: a kind of its own, apart from staff sessions (another cookie, another table). */
export const residentSessions = pgTable(
  "resident_sessions",
  {
    id: text().primaryKey(),
    residentAccountId: integer().notNull(),
    csrfToken: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    ...timestamps(),
  },
  (t) => [index("resident_sessions_account_idx").on(t.residentAccountId)],
);

/** A problem a resident reported in the app: the work order it became, so "my requests" lists only theirs. */
export const residentReports = pgTable(
  "resident_reports",
  {
    id: serial().primaryKey(),
    residentAccountId: integer().notNull(),
    orderId: integer().notNull(),
    orgPath: text().notNull(),
    ...timestamps(),
  },
  (t) => [
    index("resident_reports_account_idx").on(t.residentAccountId, t.id),
    uniqueIndex("resident_reports_order_uq").on(t.orderId),
  ],
);

/** A mass notice 群发: a template to an audience, delivered at a set pace, with a summary. */
export const massNotices = pgTable(
  "mass_notices",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    title: text().notNull(),
    template: text().notNull(),
    /** scope | tags | event */
    audienceKind: text().notNull(),
    audienceTags: text().array().notNull().default(sql`'{}'::text[]`),
    eventId: integer(),
    /** Messages per second the sender keeps to (the gateway's allowance). */
    ratePerSecond: integer().notNull().default(50),
    /** queued | sending | done | cancelled */
    state: text().notNull().default("queued"),
    recipients: integer().notNull().default(0),
    duplicates: integer().notNull().default(0),
    optedOut: integer().notNull().default(0),
    createdBy: integer(),
    createdByName: text().notNull(),
    ...timestamps(),
  },
  (t) => [index("mass_notices_org_idx").on(t.orgPath, t.id)],
);

/** One phone of a notice (one per phone: the same number in two households gets one message). */
export const noticeRecipients = pgTable(
  "notice_recipients",
  {
    id: serial().primaryKey(),
    noticeId: integer().notNull(),
    residentId: integer().notNull(),
    phoneHash: text().notNull(),
    phoneCipher: text().notNull(),
    body: text().notNull(),
    /** pending | sent | failed | opted_out */
    state: text().notNull(),
    attempts: integer().notNull().default(0),
    sentAt: timestamp({ withTimezone: true }),
    lastError: text(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("notice_recipients_phone_uq").on(t.noticeId, t.phoneHash),
    index("notice_recipients_pending_idx").on(t.noticeId, t.id).where(sql`state = 'pending'`),
  ],
);

/** Phones that asked for no more mass notices (退订). One-time codes and order receipts still go. */
export const phoneOptOuts = pgTable("phone_opt_outs", {
  phoneHash: text().primaryKey(),
  ...timestamps(),
});
