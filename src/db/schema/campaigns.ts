import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
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
  uuid,
} from "drizzle-orm/pg-core";
import { bytea, timestamps } from "./columns.ts";

// Door-to-door campaigns 敲门行动. Every table carries the org path of the place it counts for, so scope is
// one LIKE (and a later shard on the org code stays open, DESIGN §4).

/** A campaign of a street or community over some of its grids, with a questionnaire and a notice 告知书. */
export const campaigns = pgTable(
  "campaigns",
  {
    id: serial().primaryKey(),
    /** The street or community that runs it. */
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    name: text().notNull(),
    startsOn: date({ mode: "string" }).notNull(),
    endsOn: date({ mode: "string" }).notNull(),
    /** The grids it covers. */
    gridIds: integer().array().notNull(),
    /** all | tags | list | upload */
    targetKind: text().notNull(),
    targetTags: text().array().notNull().default(sql`'{}'::text[]`),
    verificationListId: integer(),
    /** The uploaded list (campaign_uploads) when the target is one. */
    uploadId: integer(),
    /** The questionnaire version new records are made with; older versions stay readable. */
    questionnaireVersion: integer().notNull().default(1),
    noticeTitle: text(),
    noticeBody: text(),
    /** running | closed */
    state: text().notNull().default("running"),
    createdBy: integer(),
    createdByName: text(),
    ...timestamps(),
  },
  (t) => [index("campaigns_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`)],
);

/** Every version of a campaign's questionnaire, kept so that a record made with an old one stays readable. */
export const campaignQuestionnaires = pgTable(
  "campaign_questionnaires",
  {
    campaignId: integer().notNull(),
    version: integer().notNull(),
    questions: jsonb().notNull(),
    createdBy: integer(),
    ...timestamps(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.version] })],
);

/**
 * One household of a campaign's target, assigned to a member, with the state its latest record left it in.
 * `former_member_ids` keeps whoever held it before a reassignment, so their offline records still arrive.
 */
export const campaignHouseholds = pgTable(
  "campaign_households",
  {
    campaignId: integer().notNull(),
    householdId: integer().notNull(),
    buildingId: integer().notNull(),
    /** The unit the household is counted under: its micro-grid (or its grid when it has none). */
    unitId: integer().notNull(),
    gridId: integer().notNull(),
    orgPath: text().notNull(),
    memberId: integer(),
    formerMemberIds: integer().array().notNull().default(sql`'{}'::int[]`),
    unitNo: integer(),
    floor: integer(),
    roomNo: text(),
    /**
     * The door's address and its building's name as at launch, so a member's list on the phone is read from
     * this table alone (no lookup of 500 households and their buildings per call).
     */
    address: text(),
    buildingName: text(),
    /** pending | done | revisit | refused | moved | other */
    status: text().notNull().default("pending"),
    lastVisitAt: timestamp({ withTimezone: true }),
    revisitDue: timestamp({ withTimezone: true }),
    records: integer().notNull().default(0),
    /** Two members recorded it: both records are kept, the community looks. */
    flagged: boolean().notNull().default(false),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.householdId] }),
    index("campaign_households_member_idx").on(
      t.memberId,
      t.campaignId,
      t.buildingId,
      t.unitNo,
      t.floor,
      t.householdId,
    ),
    index("campaign_households_unit_idx").on(t.campaignId, t.unitId),
  ],
);

/** Counts per campaign and unit (micro-grid), refreshed with each sync: the progress views read these. */
export const campaignTallies = pgTable(
  "campaign_tallies",
  {
    campaignId: integer().notNull(),
    unitId: integer().notNull(),
    orgPath: text().notNull(),
    target: integer().notNull().default(0),
    visited: integer().notNull().default(0),
    done: integer().notNull().default(0),
    revisit: integer().notNull().default(0),
    refused: integer().notNull().default(0),
    moved: integer().notNull().default(0),
    other: integer().notNull().default(0),
    notices: integer().notNull().default(0),
    flagged: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.unitId] })],
);

/**
 * One visit as the phone recorded it. `client_id` (a UUID made on the phone) makes a sync idempotent: a
 * replayed batch stores nothing twice. Answers are read with the questionnaire version they name.
 */
