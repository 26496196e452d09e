import { rated, satisfactionRate, type Tally } from "../../../domain/affairs/ratings.ts";
import { publicText } from "../../../domain/privacy/publicText.ts";
import { IntOrNull, NumOrNull, Str, StrOrNull, Time, TimeOrNull, Type } from "../../platform/schemas.ts";

// What leaves the affairs module, per audience. The public audience (the project list, a deliberation's
// summary) gets titles, budgets, owning units, progress, photos and tallies — never a proposer's, rater's,
// voter's or attendee's name, a phone, a household or a flat; free text goes through publicText. Staff get
// an enterprise contact's phone masked.

const Milestone = Type.Object({ title: Str, due: Str });
const TallySchema = Type.Object({
  satisfied: Type.Integer(),
  basic: Type.Integer(),
  unsatisfied: Type.Integer(),
  rated: Type.Integer(),
  rate: NumOrNull,
});

export function presentTally(t: Tally) {
  return {
    satisfied: t.satisfied,
    basic: t.basic,
    unsatisfied: t.unsatisfied,
    rated: rated(t),
    rate: satisfactionRate(t),
  };
}

// ——— practical projects ———

export const ProposalSchema = Type.Object({
  id: Type.Integer(),
  orgUnitId: Type.Integer(),
  unitName: Str,
  source: Str,
  title: Str,
  detail: Str,
  state: Str,
  projectId: IntOrNull,
  createdByName: StrOrNull,
  createdAt: Time,
});

export const ProjectSchema = Type.Object({
  id: Type.Integer(),
  orgUnitId: Type.Integer(),
  unitName: Str,
  quarter: Str,
  title: Str,
  description: Str,
  budget: Type.Integer(),
  owner: Str,
  deadline: Str,
  milestones: Type.Array(Milestone),
  state: Str,
  progress: Type.Integer(),
  publishedAt: TimeOrNull,
  proposalId: IntOrNull,
  /** Its quarter's list is closed and archived: read-only, no more ratings. */
  closed: Type.Boolean(),
  tally: TallySchema,
});

export interface ProjectRow {
  id: number;
  orgUnitId: number;
  unitName: string;
  orgPath: string;
  quarter: string;
  title: string;
  description: string;
  budget: number;
  owner: string;
  deadline: string;
  milestones: { title: string; due: string }[];
  state: string;
  progress: number;
  publishedAt: Date | null;
  proposalId: number | null;
  closed: boolean;
  satisfied: number;
  basic: number;
  unsatisfied: number;
}

export const PROJECT_COLS = `p.id, p.org_unit_id as "orgUnitId", u.name as "unitName", p.org_path as "orgPath", p.quarter, p.title,
  p.description, p.budget::float8 as budget, p.owner, p.deadline::text as deadline, p.milestones, p.state, p.progress,
  p.published_at as "publishedAt", p.proposal_id as "proposalId", p.ratings_satisfied as satisfied,
  p.ratings_basic as basic, p.ratings_unsatisfied as unsatisfied,
  exists (select 1 from project_quarters q where q.org_unit_id = p.org_unit_id and q.quarter = p.quarter) as closed`;

export function presentProject(r: ProjectRow) {
  return {
    id: r.id,
    orgUnitId: r.orgUnitId,
    unitName: r.unitName,
    quarter: r.quarter,
    title: r.title,
    description: r.description,
    budget: Number(r.budget),
    owner: r.owner,
    deadline: r.deadline,
    milestones: (r.milestones ?? []).map((m) => ({ title: m.title, due: m.due })),
    state: r.state,
    progress: r.progress,
    publishedAt: r.publishedAt,
    proposalId: r.proposalId,
    closed: !!r.closed,
    tally: presentTally(r),
  };
}

export const UpdateSchema = Type.Object({
  id: Type.Integer(),
  note: Str,
  progress: Type.Integer(),
  photoIds: Type.Array(Type.Integer()),
  createdAt: Time,
});

export const ProjectDetailSchema = Type.Object({
  ...ProjectSchema.properties,
  updates: Type.Array(UpdateSchema),
});

