import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { bytea, timestamps } from "./columns.ts";

// Community affairs: practical projects 列单-晒单-评单, deliberation 有事好商量, key projects 序时进度 and
// enterprise inspections 企业"五有". Every table carries `org_path` so scope is one LIKE.

/** A photo kept for a project update, a key-project report or an inspection (decoded and re-encoded). */
export const affairsPhotos = pgTable(
  "affairs_photos",
  {
    id: serial().primaryKey(),
    /** project_update | key_project_report | inspection */
    entity: text().notNull(),
    entityId: integer().notNull(),
    orgPath: text().notNull(),
    data: bytea().notNull(),
    type: text().notNull(),
    createdBy: integer(),
    ...timestamps(),
  },
  (t) => [index("affairs_photos_entity_idx").on(t.entity, t.entityId)],
);

/** 征集: a proposal for a practical project from a resident (taken down by staff) or a grid visit. */
export const projectProposals = pgTable(
  "project_proposals",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    /** resident | grid_visit */
    source: text().notNull(),
    title: text().notNull(),
    detail: text().notNull(),
    /** open | adopted | declined */
    state: text().notNull().default("open"),
    projectId: integer(),
    createdBy: integer(),
    createdByName: text(),
    ...timestamps(),
  },
  (t) => [index("project_proposals_org_idx").on(t.orgPath, t.state)],
);

/**
 * A street's or community's quarterly list closed and archived: from then on its projects are read-only and
 * take no more ratings, and the quarter appears in the public archive with its satisfaction.
 */
export const projectQuarters = pgTable(
  "project_quarters",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    quarter: text().notNull(),
    closedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    closedBy: integer(),
    ...timestamps(),
  },
  (t) => [uniqueIndex("project_quarters_unit_quarter_uq").on(t.orgUnitId, t.quarter)],
);

/** 实事项目: one line of a street's or community's quarterly list. */
export const practicalProjects = pgTable(
  "practical_projects",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    /** 2026Q4 */
    quarter: text().notNull(),
    title: text().notNull(),
    description: text().notNull().default(""),
    /** yuan */
    budget: bigint({ mode: "number" }).notNull(),
    /** The responsible unit (a department or office), shown publicly. */
    owner: text().notNull(),
    deadline: date({ mode: "string" }).notNull(),
    /** [{ title, due }] */
    milestones: jsonb().notNull().default(sql`'[]'::jsonb`),
    /** draft | published | done | archived */
    state: text().notNull().default("draft"),
    progress: smallint().notNull().default(0),
    publishedAt: timestamp({ withTimezone: true }),
    proposalId: integer(),
    deliberationActionId: integer(),
    ratingsSatisfied: integer().notNull().default(0),
    ratingsBasic: integer().notNull().default(0),
    ratingsUnsatisfied: integer().notNull().default(0),
    createdBy: integer(),
    ...timestamps(),
  },
  (t) => [
    index("practical_projects_org_idx").on(t.orgPath, t.quarter),
    index("practical_projects_public_idx").on(t.orgUnitId, t.quarter, t.state),
  ],
);

/** 晒单: a progress update on a project (photos in affairs_photos). */
export const projectUpdates = pgTable(
  "project_updates",
  {
    id: serial().primaryKey(),
    projectId: integer().notNull(),
    orgPath: text().notNull(),
    note: text().notNull(),
    progress: smallint().notNull(),
    createdBy: integer(),
    ...timestamps(),
  },
  (t) => [index("project_updates_project_idx").on(t.projectId)],
);

/** 评单: one rating per project per phone (the phone's keyed hash; the phone itself is not kept). */
export const projectRatings = pgTable(
  "project_ratings",
  {
    id: serial().primaryKey(),
    projectId: integer().notNull(),
    orgPath: text().notNull(),
    phoneHash: text().notNull(),
    /** satisfied | basically_satisfied | unsatisfied */
    satisfaction: text().notNull(),
    comment: text(),
    ...timestamps(),
  },
  (t) => [uniqueIndex("project_ratings_phone_uq").on(t.projectId, t.phoneHash)],
);

/** 议事 / 有事好商量: a topic put on the table in a community. */
export const deliberations = pgTable(
  "deliberations",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    title: text().notNull(),
    background: text().notNull(),
    /** resident | hot_spot | work_order | grid_worker */
    source: text().notNull(),
    sourceRef: text(),
    /** open | met | decided */
    state: text().notNull().default("open"),
    meetingAt: timestamp({ withTimezone: true }),
    place: text(),
    /** [{ kind, name, present }] */
    parties: jsonb().notNull().default(sql`'[]'::jsonb`),
    agenda: text(),
    minutes: text(),
    /** What was decided, in words for the public summary. */
    decision: text(),
    voteQuestion: text(),
    voteOptions: text().array(),
    voteOpen: boolean().notNull().default(false),
    createdBy: integer(),
    ...timestamps(),
  },
  (t) => [index("deliberations_org_idx").on(t.orgPath)],
);

/** An agreed action, with owner and deadline, carried out as a work order or a practical project. */
export const deliberationActions = pgTable(
  "deliberation_actions",
  {
    id: serial().primaryKey(),
    deliberationId: integer().notNull(),
    orgPath: text().notNull(),
    title: text().notNull(),
    owner: text().notNull(),
    due: date({ mode: "string" }).notNull(),
    /** work_order | project | none */
    carriedBy: text().notNull().default("none"),
    workOrderId: integer(),
    projectId: integer(),
    /** For actions carried by nobody else: open | done */
    state: text().notNull().default("open"),
    ...timestamps(),
  },
  (t) => [index("deliberation_actions_delib_idx").on(t.deliberationId)],
);