export const campaignRecords = pgTable(
  "campaign_records",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    clientId: uuid().notNull(),
    campaignId: integer().notNull(),
    householdId: integer().notNull(),
    unitId: integer().notNull(),
    orgPath: text().notNull(),
    memberId: integer().notNull(),
    memberName: text().notNull(),
    /** done | not_home | refused | moved | other */
    outcome: text().notNull(),
    note: text(),
    questionnaireVersion: integer().notNull(),
    answers: jsonb().notNull(),
    /** When the phone says it happened (never later than its arrival). */
    visitedAt: timestamp({ withTimezone: true }).notNull(),
    deviceTime: timestamp({ withTimezone: true }).notNull(),
    lat: doublePrecision(),
    long: doublePrecision(),
    accuracy: doublePrecision(),
    /** The notice 告知书: to whom, how (hand | door | phone), when. */
    noticeMethod: text(),
    noticeTo: text(),
    noticeAt: timestamp({ withTimezone: true }),
    workOrderId: integer(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("campaign_records_client_uq").on(t.clientId),
    index("campaign_records_household_idx").on(t.campaignId, t.householdId),
    index("campaign_records_day_idx").on(t.campaignId, t.visitedAt),
    // The tallies' notice count per micro-grid, recounted at each sync.
    index("campaign_records_unit_idx").on(t.campaignId, t.unitId),
  ],
);

/** A photo of a record (the notice signature, a photo question), decoded and re-encoded by the server. */
export const campaignPhotos = pgTable(
  "campaign_photos",
  {
    id: serial().primaryKey(),
    recordId: bigint({ mode: "number" }).notNull(),
    /** "notice" or the question's id. */
    key: text().notNull(),
    contentType: text().notNull(),
    data: bytea().notNull(),
    ...timestamps(),
  },
  (t) => [index("campaign_photos_record_idx").on(t.recordId)],
);

/**
 * Counts per campaign and org unit strictly below the campaign's own unit (street, community, grid and
 * micro-grid rows), moved by the difference each sync makes to the micro-grid tallies. The district's
 * progress then reads its 19 street rows instead of grouping 14,277 tallies while syncs arrive.
 */
export const campaignRollups = pgTable(
  "campaign_rollups",
  {
    campaignId: integer().notNull(),
    orgPath: text().notNull(),
    /** The unit's depth (segments of the path − 1), as org_units.depth. */
    depth: integer().notNull(),
    target: integer().notNull().default(0),
    visited: integer().notNull().default(0),
    done: integer().notNull().default(0),
    revisit: integer().notNull().default(0),
    refused: integer().notNull().default(0),
    moved: integer().notNull().default(0),
    other: integer().notNull().default(0),
    notices: integer().notNull().default(0),
    flagged: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.orgPath] }),
    index("campaign_rollups_depth_idx").using(
      "btree",
      t.campaignId,
      t.depth,
      sql`${t.orgPath} text_pattern_ops`,
    ),
  ],
);

/** Records per day and unit (as campaign_rollups), added to by each sync: the progress trend. */
export const campaignDayRollups = pgTable(
  "campaign_day_rollups",
  {
    campaignId: integer().notNull(),
    orgPath: text().notNull(),
    depth: integer().notNull(),
    /** The day in Asia/Shanghai. */
    day: date({ mode: "string" }).notNull(),
    records: integer().notNull().default(0),
    done: integer().notNull().default(0),
    notices: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.orgPath, t.day] }),
    index("campaign_day_rollups_depth_idx").using(
      "btree",
      t.campaignId,
      t.depth,
      sql`${t.orgPath} text_pattern_ops`,
    ),
  ],
);

/**
 * An uploaded list (xlsx/csv of addresses or ID numbers) matched to households, kept so a campaign can take
 * it as its target. The file itself is not kept; unmatched rows are, each with its reason (ID numbers masked).
 */
export const campaignUploads = pgTable(
  "campaign_uploads",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    filename: text(),
    format: text().notNull(),
    rows: integer().notNull(),
    householdIds: integer().array().notNull(),
    /** [{ n, text, reason }] */
    unmatched: jsonb().notNull(),
    createdBy: integer(),
    createdByName: text(),
    ...timestamps(),
  },
  (t) => [index("campaign_uploads_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`)],
);
