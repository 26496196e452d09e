import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { timestamps } from "./columns.ts";

/** district → street → community → grid → micro_grid. `path` is "/code/code/…/" for subtree LIKE queries. */
export const orgUnits = pgTable(
  "org_units",
  {
    id: serial().primaryKey(),
    parentId: integer(),
    kind: text().notNull(),
    code: text().notNull(),
    name: text().notNull(),
    path: text().notNull(),
    depth: integer().notNull(),
    /**
     * The unit's area as a GeoJSON Polygon or MultiPolygon geometry (WGS-84 lon/lat), when one was imported
     * or seeded; a point is routed to the grid whose area holds it (see modules/geo).
     */
    boundary: jsonb(),
    /** A community's on-duty hotline 社区值班电话 (a published office number, landline or mobile). */
    dutyPhone: text(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("org_units_code_uq").on(t.code),
    uniqueIndex("org_units_path_uq").on(t.path),
    index("org_units_parent_idx").on(t.parentId),
    index("org_units_path_prefix_idx").using("btree", sql`${t.path} text_pattern_ops`),
  ],
);

export const buildings = pgTable(
  "buildings",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    name: text().notNull(),
    address: text().notNull(),
    floors: integer(),
    units: integer(),
    /** The building's position (WGS-84), inside its grid's boundary. */
    lat: doublePrecision(),
    long: doublePrecision(),
    ...timestamps(),
  },
  (t) => [
    index("buildings_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`),
    index("buildings_org_unit_idx").on(t.orgUnitId),
  ],
);

export const households = pgTable(
  "households",
  {
    id: serial().primaryKey(),
    buildingId: integer().notNull(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    unitNo: integer(),
    roomNo: text(),
    address: text().notNull(),
    ...timestamps(),
  },
  (t) => [
    index("households_building_idx").on(t.buildingId),
    index("households_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`),
  ],
);

/**
 * ID number and phone are stored AES-GCM encrypted; `*_hash` is an HMAC for exact lookup and
 * uniqueness, `*_tail` the last four digits for the tail search agents use on the phone.
 */
export const residents = pgTable(
  "residents",
  {
    id: serial().primaryKey(),
    householdId: integer(),
    buildingId: integer(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    name: text().notNull(),
    nameInitials: text().notNull(),
    gender: text().notNull(),
    birthDate: date({ mode: "string" }).notNull(),
    idCipher: text().notNull(),
    idHash: text().notNull(),
    idTail: text().notNull(),
    phoneCipher: text(),
    phoneHash: text(),
    phoneTail: text(),
    address: text().notNull(),
    relationToHead: text(),
    livingArrangement: text(),
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    familyDoctorId: integer(),
    version: integer().notNull().default(1),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("residents_id_hash_uq").on(t.idHash),
    index("residents_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`),
    // Registry lists page through one place at a time: (path, id) in byte order serves the scope
    // filter and the sort in one range scan, whatever the database's collation.
    index("residents_org_path_c_id_idx").using("btree", sql`${t.orgPath} collate "C"`, t.id),
    index("residents_name_idx").using("btree", sql`${t.name} text_pattern_ops`),
    index("residents_initials_idx").using("btree", sql`${t.nameInitials} text_pattern_ops`),
    index("residents_phone_tail_idx").on(t.phoneTail),
    index("residents_phone_hash_idx").on(t.phoneHash),
    index("residents_id_tail_idx").on(t.idTail),
    index("residents_household_idx").on(t.householdId),
    index("residents_building_idx").on(t.buildingId),
    index("residents_tags_idx").using("gin", t.tags),
  ],
);

export const accounts = pgTable(
  "accounts",
  {
    id: serial().primaryKey(),
    username: text().notNull(),
    displayName: text().notNull(),
    passwordHash: text().notNull(),
    role: text().notNull(),
    orgUnitId: integer().notNull(),
    disabled: boolean().notNull().default(false),
    failedLogins: integer().notNull().default(0),
    lockedUntil: timestamp({ withTimezone: true }),
    /**
     * The work phone the post carries (printed on contact cards and duty lists); never a private number.
     * Lists show it masked; the full number only through an audited reveal or on the card itself.
     */
    workPhone: text(),
    ...timestamps(),
  },
  (t) => [uniqueIndex("accounts_username_uq").on(t.username)],
);

/**
 * Failed attempts counted per key (login per account, per address and per account-and-address; the public
 * order page per address and per order number), in the database so that every server process counts the
 * same failures. `key` is a keyed hash: no username, address or order number is stored in clear.
 * `expiresAt` ends the counting window; `lockedUntil` is set when a key has failed too often.
 */
export const failureCounts = pgTable(
  "failure_counts",
  {
    key: text().primaryKey(),
    failures: integer().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    lockedUntil: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [index("failure_counts_expires_idx").on(t.expiresAt)],
);

/**
 * The one-time code last sent to a phone for a purpose (resident_sign_in, project_rating, deliberation_vote),
 * as a keyed hash, with its expiry and wrong guesses; once verified for a rating or a vote, the pass it was
 * traded for (a keyed hash too). Kept by platform/oneTimeCodes.ts.
 */
export const oneTimeCodes = pgTable(
  "one_time_codes",
  {
    id: serial().primaryKey(),
    purpose: text().notNull(),
    phoneHash: text().notNull(),
    /** The phone, encrypted: a pass names it to the purpose (a rating's own key is derived from it). */
    phoneCipher: text(),
    codeHash: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    guesses: integer().notNull().default(0),
    passHash: text(),
    passExpiresAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("one_time_codes_purpose_phone_uq").on(t.purpose, t.phoneHash),
    index("one_time_codes_pass_idx").on(t.passHash),
  ],
);

/** Server-side sessions so any number of server processes can share them. `id` is a SHA-256 of the token. */
export const sessions = pgTable(
  "sessions",
  {
    id: text().primaryKey(),
    accountId: integer().notNull(),
    csrfToken: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    ...timestamps(),
  },
  (t) => [index("sessions_account_idx").on(t.accountId)],
);

/** Append-only. Before/after hold presented (masked) values so the log itself spreads no personal data. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    accountId: integer(),
    username: text(),
    /** account | system | open311: who acted, when it was not a signed-in account. */
    actorKind: text(),
    action: text().notNull(),
    entity: text().notNull(),
    entityId: text(),
    orgPath: text(),
    reason: text(),
    before: jsonb(),
    after: jsonb(),
    ip: text(),
  },
  // No index on `at`: the log is read newest first by id (ids follow time), and every write paid for it.
  (t) => [index("audit_events_entity_idx").on(t.entity, t.entityId)],
);

/** Key/value facts about this installation (demo loaded, seed used, …). */
export const systemSettings = pgTable("system_settings", {
  key: text().primaryKey(),
  value: jsonb().notNull(),
  ...timestamps(),
});

export type OrgUnit = typeof orgUnits.$inferSelect;
export type Resident = typeof residents.$inferSelect;
export type Account = typeof accounts.$inferSelect;
export type Household = typeof households.$inferSelect;
export type Building = typeof buildings.$inferSelect;

/**
 * Holiday arrangements entered or imported by the district (the State Council publishes the next year's in
 * November or December); a day here overrides the chinese-days package for the SLA calendars.
 */
export const holidays = pgTable("holidays", {
  day: date({ mode: "string" }).primaryKey(),
  /** holiday 休 | workday 班 (an adjusted working weekend day). */
  kind: text().notNull(),
  name: text().notNull(),
  /** manual | import */
  source: text().notNull(),
  updatedBy: integer(),
  ...timestamps(),
});
