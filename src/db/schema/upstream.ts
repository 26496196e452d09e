import { boolean, index, integer, pgTable, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps } from "./columns.ts";

/**
 * 上级交办: an upstream Open311 platform (a city or provincial 12345) this installation polls for the
 * requests of one jurisdiction and reports back to. Each link delivers into one org unit (a street or a
 * community): requests no building or grid claims fall to it. The api key is kept encrypted (it is sent).
 */
export const upstreamLinks = pgTable(
  "upstream_links",
  {
    id: serial().primaryKey(),
    name: text().notNull(),
    /** The GeoReport v2 base, e.g. https://12345.example.gov.cn/open311/v2 (no trailing slash). */
    baseUrl: text().notNull(),
    apiKeyCipher: text().notNull(),
    jurisdictionId: text().notNull(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    /** The category an upstream service_code we do not know becomes. */
    defaultCategory: text().notNull(),
    /** Everything the upstream requested before this has been read (less the overlap, see upstream.ts). */
    pollCursor: timestamp({ withTimezone: true }).notNull(),
    lastPollAt: timestamp({ withTimezone: true }),
    lastPollOkAt: timestamp({ withTimezone: true }),
    lastPollError: text(),
    /** A disabled link is neither polled nor sent to; its steps stay queued until it is enabled again. */
    enabled: boolean().notNull().default(true),
    /** Minutes between polls (the server's sweep looks every minute). */
    pollIntervalMinutes: integer().notNull().default(1),
    createdBy: integer(),
    ...timestamps(),
  },
  (t) => [uniqueIndex("upstream_links_jurisdiction_uq").on(t.baseUrl, t.jurisdictionId)],
);

/**
 * One upstream request delivered here, and the local order it became. The unique (origin, upstream id) is
 * what makes a second delivery (the same poll, a later one, or another process polling at once) create
 * nothing: the row and the order are written in one transaction, the row first.
 */
export const upstreamRequests = pgTable(
  "upstream_requests",
  {
    id: serial().primaryKey(),
    linkId: integer().notNull(),
    /** The upstream's base URL: a service_request_id is unique within one upstream platform. */
    origin: text().notNull(),
    upstreamId: text().notNull(),
    orderId: integer(),
    requestedAt: timestamp({ withTimezone: true }),
    /** The last event of the local order already queued for the upstream (its events after this are not). */
    pushedEventId: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("upstream_requests_origin_uq").on(t.origin, t.upstreamId),
    uniqueIndex("upstream_requests_order_uq").on(t.orderId),
    index("upstream_requests_link_idx").on(t.linkId),
  ],
);