export const UnitSatisfaction = Type.Object({
  orgUnitId: Type.Integer(),
  unitName: Str,
  projects: Type.Integer(),
  done: Type.Integer(),
  tally: TallySchema,
});

/** A quarter's list as it stands (staff: every quarter of a unit; the public archive: closed ones). */
export const QuarterSchema = Type.Object({
  orgUnitId: Type.Integer(),
  unitName: Str,
  quarter: Str,
  closedAt: TimeOrNull,
  projects: Type.Integer(),
  done: Type.Integer(),
  tally: TallySchema,
});

/** The public list: no person, flat or phone; update notes masked. */
export const PublicProjectSchema = Type.Object({
  id: Type.Integer(),
  title: Str,
  description: Str,
  budget: Type.Integer(),
  owner: Str,
  deadline: Str,
  milestones: Type.Array(Milestone),
  state: Str,
  progress: Type.Integer(),
  updates: Type.Array(UpdateSchema),
  tally: TallySchema,
});
export const PublicListSchema = Type.Object({
  unit: Type.Object({ id: Type.Integer(), name: Str }),
  quarter: Str,
  quarters: Type.Array(Str),
  /** When the quarter's list was closed and archived (then it is read-only and takes no ratings), or null. */
  closedAt: TimeOrNull,
  tally: TallySchema,
  items: Type.Array(PublicProjectSchema),
});

export function presentPublicProject(
  r: ProjectRow,
  updates: { id: number; note: string; progress: number; createdAt: Date; photoIds: number[] }[],
) {
  return {
    id: r.id,
    title: publicText(r.title),
    description: publicText(r.description),
    budget: Number(r.budget),
    owner: r.owner,
    deadline: r.deadline,
    milestones: (r.milestones ?? []).map((m) => ({ title: publicText(m.title), due: m.due })),
    state: r.state,
    progress: r.progress,
    updates: updates.map((u) => ({ ...u, note: publicText(u.note) })),
    tally: presentTally(r),
  };
}

// ——— deliberation ———

const Party = Type.Object({ kind: Str, name: Str, present: Type.Boolean() });
export const ActionSchema = Type.Object({
  id: Type.Integer(),
  title: Str,
  owner: Str,
  due: Str,
  carriedBy: Str,
  workOrderId: IntOrNull,
  workOrderNumber: StrOrNull,
  projectId: IntOrNull,
  /** open | in_progress | done */
  status: Str,
  statusLabel: Str,
});
export const DeliberationListItem = Type.Object({
  id: Type.Integer(),
  orgUnitId: Type.Integer(),
  unitName: Str,
  title: Str,
  source: Str,
  state: Str,
  meetingAt: TimeOrNull,
  actions: Type.Integer(),
  actionsDone: Type.Integer(),
  createdAt: Time,
});
export const VoteTally = Type.Object({ option: Str, votes: Type.Integer() });
export const DeliberationSchema = Type.Object({
  id: Type.Integer(),
  orgUnitId: Type.Integer(),
  unitName: Str,
  title: Str,
  background: Str,
  source: Str,
  sourceRef: StrOrNull,
  state: Str,
  meetingAt: TimeOrNull,
  place: StrOrNull,
  parties: Type.Array(Party),
  agenda: StrOrNull,
  minutes: StrOrNull,
  decision: StrOrNull,
  voteQuestion: StrOrNull,
  voteOpen: Type.Boolean(),
  votes: Type.Array(VoteTally),
  actions: Type.Array(ActionSchema),
  createdAt: Time,
});
/** The public summary: what was on the table, who took part (by kind only), what was decided and done. */
export const PublicDeliberationSchema = Type.Object({
  id: Type.Integer(),
  unitName: Str,
  title: Str,
  background: Str,
  state: Str,
  meetingAt: TimeOrNull,
  parties: Type.Array(Type.Object({ kind: Str, count: Type.Integer() })),
  decision: StrOrNull,
  voteQuestion: StrOrNull,
  voteOpen: Type.Boolean(),
  votes: Type.Array(VoteTally),
  actions: Type.Array(
    Type.Object({ id: Type.Integer(), title: Str, owner: Str, due: Str, status: Str, statusLabel: Str }),
  ),
});

// ——— key projects ———

