import { sql } from "drizzle-orm";
import {
  boolean,
  date,
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

// Care 重点人群关爱. Every table carries `org_path` (the resident's or community's) so scope checks
// are one LIKE and a later shard on the org code stays open (DESIGN §4).

/**
 * Evidence behind each key-population tag: who set it, when, from what source. `residents.tags` stays
 * the searchable summary and is rewritten in the same transaction. A removal keeps the row (closed).
 */
export const careTagAssignments = pgTable(
  "care_tag_assignments",
  {
    id: serial().primaryKey(),
    residentId: integer().notNull(),
    orgPath: text().notNull(),
    tag: text().notNull(),
    source: text().notNull(),
    note: text(),
    setBy: integer(),
    setByName: text(),
    setAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp({ withTimezone: true }),
    removedBy: integer(),
    removedNote: text(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("care_tag_assignments_current_uq").on(t.residentId, t.tag).where(sql`${t.removedAt} is null`),
    index("care_tag_assignments_resident_idx").on(t.residentId, t.id),
  ],
);

/**
 * A key resident's care plan. The frequency is derived from the tags and the community's config at
 * read time unless `frequency_override` is set; the row holds the assignments and the last visit.
 */
export const carePlans = pgTable(
  "care_plans",
  {
    id: serial().primaryKey(),
    residentId: integer().notNull(),
    orgPath: text().notNull(),
    frequencyOverride: text(),
    assignedWorkerId: integer(),
    doctorId: integer(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastVisitAt: timestamp({ withTimezone: true }),
    /** The due date an overdue warning was last sent for, so each missed period warns once. */
    warnedDueBy: text(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("care_plans_resident_uq").on(t.residentId),
    index("care_plans_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`),
  ],
);

export const careVisits = pgTable(
  "care_visits",
  {
    id: serial().primaryKey(),
    idempotencyKey: text().notNull(),
    fingerprint: text().notNull(),
    residentId: integer().notNull(),
    orgPath: text().notNull(),
    kind: text().notNull(),
    visitedAt: timestamp({ withTimezone: true }).notNull(),
    durationMinutes: integer().notNull(),
    findings: text().notNull(),
    needs: jsonb().notNull(),
    vitals: jsonb().notNull(),
    findingsFlags: jsonb().notNull(),
    level: text().notNull(),
    visitorId: integer().notNull(),
    visitorName: text().notNull(),
    workOrderId: integer(),
    /** The optional check-in where the visit was recorded: { lat, long, accuracy } from the phone. */
    location: jsonb(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("care_visits_idempotency_uq").on(t.idempotencyKey),
    index("care_visits_resident_idx").on(t.residentId, t.visitedAt),
    index("care_visits_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`),
  ],
);

/** Photos taken on a visit, kept as the server re-encoded them (platform/photos.ts), by content hash. */
export const careVisitPhotos = pgTable(
  "care_visit_photos",
  {
    id: serial().primaryKey(),
    visitId: integer().notNull(),
    orgPath: text().notNull(),
    mime: text().notNull(),
    size: integer().notNull(),
    sha256: text().notNull(),
    storagePath: text().notNull(),
    uploadedBy: integer().notNull(),
    ...timestamps(),
  },
  (t) => [index("care_visit_photos_visit_idx").on(t.visitId)],
);

/** An abnormal reading or urgent need, waiting for the family doctor to acknowledge it. */
export const careAlerts = pgTable(
  "care_alerts",
  {
    id: serial().primaryKey(),
    visitId: integer(),
    residentId: integer().notNull(),
    orgPath: text().notNull(),
    doctorId: integer(),
    level: text().notNull(),
    reasons: jsonb().notNull(),
    state: text().notNull().default("open"),
    workOrderId: integer(),
    ackBy: integer(),
    ackAt: timestamp({ withTimezone: true }),
    ackNote: text(),
    ...timestamps(),
  },
  (t) => [
    index("care_alerts_open_idx").on(t.state, t.id),
    index("care_alerts_resident_idx").on(t.residentId, t.id),
    index("care_alerts_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`),
  ],
);

/** 家庭医生签约: one contract per resident at a time (overlaps refused). */
export const doctorContracts = pgTable(
  "doctor_contracts",
  {
    id: serial().primaryKey(),
    residentId: integer().notNull(),
    orgPath: text().notNull(),
    doctorId: integer().notNull(),
    servicePackage: text().notNull(),
    startDate: date({ mode: "string" }).notNull(),
    endDate: date({ mode: "string" }).notNull(),
    createdBy: integer(),
    ...timestamps(),
  },
  (t) => [
    index("doctor_contracts_resident_idx").on(t.residentId, t.startDate),
    index("doctor_contracts_doctor_idx").on(t.doctorId, t.endDate),
  ],
);

/** Consultation log 随访/咨询 (phone, online, door), optionally closing an alert. */
export const careConsultations = pgTable(
  "care_consultations",
  {
    id: serial().primaryKey(),
    residentId: integer().notNull(),
    orgPath: text().notNull(),
    doctorId: integer().notNull(),
    doctorName: text().notNull(),
    mode: text().notNull(),
    summary: text().notNull(),
    advice: text(),
    alertId: integer(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    ...timestamps(),
  },
  (t) => [index("care_consultations_resident_idx").on(t.residentId, t.at)],
);

/** 双向转诊. `version` refuses a stale concurrent step (409). */
export const referrals = pgTable(
  "referrals",
  {
    id: serial().primaryKey(),
    residentId: integer().notNull(),
    orgPath: text().notNull(),
    hospitalCode: text().notNull(),
    hospitalName: text().notNull(),
    department: text().notNull(),
    reason: text().notNull(),
    greenChannel: boolean().notNull().default(false),
    state: text().notNull(),
    requestedBy: integer().notNull(),
    requestedAt: timestamp({ withTimezone: true }).notNull(),
    appointmentAt: timestamp({ withTimezone: true }),
    version: integer().notNull().default(1),
    ...timestamps(),
  },
  (t) => [
    index("referrals_state_idx").on(t.state, t.greenChannel, t.requestedAt),
    index("referrals_resident_idx").on(t.residentId),
    index("referrals_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`),
  ],
);

/**
 * 医院联络员: which hospital (a code of the configured list) a hospital_liaison account works for. The liaison
 * sees and moves only that hospital's referrals; an account without a row sees none.
 */
export const hospitalLiaisons = pgTable("hospital_liaisons", {
  accountId: integer().primaryKey(),
  hospitalCode: text().notNull(),
  ...timestamps(),
});

export const referralEvents = pgTable(
  "referral_events",
  {
    id: serial().primaryKey(),
    referralId: integer().notNull(),
    action: text().notNull(),
    fromState: text(),
    toState: text().notNull(),
    actorId: integer(),
    actorName: text(),
    role: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    note: text(),
  },
  (t) => [index("referral_events_referral_idx").on(t.referralId, t.id)],
);

/** 爱心专班 members of a community: staff, doctor, volunteer, police, with their work phones. */
export const careTeamMembers = pgTable(
  "care_team_members",
  {
    id: serial().primaryKey(),
    communityId: integer().notNull(),
    orgPath: text().notNull(),
    teamRole: text().notNull(),
    name: text().notNull(),
    /** A work phone, published on the on-duty page and the contact card; never a resident's. */
    phone: text().notNull(),
    accountId: integer(),
    active: boolean().notNull().default(true),
    ...timestamps(),
  },
  (t) => [index("care_team_members_community_idx").on(t.communityId)],
);

/** Duty roster: a member on a 白班/晚班 of a date (a 晚班 runs into the next morning). */
export const careRoster = pgTable(
  "care_roster",
  {
    id: serial().primaryKey(),
    communityId: integer().notNull(),
    memberId: integer().notNull(),
    date: date({ mode: "string" }).notNull(),
    shift: text().notNull(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("care_roster_slot_uq").on(t.communityId, t.date, t.shift, t.memberId),
    index("care_roster_member_idx").on(t.memberId),
  ],
);

/** Per-community care settings (visit frequency overrides). Referral hospitals are district-wide, in system_settings. */
export const careSettings = pgTable("care_settings", {
  communityId: integer().primaryKey(),
  value: jsonb().notNull(),
  updatedBy: integer(),
  ...timestamps(),
});

/**
 * A tag proposed for the ledger by someone who is not keeping it (a campaign answer at the door: "独居"),
 * waiting for a care role to confirm it (then it becomes a tag assignment with source 'visit') or reject it.
 */
export const careTagProposals = pgTable(
  "care_tag_proposals",
  {
    id: serial().primaryKey(),
    householdId: integer().notNull(),
    /** The resident it is for, when the proposer knew; otherwise the confirmer picks one of the household. */
    residentId: integer(),
    orgPath: text().notNull(),
    tag: text().notNull(),
    /** Where it came from, e.g. 'campaign'. */
    source: text().notNull(),
    /** What the proposer saw, e.g. the campaign and question. */
    note: text(),
    sourceRef: text(),
    proposedByName: text().notNull(),
    /** proposed | confirmed | rejected */
    state: text().notNull().default("proposed"),
    decidedBy: integer(),
    decidedByName: text(),
    decidedAt: timestamp({ withTimezone: true }),
    decisionNote: text(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("care_tag_proposals_open_uq").on(t.householdId, t.tag).where(sql`${t.state} = 'proposed'`),
    index("care_tag_proposals_org_path_idx").using("btree", sql`${t.orgPath} text_pattern_ops`, t.state),
  ],
);
