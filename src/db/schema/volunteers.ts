import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { bytea, timestamps } from "./columns.ts";

// Volunteers 双报到 · 志愿服务. Every table carries `org_path` (the home community's, or the task's unit's)
// so scope is one LIKE and a later shard on the org code stays open (DESIGN §4).

/**
 * A person registered with their home community 报到: an in-service party member (with work unit and
 * party branch), a volunteer, or a resident volunteer. One row per person (the ID number's keyed hash).
 */
export const volunteerMembers = pgTable(
  "volunteer_members",
  {
    id: serial().primaryKey(),
    /** The account the member signs in with (a member entered by the community may have none). */
    accountId: integer(),
    /** party_member | volunteer | resident_volunteer */
    kind: text().notNull(),
    name: text().notNull(),
    idHash: text().notNull(),
    idCipher: text().notNull(),
    phoneCipher: text(),
    phoneTail: text(),
    communityId: integer().notNull(),
    orgPath: text().notNull(),
    workUnit: text(),
    partyBranch: text(),
    skills: text().array().notNull().default(sql`'{}'::text[]`),
    specialties: text().array().notNull().default(sql`'{}'::text[]`),
    availability: text(),
    /** pending | confirmed | rejected */
    state: text().notNull().default("pending"),
    rejectReason: text(),
    decidedBy: integer(),
    decidedAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("volunteer_members_id_hash_uq").on(t.idHash),
    uniqueIndex("volunteer_members_account_uq").on(t.accountId),
    index("volunteer_members_org_idx").on(t.orgPath, t.state),
    // The command center counts a subtree's members by state: a prefix match needs the pattern opclass.
    index("volunteer_members_state_path_idx").using("btree", t.state, sql`${t.orgPath} text_pattern_ops`),
    index("volunteer_members_work_unit_idx").on(t.workUnit),
  ],
);