/** One vote per household. */
export const deliberationVotes = pgTable(
  "deliberation_votes",
  {
    id: serial().primaryKey(),
    deliberationId: integer().notNull(),
    householdId: integer().notNull(),
    orgPath: text().notNull(),
    option: text().notNull(),
    recordedBy: integer(),
    ...timestamps(),
  },
  (t) => [uniqueIndex("deliberation_votes_household_uq").on(t.deliberationId, t.householdId)],
);

/** 重点工程: a key project held to its milestone schedule. */
export const keyProjects = pgTable(
  "key_projects",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    name: text().notNull(),
    owner: text().notNull(),
    /** yuan */
    budget: bigint({ mode: "number" }).notNull().default(0),
    startsOn: date({ mode: "string" }).notNull(),
    endsOn: date({ mode: "string" }).notNull(),
    progress: smallint().notNull().default(0),
    createdBy: integer(),
    ...timestamps(),
  },
  (t) => [index("key_projects_org_idx").on(t.orgPath)],
);

export const keyProjectMilestones = pgTable(
  "key_project_milestones",
  {
    id: serial().primaryKey(),
    projectId: integer().notNull(),
    orgPath: text().notNull(),
    seq: smallint().notNull(),
    title: text().notNull(),
    weight: smallint().notNull(),
    due: date({ mode: "string" }).notNull(),
    doneOn: date({ mode: "string" }),
    ...timestamps(),
  },
  (t) => [uniqueIndex("key_project_milestones_seq_uq").on(t.projectId, t.seq)],
);

/** A progress report (photos in affairs_photos); may mark a milestone met. */
export const keyProjectReports = pgTable(
  "key_project_reports",
  {
    id: serial().primaryKey(),
    projectId: integer().notNull(),
    milestoneId: integer(),
    orgPath: text().notNull(),
    note: text().notNull(),
    createdBy: integer(),
    createdByName: text(),
    ...timestamps(),
  },
  (t) => [index("key_project_reports_project_idx").on(t.projectId, t.createdAt)],
);

/** An enterprise in the register, placed in a grid. */
export const enterprises = pgTable(
  "enterprises",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    name: text().notNull(),
    creditCode: text().notNull(),
    address: text().notNull(),
    contactName: text().notNull(),
    contactPhoneCipher: text(),
    contactPhoneTail: text(),
    industry: text().notNull(),
    /** micro | small | medium | large */
    size: text().notNull(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("enterprises_credit_code_uq").on(t.creditCode),
    index("enterprises_org_idx").on(t.orgPath),
  ],
);

/** A checklist template: the 五有 as one, winter work-safety as another. items: [{ code, text }]. */
export const checklistTemplates = pgTable("checklist_templates", {
  id: serial().primaryKey(),
  orgPath: text().notNull(),
  name: text().notNull(),
  items: jsonb().notNull(),
  ...timestamps(),
});

/** An inspection campaign: a template, a period, and enterprises assigned to inspectors. */
export const inspectionCampaigns = pgTable(
  "inspection_campaigns",
  {
    id: serial().primaryKey(),
    orgUnitId: integer().notNull(),
    orgPath: text().notNull(),
    name: text().notNull(),
    templateId: integer().notNull(),
    startsOn: date({ mode: "string" }).notNull(),
    endsOn: date({ mode: "string" }).notNull(),
    createdBy: integer(),
    ...timestamps(),
  },
  (t) => [index("inspection_campaigns_org_idx").on(t.orgPath)],
);

export const inspectionAssignments = pgTable(
  "inspection_assignments",
  {
    id: serial().primaryKey(),
    campaignId: integer().notNull(),
    enterpriseId: integer().notNull(),
    inspectorId: integer().notNull(),
    orgPath: text().notNull(),
    inspectionId: integer(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("inspection_assignments_uq").on(t.campaignId, t.enterpriseId),
    index("inspection_assignments_inspector_idx").on(t.inspectorId, t.campaignId),
  ],
);

/** One visit with the checklist: results [{ code, text, passed, finding }]. */
export const inspections = pgTable(
  "inspections",
  {
    id: serial().primaryKey(),
    campaignId: integer(),
    enterpriseId: integer().notNull(),
    orgPath: text().notNull(),
    inspectorId: integer(),
    inspectorName: text(),
    /** initial | reinspection */
    kind: text().notNull().default("initial"),
    rectificationId: integer(),
    results: jsonb().notNull(),
    failed: smallint().notNull().default(0),
    inspectedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    ...timestamps(),
  },
  (t) => [
    index("inspections_org_idx").on(t.orgPath, t.inspectedAt),
    // The year's counts per unit (the inspection summary): with enterprise_id, kind and failed included
    // (migration 0038) an index-only scan, instead of reading every inspection's checklist from the heap.
    index("inspections_year_idx").on(t.inspectedAt, t.orgPath),
    index("inspections_enterprise_idx").on(t.enterpriseId),
  ],
);

/** 整改单: a failed item, its deadline, the re-inspection that closes it, and enforcement 联合惩戒. */
export const rectifications = pgTable(
  "rectifications",
  {
    id: serial().primaryKey(),
    enterpriseId: integer().notNull(),
    inspectionId: integer().notNull(),
    orgPath: text().notNull(),
    itemCode: text().notNull(),
    itemText: text().notNull(),
    finding: text().notNull(),
    deadline: date({ mode: "string" }).notNull(),
    /** open | closed */
    state: text().notNull().default("open"),
    closedAt: timestamp({ withTimezone: true }),
    closedByInspectionId: integer(),
    /** none | active | released */
    enforcement: text().notNull().default("none"),
    enforcementNote: text(),
    escalatedAt: timestamp({ withTimezone: true }),
    releasedAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    index("rectifications_org_idx").on(t.orgPath, t.state),
    index("rectifications_enterprise_idx").on(t.enterpriseId),
  ],
);