export const KeyMilestoneSchema = Type.Object({
  id: Type.Integer(),
  seq: Type.Integer(),
  title: Str,
  weight: Type.Integer(),
  due: Str,
  doneOn: StrOrNull,
  late: Type.Boolean(),
});
export const BoardItem = Type.Object({
  id: Type.Integer(),
  name: Str,
  unitName: Str,
  owner: Str,
  budget: Type.Integer(),
  startsOn: Str,
  endsOn: Str,
  actual: Type.Integer(),
  planned: Type.Integer(),
  behind: Type.Boolean(),
  delayDays: Type.Integer(),
  overdue: Type.Integer(),
  nextMilestone: StrOrNull,
  lastReportAt: TimeOrNull,
});
export const KeyProjectDetail = Type.Object({
  ...BoardItem.properties,
  milestones: Type.Array(KeyMilestoneSchema),
  reports: Type.Array(
    Type.Object({
      id: Type.Integer(),
      note: Str,
      milestoneId: IntOrNull,
      createdByName: StrOrNull,
      photoIds: Type.Array(Type.Integer()),
      createdAt: Time,
    }),
  ),
});

// ——— enterprises and inspections ———

export const EnterpriseSchema = Type.Object({
  id: Type.Integer(),
  orgUnitId: Type.Integer(),
  gridName: Str,
  name: Str,
  creditCode: Str,
  address: Str,
  contactName: Str,
  contactPhone: StrOrNull,
  industry: Str,
  size: Str,
  openRectifications: Type.Integer(),
  lastInspectedAt: TimeOrNull,
});
export function presentEnterprise(r: {
  id: number;
  orgUnitId: number;
  gridName: string;
  name: string;
  creditCode: string;
  address: string;
  contactName: string;
  contactPhoneTail: string | null;
  industry: string;
  size: string;
  openRectifications: number;
  lastInspectedAt: Date | null;
}) {
  return {
    id: r.id,
    orgUnitId: r.orgUnitId,
    gridName: r.gridName,
    name: r.name,
    creditCode: r.creditCode,
    address: r.address,
    contactName: r.contactName,
    // Only the masked form (138****5678) is kept in clear, and only it leaves.
    contactPhone: r.contactPhoneTail,
    industry: r.industry,
    size: r.size,
    openRectifications: r.openRectifications,
    lastInspectedAt: r.lastInspectedAt,
  };
}

export const ChecklistItem = Type.Object({ code: Str, text: Str });
export const TemplateSchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  items: Type.Array(ChecklistItem),
  /** Kept in the caller's own subtree (a district's template is read-only to a street below it). */
  editable: Type.Boolean(),
});
export const CampaignSchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  unitName: Str,
  templateId: Type.Integer(),
  templateName: Str,
  startsOn: Str,
  endsOn: Str,
  assigned: Type.Integer(),
  inspected: Type.Integer(),
});
export const AssignmentSchema = Type.Object({
  campaignId: Type.Integer(),
  campaignName: Str,
  enterpriseId: Type.Integer(),
  enterpriseName: Str,
  address: Str,
  gridName: Str,
  endsOn: Str,
  inspectionId: IntOrNull,
  items: Type.Array(ChecklistItem),
});
export const ResultSchema = Type.Object({ code: Str, text: Str, passed: Type.Boolean(), finding: StrOrNull });
export const RectificationSchema = Type.Object({
  id: Type.Integer(),
  enterpriseId: Type.Integer(),
  enterpriseName: Str,
  gridName: Str,
  inspectionId: Type.Integer(),
  itemCode: Str,
  itemText: Str,
  finding: Str,
  deadline: Str,
  state: Str,
  overdue: Type.Boolean(),
  enforcement: Str,
  enforcementNote: StrOrNull,
  closedAt: TimeOrNull,
  createdAt: Time,
});
export const StreetCounts = Type.Object({
  orgUnitId: Type.Integer(),
  name: Str,
  enterprises: Type.Integer(),
  inspected: Type.Integer(),
  inspections: Type.Integer(),
  failedItems: Type.Integer(),
  openRectifications: Type.Integer(),
  overdueRectifications: Type.Integer(),
  enforcement: Type.Integer(),
});