/** A task or a standing post 岗位 published by a community or grid, with one time slot and a headcount. */
export const volunteerTasks = pgTable(
  "volunteer_tasks",
  {
    id: serial().primaryKey(),
    /** task | post */
    kind: text().notNull().default("task"),
    title: text().notNull(),
    description: text(),
    place: text().notNull(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    endsAt: timestamp({ withTimezone: true }).notNull(),
    capacity: integer().notNull(),
    /** Places taken: changed only together with a claim, in one statement (never more than capacity). */
    claimed: integer().notNull().default(0),
    requiredSkills: text().array().notNull().default(sql`'{}'::text[]`),
    /** Minutes before the start after which a claim can no longer be cancelled. */
    cancelCutoffMinutes: integer().notNull().default(120),
    /** open | cancelled | closed */
    state: text().notNull().default("open"),
    /** Part of the QR token: a new nonce invalidates printed codes. */
    qrNonce: text().notNull(),
    createdBy: integer(),
    createdByName: text(),
    ...timestamps(),
  },
  (t) => [
    index("volunteer_tasks_org_idx").on(t.orgPath, t.startsAt),
    check("volunteer_tasks_capacity_ck", sql`${t.claimed} >= 0 and ${t.claimed} <= ${t.capacity}`),
  ],
);

/** A member's claim on a task: claimed or waitlisted, then checked in/out, confirmed (hours) or a no-show. */
export const volunteerClaims = pgTable(
  "volunteer_claims",
  {
    id: serial().primaryKey(),
    taskId: integer().notNull(),
    memberId: integer().notNull(),
    orgPath: text().notNull(),
    /** claimed | waitlisted | cancelled | no_show */
    state: text().notNull(),
    checkInAt: timestamp({ withTimezone: true }),
    checkOutAt: timestamp({ withTimezone: true }),
    minutes: integer(),
    confirmedAt: timestamp({ withTimezone: true }),
    confirmedBy: integer(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("volunteer_claims_task_member_uq").on(t.taskId, t.memberId),
    index("volunteer_claims_task_idx").on(t.taskId, t.state, t.id),
    index("volunteer_claims_member_idx").on(t.memberId, t.id),
    // 今日活跃: today's check-ins are a few hundred of a year's claims (the panel scanned them all).
    index("volunteer_claims_check_in_idx").on(t.checkInAt),
  ],
);

/** The community's rules: points per hour, per wish, per 点单; the quarterly minimum of hours. */
export const volunteerSettings = pgTable("volunteer_settings", {
  communityId: integer().primaryKey(),
  orgPath: text().notNull(),
  pointsPerHour: integer().notNull().default(10),
  pointsPerWish: integer().notNull().default(20),
  pointsPerRequest: integer().notNull().default(30),
  quarterlyMinHours: integer().notNull().default(4),
  ...timestamps(),
});

/**
 * Ledger accounts. A member's account never goes below zero (checked by the write and by the table); a
 * community's `issued` account is the source every award comes from (it runs negative: points in
 * circulation) and its `redeemed` account the sink redemptions go to.
 */
export const pointsAccounts = pgTable(
  "points_accounts",
  {
    id: serial().primaryKey(),
    /** member | issued | redeemed */
    kind: text().notNull(),
    memberId: integer(),
    communityId: integer().notNull(),
    orgPath: text().notNull(),
    balance: bigint({ mode: "number" }).notNull().default(0),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("points_accounts_member_uq").on(t.memberId).where(sql`${t.kind} = 'member'`),
    uniqueIndex("points_accounts_community_uq").on(t.communityId, t.kind).where(sql`${t.kind} <> 'member'`),
    index("points_accounts_org_idx").on(t.orgPath),
    check("points_accounts_member_nonneg_ck", sql`${t.kind} <> 'member' or ${t.balance} >= 0`),
  ],
);

/** One balanced transaction: an award, a redemption, or the reversal of either. `source` is unique. */
export const pointsTransactions = pgTable(
  "points_transactions",
  {
    id: serial().primaryKey(),
    /** award | redeem | reversal */
    kind: text().notNull(),
    /** What caused it ("claim:12", "wish:3", "redemption:7", "reversal:5"): the same source posts once. */
    source: text().notNull(),
    memo: text(),
    orgPath: text().notNull(),
    reversalOf: integer(),
    createdBy: integer(),
    createdByName: text(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("points_transactions_source_uq").on(t.source),
    index("points_transactions_org_idx").on(t.orgPath),
  ],
);

/** The legs of a transaction; each transaction's amounts sum to zero. */
export const pointsEntries = pgTable(
  "points_entries",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    transactionId: integer().notNull(),
    accountId: integer().notNull(),
    amount: integer().notNull(),
    /** Service minutes behind an award leg (for rankings by hours); 0 otherwise. */
    minutes: integer().notNull().default(0),
    orgPath: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A member's history is a backward range scan of this index (newest first, ties by id).
    index("points_entries_account_idx").on(t.accountId, t.createdAt.desc(), t.id.desc()),
    index("points_entries_tx_idx").on(t.transactionId),
    index("points_entries_created_idx").on(t.createdAt),
  ],
);

/**
 * Earned points and service minutes per member account and month (Asia/Shanghai), kept by the statement trigger
 * `points_rollups_changed` on points_entries, so in the same transaction as every posting: award legs on member
 * accounts and the reversals of awards (a redemption and its reversal move balances, not what was earned).
 * The monthly rankings read this, not the entries; `checkLedger` proves it equals the entries.
 */
export const pointsMonthly = pgTable(
  "points_monthly",
  {
    accountId: integer().notNull(),
    month: text().notNull(),
    orgPath: text().notNull(),
    points: integer().notNull().default(0),
    minutes: integer().notNull().default(0),
    /** Services completed (an award each: a task's confirmed hours, a fulfilled wish, a finished 点单), less reversals. */
    tasks: integer().notNull().default(0),
  },
  (t) => [
    // The key names the org path too: the city database holds every district's rows in one table (logical
    // replication), where account ids repeat from district to district and paths never do. The publication
    // also needs a key to send updates by (migration 0043).
    primaryKey({ name: "points_monthly_pkey", columns: [t.orgPath, t.accountId, t.month] }),
    uniqueIndex("points_monthly_uq").on(t.accountId, t.month),
    // Rankings: the top of a period is the start of one of these, filtered by scope (district, street).
    index("points_monthly_points_idx").on(t.month, t.points.desc(), t.accountId),
    index("points_monthly_minutes_idx").on(t.month, t.minutes.desc(), t.accountId),
    index("points_monthly_tasks_idx").on(t.month, t.tasks.desc(), t.accountId),
    // A community's ranking: its few hundred rows by prefix, then sorted.
    index("points_monthly_month_idx").using("btree", t.month, sql`${t.orgPath} text_pattern_ops`),
  ],
);

/** The same per quarter ("2026-Q4"), kept by the same trigger: the quarterly rankings read one row per member. */
export const pointsQuarterly = pgTable(
  "points_quarterly",
  {
    accountId: integer().notNull(),
    quarter: text().notNull(),
    orgPath: text().notNull(),
    points: integer().notNull().default(0),
    minutes: integer().notNull().default(0),
    tasks: integer().notNull().default(0),
  },
  (t) => [
    uniqueIndex("points_quarterly_uq").on(t.accountId, t.quarter),
    index("points_quarterly_points_idx").on(t.quarter, t.points.desc(), t.accountId),
    index("points_quarterly_minutes_idx").on(t.quarter, t.minutes.desc(), t.accountId),
    index("points_quarterly_tasks_idx").on(t.quarter, t.tasks.desc(), t.accountId),
    index("points_quarterly_path_idx").using("btree", t.quarter, sql`${t.orgPath} text_pattern_ops`),
  ],
);

/** The community's redemption catalogue: property-fee credit 物业费抵扣, 绿能卡, goods; with stock. */
export const redemptionItems = pgTable(
  "redemption_items",
  {
    id: serial().primaryKey(),
    communityId: integer().notNull(),
    orgPath: text().notNull(),
    /** property_fee | green_card | goods */
    kind: text().notNull(),
    name: text().notNull(),
    cost: integer().notNull(),
    stock: integer().notNull(),
    active: smallint().notNull().default(1),
    ...timestamps(),
  },
  (t) => [
    index("redemption_items_org_idx").on(t.orgPath),
    check("redemption_items_stock_ck", sql`${t.stock} >= 0`),
  ],
);

/** A member's redemption: points debited, a voucher code issued; reversed with a reason. */
export const redemptions = pgTable(
  "redemptions",
  {
    id: serial().primaryKey(),
    itemId: integer().notNull(),
    memberId: integer().notNull(),
    orgPath: text().notNull(),
    points: integer().notNull(),
    voucherCode: text().notNull(),
    /** issued | reversed */
    state: text().notNull().default("issued"),
    reverseReason: text(),
    transactionId: integer(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("redemptions_voucher_uq").on(t.voucherCode),
    index("redemptions_member_idx").on(t.memberId),
  ],
);

/**
 * A micro-wish 微心愿: posted by a grid worker for a resident, reviewed by the community, shown on the wall
 * as `public_text` only, claimed by one member, fulfilled with a photo, confirmed.
 */
export const volunteerWishes = pgTable(
  "volunteer_wishes",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    residentId: integer(),
    title: text().notNull(),
    /** What the grid worker wrote (may name the person and the flat): staff only. */
    detail: text().notNull(),
    /** What the wall shows: masked by domain/privacy. */
    publicText: text().notNull(),
    /** pending | published | rejected | claimed | fulfilled | confirmed */
    state: text().notNull().default("pending"),
    rejectReason: text(),
    postedBy: integer(),
    postedByName: text(),
    /** Set when the resident made the wish in the phone app: whose "my requests" it shows in. */
    residentAccountId: integer(),
    memberId: integer(),
    claimedAt: timestamp({ withTimezone: true }),
    fulfilNote: text(),
    photo: bytea(),
    photoType: text(),
    fulfilledAt: timestamp({ withTimezone: true }),
    confirmedAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    index("volunteer_wishes_org_idx").on(t.orgPath, t.state),
    index("volunteer_wishes_resident_account_idx")
      .on(t.residentAccountId, t.id)
      .where(sql`${t.residentAccountId} is not null`),
  ],
);

/** 点单: 居民点单 → 网格接单 → 社区派单 → 党员接单 → done → rated. */
export const expertRequests = pgTable(
  "expert_requests",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    specialty: text().notNull(),
    description: text().notNull(),
    /** requested | accepted | dispatched | taken | done | rated */
    state: text().notNull().default("requested"),
    memberId: integer(),
    declinedBy: integer().array().notNull().default(sql`'{}'::int[]`),
    rating: smallint(),
    createdBy: integer(),
    ...timestamps(),
  },
  (t) => [index("expert_requests_org_idx").on(t.orgPath, t.state)],
);

/** 集结号: an emergency call to every confirmed member in a scope; responses are one per member. */
export const callOuts = pgTable(
  "call_outs",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    title: text().notNull(),
    body: text().notNull(),
    sent: integer().notNull().default(0),
    createdBy: integer(),
    ...timestamps(),
  },
  (t) => [index("call_outs_org_idx").on(t.orgPath)],
);

