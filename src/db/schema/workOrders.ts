import { sql } from "drizzle-orm";
import {
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { timestamps } from "./columns.ts";

/** The request taxonomy; each category names its default SLA policy and who owns it. */
export const categories = pgTable(
  "categories",
  {
    id: serial().primaryKey(),
    code: text().notNull(),
    name: text().notNull(),
    initials: text().notNull(),
    /** Two levels, as the 12345 taxonomy: a category (null) or a subcategory of one. */
    parentId: integer(),
    /** Words callers use for it ("楼道灯" for 路灯照明), searched at the desk. */
    synonyms: text().array().notNull().default(sql`'{}'::text[]`),
    slaPolicy: text().notNull(),
    ownerRole: text().notNull(),
    department: text(),
    active: boolean().notNull().default(true),
    sortOrder: integer().notNull().default(0),
    /**
     * What strangers see of its orders (Open311, the status page): public = the description with names,
     * numbers and flats masked; private = `publicWording` instead of the description; hidden = private and
     * left out of public lists entirely.
     */
    visibility: text().notNull().default("public"),
    publicWording: text(),
    /**
     * Open311 service definition: the extra fields a report of this kind asks for (GeoReport `attributes`:
     * code, datatype string/number/datetime/text/singlevaluelist/multivaluelist, required, description,
     * order, values). Empty: `metadata=false`.
     */
    attributes: jsonb().notNull().default(sql`'[]'::jsonb`),
    ...timestamps(),
  },
  (t) => [uniqueIndex("categories_code_uq").on(t.code), index("categories_parent_idx").on(t.parentId)],
);

/**
 * One resident request. Queryable facts (state, place, deadlines, outcome) are columns; the workflow's
 * own bookkeeping (milestones, pauses, extensions, counters) is the `flow` JSON the domain reads and writes.
 * `org_path` is the unit the order is routed to (grid, or community/street by fallback).
 */
export const workOrders = pgTable(
  "work_orders",
  {
    id: serial().primaryKey(),
    number: text().notNull(),
    channel: text().notNull(),
    categoryId: integer().notNull(),
    slaPolicy: text().notNull(),
    state: text().notNull(),
    version: integer().notNull().default(0),
    description: text().notNull(),
    residentId: integer(),
    callerName: text(),
    callerPhoneCipher: text(),
    callerPhoneHash: text(),
    callerPhoneTail: text(),
    address: text(),
    buildingId: integer(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    routedLevel: text().notNull(),
    assigneeId: integer(),
    flow: jsonb().notNull(),
    nextDueAt: timestamp({ withTimezone: true }),
    nextWarnAt: timestamp({ withTimezone: true }),
    overdueAt: timestamp({ withTimezone: true }),
    warnedAt: timestamp({ withTimezone: true }),
    dispatchedAt: timestamp({ withTimezone: true }),
    acceptedAt: timestamp({ withTimezone: true }),
    resolvedAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    acceptedOnTime: boolean(),
    resolvedOnTime: boolean(),
    callbackSolved: boolean(),
    satisfaction: text(),
    ratingComment: text(),
    ratedAt: timestamp({ withTimezone: true }),
    mergedIntoId: integer(),
    lat: doublePrecision(),
    long: doublePrecision(),
    /** Open311: the token a client got back when it filed the request. */
    open311Token: text(),
    /**
     * What a third-party client sent beside the report (Open311: email, media_url, attribute[…], device and
     * account ids), kept for staff: `{ email?, mediaUrls?, attributes?, deviceId?, accountId? }`.
     */
    clientExtras: jsonb(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("work_orders_number_uq").on(t.number),
    // Partial where many orders have nothing to index (no Open311 token, building or phone; no assignee
    // until accepted): an intake writes four fewer index entries, and lookups by a value still use them.
    uniqueIndex("work_orders_open311_token_uq").on(t.open311Token).where(sql`${t.open311Token} is not null`),
    index("work_orders_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`),
    // A unit's open orders by state (the command center's situation and its children's open/overdue counts):
    // with overdue_at and next_due_at included (migration 0033) an index-only scan, instead of reading every
    // order of the unit's history to keep the few still open.
    index("work_orders_state_path_idx").using("btree", t.state, sql`${t.orgPath} text_pattern_ops`),
    index("work_orders_assignee_idx").on(t.assigneeId, t.state).where(sql`${t.assigneeId} is not null`),
    index("work_orders_next_due_idx")
      .on(t.nextDueAt)
      .where(sql`${t.nextDueAt} is not null and ${t.overdueAt} is null`),
    index("work_orders_next_warn_idx")
      .on(t.nextWarnAt)
      .where(sql`${t.nextWarnAt} is not null and ${t.warnedAt} is null`),
    index("work_orders_building_idx").on(t.buildingId, t.createdAt).where(sql`${t.buildingId} is not null`),
    index("work_orders_created_idx").on(t.createdAt),
    index("work_orders_phone_idx").on(t.callerPhoneHash).where(sql`${t.callerPhoneHash} is not null`),
  ],
);

/** Append-only history: one row per transition, with who, when and why. */
export const workOrderEvents = pgTable(
  "work_order_events",
  {
    id: serial().primaryKey(),
    orderId: integer().notNull(),
    action: text().notNull(),
    fromState: text(),
    toState: text().notNull(),
    actorId: integer(),
    actorName: text(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    note: text(),
    detail: jsonb(),
  },
  (t) => [index("work_order_events_order_idx").on(t.orderId, t.id)],
);

export const attachments = pgTable(
  "attachments",
  {
    id: serial().primaryKey(),
    orderId: integer().notNull(),
    filename: text().notNull(),
    mime: text().notNull(),
    size: integer().notNull(),
    sha256: text().notNull(),
    storagePath: text().notNull(),
    uploadedBy: integer(),
    ...timestamps(),
  },
  (t) => [index("attachments_order_idx").on(t.orderId)],
);

/** Outbox: every message is written here in the same transaction as its cause, then delivered. */
export const notifications = pgTable(
  "notifications",
  {
    id: serial().primaryKey(),
    kind: text().notNull(),
    transport: text().notNull().default("log"),
    recipientAccountId: integer(),
    recipientOrgId: integer(),
    /** A resident's phone (encrypted like every phone) for a message that goes to them, e.g. a receipt. */
    recipientPhoneCipher: text(),
    orderId: integer(),
    title: text().notNull(),
    body: text().notNull(),
    state: text().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastError: text(),
    sentAt: timestamp({ withTimezone: true }),
    orgPath: text(),
    /**
     * What a machine transport sends (an upstream platform's update). A message with a payload is delivered
     * only by a deliverer that names its kind, never by the default one.
     */
    payload: jsonb(),
    ...timestamps(),
  },
  (t) => [
    index("notifications_due_idx").on(t.nextAttemptAt).where(sql`${t.state} = 'pending'`),
    index("notifications_order_idx").on(t.orderId),
  ],
);

export type WorkOrderRow = typeof workOrders.$inferSelect;
export type Category = typeof categories.$inferSelect;

/** Open311 GeoReport v2 API keys, managed by admins; only a hash of the key is kept. */
export const open311Keys = pgTable(
  "open311_keys",
  {
    id: serial().primaryKey(),
    name: text().notNull(),
    keyHash: text().notNull(),
    keyPrefix: text().notNull(),
    orgUnitId: integer().notNull(),
    createdBy: integer(),
    revokedAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [uniqueIndex("open311_keys_hash_uq").on(t.keyHash)],
);

/**
 * The counts behind the rates (DESIGN §3) per Asia/Shanghai day and routed unit, so a month's rates for the
 * whole district read a few thousand rows instead of a million orders. Kept by statement triggers on
 * work_orders and work_order_events in the writing transaction (migration 0005), never written by the app.
 * An order's dispatch facts count on its dispatch day, its resolution facts on its resolution day, callbacks
 * and verifications on the day they happened — the same attribution as the rate definitions.
 */
export const rateCountsDaily = pgTable(
  "rate_counts_daily",
  {
    day: date().notNull(),
    orgPath: text().notNull(),
    dispatched: integer().notNull().default(0),
    acceptedOnTime: integer().notNull().default(0),
    resolved: integer().notNull().default(0),
    resolvedExtended: integer().notNull().default(0),
    resolvedOnTime: integer().notNull().default(0),
    resolvedFirstTime: integer().notNull().default(0),
    callbacks: integer().notNull().default(0),
    callbacksSolved: integer().notNull().default(0),
    ratedCallbacks: integer().notNull().default(0),
    ratedSatisfied: integer().notNull().default(0),
    verified: integer().notNull().default(0),
    reworked: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.orgPath] }),
    index("rate_counts_daily_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`, t.day),
    // A period of every unit below a district or street (the command center's rates, its previous period and
    // its children) read from the index alone: migration 0044 adds INCLUDE (every count), which drizzle
    // cannot declare. Without it the district's month visited ~1,100 heap pages for its 27,000 rows.
    index("rate_counts_daily_day_cover_idx").using("btree", t.day, sql`${t.orgPath} text_pattern_ops`),
  ],
);

/**
 * Orders received (created, not merged) and closed per Asia/Shanghai day under each community (the order's
 * routed path cut at the community; shorter paths as they are), so a district's or street's month of intake is
 * read from a few thousand rows (command center). Kept by statement triggers on work_orders (migration 0028),
 * never written by the app; `order_figures_rebuild()` recomputes it.
 */
export const orderFlowDaily = pgTable(
  "order_flow_daily",
  {
    day: date().notNull(),
    orgPath: text().notNull(),
    received: integer().notNull().default(0),
    closed: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.orgPath] }),
    index("order_flow_daily_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`, t.day),
  ],
);

/**
 * A day's intake under each street by category (the leaf category's id: the top level is looked up when read,
 * so moving a category in the taxonomy needs no rebuild), channel and current state, merged orders left out.
 * `dim` names the breakdown, `key` its value. Kept by the same triggers as order_flow_daily.
 */
export const orderMixDaily = pgTable(
  "order_mix_daily",
  {
    day: date().notNull(),
    orgPath: text().notNull(),
    dim: text().notNull(),
    key: text().notNull(),
    n: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.orgPath, t.dim, t.key] }),
    index("order_mix_daily_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`, t.day),
  ],
);