export const callOutResponses = pgTable(
  "call_out_responses",
  {
    id: serial().primaryKey(),
    callOutId: integer().notNull(),
    memberId: integer().notNull(),
    orgPath: text().notNull(),
    ...timestamps(),
  },
  (t) => [uniqueIndex("call_out_responses_uq").on(t.callOutId, t.memberId)],
);

/**
 * Reminders to members below their community's quarterly minimum of service hours: one per member and quarter
 * (the unique key makes a second sweep of the same quarter send nothing to those already reminded).
 */
export const volunteerReminders = pgTable(
  "volunteer_reminders",
  {
    id: serial().primaryKey(),
    memberId: integer().notNull(),
    /** "2026-Q4", as the rollups name quarters. */
    quarter: text().notNull(),
    orgPath: text().notNull(),
    minutes: integer().notNull(),
    minMinutes: integer().notNull(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("volunteer_reminders_uq").on(t.memberId, t.quarter),
    index("volunteer_reminders_org_idx").on(t.quarter, t.orgPath),
  ],
);

/**
 * A volunteer team 志愿队 or a functional party branch 功能型党支部 of one residential complex 小区 in a community,
 * with its secretary (a confirmed member of the community with a login), who keeps the roll with the community desk.
 */
export const volunteerTeams = pgTable(
  "volunteer_teams",
  {
    id: serial().primaryKey(),
    /** team | party_branch */
    kind: text().notNull(),
    name: text().notNull(),
    /** The residential complex 小区 (or place) the team serves: complexes are not org units, so a name. */
    complex: text().notNull(),
    communityId: integer().notNull(),
    orgPath: text().notNull(),
    secretaryMemberId: integer().notNull(),
    createdBy: integer(),
    createdByName: text(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("volunteer_teams_name_uq").on(t.communityId, t.name),
    index("volunteer_teams_org_idx").on(t.orgPath),
    index("volunteer_teams_secretary_idx").on(t.secretaryMemberId),
  ],
);

/**
 * The roll: a member's time on a team, from joining to leaving. Leaving sets `left_at` (history is kept); one
 * open row per member and team, and a member may be on several teams at once.
 */
export const volunteerTeamMembers = pgTable(
  "volunteer_team_members",
  {
    id: serial().primaryKey(),
    teamId: integer().notNull(),
    memberId: integer().notNull(),
    orgPath: text().notNull(),
    joinedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp({ withTimezone: true }),
    leaveReason: text(),
    addedByName: text(),
    removedByName: text(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("volunteer_team_members_open_uq").on(t.teamId, t.memberId).where(sql`${t.leftAt} is null`),
    index("volunteer_team_members_team_idx").on(t.teamId, t.joinedAt),
    index("volunteer_team_members_member_idx").on(t.memberId),
  ],
);
