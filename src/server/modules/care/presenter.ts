import type { TSchema } from "typebox";
import {
  CARE_TEAM_ROLE_LABELS,
  type CareTeamRole,
  contractStatus,
  SERVICE_PACKAGE_LABELS,
  type ServicePackage,
  SHIFT_LABELS,
  type Shift,
} from "../../../domain/care/contracts.ts";
import { VISIT_FREQUENCIES, type VisitFrequency, type VisitStatus } from "../../../domain/care/plans.ts";
import {
  allowedActions,
  REFERRAL_ACTION_LABELS,
  REFERRAL_STATE_LABELS,
  type Referral,
  type ReferralAction,
  type ReferralState,
} from "../../../domain/care/referrals.ts";
import {
  NEED_LABELS,
  type NeedKind,
  URGENCY_LABELS,
  VISIT_KIND_LABELS,
  type VisitKind,
} from "../../../domain/care/visits.ts";
import {
  VITAL_LEVEL_LABELS,
  VITAL_LEVELS,
  type VitalFinding,
  type VitalLevel,
} from "../../../domain/care/vitals.ts";
import { KEY_TAGS, type KeyTag, TAG_LABELS } from "../../../domain/people/generate.ts";
import { nameInitials } from "../../../domain/people/pinyin.ts";
import type { Actor } from "../../context.ts";
import type { FieldCrypto } from "../../platform/crypto.ts";
import { ROLE_LABELS, type Role } from "../../platform/roles.ts";
import {
  IntOrNull,
  Items,
  NumOrNull,
  OneOf,
  type Static,
  Str,
  StrOrNull,
  Strs,
  Time,
  TimeOrNull,
  Type,
} from "../../platform/schemas.ts";
import { maskWorkPhone } from "../accounts/index.ts";
import { presentResident, type ResidentRow, ResidentSchema } from "../residents/index.ts";

// The one place care rows leave the server, with the response schema of each beside it. Every field that
// leaves is named here (never `...rest`): a column added to a query stays in the server until it is added
// to a presenter and its schema. Audiences:
// - staff: care roles in scope (the ledger, plans, teams; health data only behind healthPolicy/referralPolicy);
// - public: the care team's on-duty page (staff names, team roles and work phones; nothing about residents);
// - export: the ledger spreadsheet's cells (ID numbers masked, no phones).

const nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
const tagLabel = (t: string) => TAG_LABELS[t as KeyTag] ?? t;

// ——— ledger: tags and their evidence ———

export const TAG_SOURCE_LABELS: Record<string, string> = {
  manual: "手工标注",
  import: "台账导入",
  visit: "走访核实",
  registry: "户籍登记",
};

export interface TagAssignmentRow {
  id: number;
  residentId: number;
  tag: string;
  source: string;
  note: string | null;
  setBy: number | null;
  setByName: string | null;
  setAt: Date;
  removedAt: Date | null;
  removedNote: string | null;
}

export const TagAssignmentSchema = Type.Object({
  id: Type.Integer(),
  residentId: Type.Integer(),
  tag: Str,
  tagLabel: Str,
  source: Str,
  sourceLabel: Str,
  note: StrOrNull,
  setBy: IntOrNull,
  setByName: StrOrNull,
  setAt: Time,
  removedAt: TimeOrNull,
  removedNote: StrOrNull,
  current: Type.Boolean(),
});

export function presentAssignment(a: TagAssignmentRow): Static<typeof TagAssignmentSchema> {
  return {
    id: a.id,
    residentId: a.residentId,
    tag: a.tag,
    tagLabel: tagLabel(a.tag),
    source: a.source,
    sourceLabel: TAG_SOURCE_LABELS[a.source] ?? a.source,
    note: a.note,
    setBy: a.setBy,
    setByName: a.setByName,
    setAt: a.setAt,
    removedAt: a.removedAt,
    removedNote: a.removedNote,
    current: a.removedAt === null,
  };
}

export const TagEvidenceSchema = Type.Object({
  residentId: Type.Integer(),
  tags: Strs,
  items: Type.Array(TagAssignmentSchema),
});

export const TagsAfterRemovalSchema = Type.Object({ residentId: Type.Integer(), tags: Strs });

// ——— ledger: summary and list ———

/** A count per key tag, every tag named (zero when none). */
export const TagCountsSchema = Type.Object(
  Object.fromEntries(KEY_TAGS.map((k) => [k, Type.Integer()])) as Record<
    KeyTag,
    ReturnType<typeof Type.Integer>
  >,
);

const OrgRefSchema = Type.Object({ id: Type.Integer(), name: Str, kind: Str });

export const LedgerGridSchema = Type.Object({
  orgUnitId: Type.Integer(),
  code: Str,
  name: Str,
  keyResidents: Type.Integer(),
  notVisitedWeek: Type.Integer(),
  counts: TagCountsSchema,
});

export const LedgerSummarySchema = Type.Object({
  org: OrgRefSchema,
  tags: Type.Array(Type.Object({ tag: OneOf(KEY_TAGS), label: Str })),
  dimensions: Type.Array(
    Type.Object({ code: Str, label: Str, tags: Strs, tagLabels: Strs, count: Type.Integer() }),
  ),
  totals: Type.Object({
    keyResidents: Type.Integer(),
    notVisitedWeek: Type.Integer(),
    counts: TagCountsSchema,
  }),
  items: Type.Array(LedgerGridSchema),
});

export type LedgerRow = ResidentRow & {
  lastVisitAt: Date | null;
  frequencyOverride: string | null;
  createdAt: Date;
};

/** A key resident in the ledger: the resident as staff see them (masked) and their visit rhythm. */
export const LedgerRowSchema = Type.Object({
  ...ResidentSchema.properties,
  gridCode: StrOrNull,
  frequency: StrOrNull,
  frequencyLabel: StrOrNull,
  lastVisitAt: TimeOrNull,
  daysSinceVisit: IntOrNull,
});
export type PresentedLedgerRow = Static<typeof LedgerRowSchema>;

export function presentLedgerRow(
  r: LedgerRow,
  crypto: FieldCrypto,
  plan: { frequency: string | null; label: string | null; gridCode: string | null },
  now: Date,
): PresentedLedgerRow {
  return {
    ...presentResident(r, crypto),
    gridCode: plan.gridCode,
    frequency: plan.frequency,
    frequencyLabel: plan.label,
    lastVisitAt: r.lastVisitAt,
    daysSinceVisit: r.lastVisitAt
      ? Math.floor((now.getTime() - new Date(r.lastVisitAt).getTime()) / 86_400_000)
      : null,
  };
}

export const LedgerPageSchema = Type.Object({
  items: Type.Array(LedgerRowSchema),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

/** The export audience: one spreadsheet row, ID number masked, no phone. */
export function ledgerExportCells(p: PresentedLedgerRow, gridName: string | null) {
  return {
    grid: gridName ?? p.gridCode,
    name: p.name,
    gender: p.genderLabel,
    age: p.age,
    id: p.idNumberMasked,
    address: p.address,
    tags: p.tagLabels.join("、"),
    frequency: p.frequencyLabel ?? "",
    lastVisit: p.lastVisitAt ? new Date(p.lastVisitAt).toISOString().slice(0, 10) : "未走访",
  };
}

// ——— plans, the due list, community config, staff ———

const DUE_STATES = ["scheduled", "due_soon", "due", "overdue"] as const;

export const VisitStatusSchema = Type.Object({
  state: OneOf(DUE_STATES),
  label: Str,
  dueBy: Str,
  daysLeft: Type.Integer(),
  daysOverdue: Type.Integer(),
  windowOpen: Type.Boolean(),
});

export interface PlanRow {
  residentId: number;
  name: string;
  address: string;
  orgPath: string;
  tags: string[];
  createdAt: Date;
  frequencyOverride: string | null;
  startedAt: Date | null;
  lastVisitAt: Date | null;
  assignedWorkerId: number | null;
  doctorId: number | null;
  warnedDueBy: string | null;
}

export interface PlanState {
  frequency: VisitFrequency;
  frequencyLabel: string;
  overridden: boolean;
  status: VisitStatus;
}

export const DueItemSchema = Type.Object({
  residentId: Type.Integer(),
  name: Str,
  address: Str,
  gridCode: StrOrNull,
  tags: Strs,
  tagLabels: Strs,
  frequency: OneOf(VISIT_FREQUENCIES),
  frequencyLabel: Str,
  state: OneOf(DUE_STATES),
  label: Str,
  dueBy: Str,
  daysLeft: Type.Integer(),
  daysOverdue: Type.Integer(),
  lastVisitAt: TimeOrNull,
  assignedWorkerId: IntOrNull,
  doctorId: IntOrNull,
});

export function presentDue(
  row: PlanRow,
  s: PlanState,
  gridCode: string | null,
): Static<typeof DueItemSchema> {
  return {
    residentId: row.residentId,
    name: row.name,
    address: row.address,
    gridCode,
    tags: row.tags,
    tagLabels: row.tags.map(tagLabel),
    frequency: s.frequency,
    frequencyLabel: s.frequencyLabel,
    state: s.status.state,
    label: s.status.label,
    dueBy: s.status.dueBy,
    daysLeft: s.status.daysLeft,
    daysOverdue: s.status.daysOverdue,
    lastVisitAt: row.lastVisitAt,
    assignedWorkerId: row.assignedWorkerId,
    doctorId: row.doctorId,
  };
}

export const DueListSchema = Type.Object({
  counts: Type.Object({
    overdue: Type.Integer(),
    due: Type.Integer(),
    due_soon: Type.Integer(),
    scheduled: Type.Integer(),
  }),
  total: Type.Integer(),
  items: Type.Array(DueItemSchema),
});

export const PlanSchema = Type.Object({
  residentId: Type.Integer(),
  keyResident: Type.Boolean(),
  tags: Strs,
  tagLabels: Strs,
  frequency: StrOrNull,
  frequencyLabel: StrOrNull,
  overridden: Type.Boolean(),
  startedAt: TimeOrNull,
  lastVisitAt: TimeOrNull,
  status: nullable(VisitStatusSchema),
  assignedWorkerId: IntOrNull,
  assignedWorkerName: StrOrNull,
  /** Work phones, masked; the full number through POST /api/accounts/:id/reveal (audited). */
  assignedWorkerPhoneMasked: StrOrNull,
  doctorId: IntOrNull,
  doctorName: StrOrNull,
  doctorPhoneMasked: StrOrNull,
});
export type PresentedPlan = Static<typeof PlanSchema>;

export function presentPlan(
  row: PlanRow,
  s: PlanState | null,
  nameOf: (id: number | null) => string | null,
  phoneOf: (id: number | null) => string | null = () => null,
): PresentedPlan {
  const masked = (id: number | null) => {
    const p = phoneOf(id);
    return p ? maskWorkPhone(p) : null;
  };
  return {
    residentId: row.residentId,
    keyResident: s !== null,
    tags: row.tags,
    tagLabels: row.tags.map(tagLabel),
    frequency: s?.frequency ?? null,
    frequencyLabel: s?.frequencyLabel ?? null,
    overridden: s?.overridden ?? false,
    startedAt: row.startedAt,
    lastVisitAt: row.lastVisitAt,
    status: s
      ? {
          state: s.status.state,
          label: s.status.label,
          dueBy: s.status.dueBy,
          daysLeft: s.status.daysLeft,
          daysOverdue: s.status.daysOverdue,
          windowOpen: s.status.windowOpen,
        }
      : null,
    assignedWorkerId: row.assignedWorkerId,
    assignedWorkerName: nameOf(row.assignedWorkerId),
    assignedWorkerPhoneMasked: masked(row.assignedWorkerId),
    doctorId: row.doctorId,
    doctorName: nameOf(row.doctorId),
    doctorPhoneMasked: masked(row.doctorId),
  };
}

export const CareConfigSchema = Type.Object({
  communityId: Type.Integer(),
  /** What the community set (visit frequency per tag, days of notice per frequency). */
  config: Type.Object({
    frequencies: Type.Optional(Type.Record(Type.String(), Type.String())),
    dueSoonDays: Type.Optional(Type.Record(Type.String(), Type.Integer())),
  }),
  /** The frequency each tag gets, the defaults filled in. */
  effective: Type.Object(
    Object.fromEntries(KEY_TAGS.map((k) => [k, Type.Object({ frequency: Str, label: Str })])) as Record<
      KeyTag,
      ReturnType<typeof Type.Object<{ frequency: typeof Str; label: typeof Str }>>
    >,
  ),
});

export const STAFF_ROLES = ["grid_worker", "grid_head", "doctor"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffRow {
  id: number;
  displayName: string;
  role: StaffRole;
  orgUnitId: number;
  orgName: string;
  orgKind: string;
  workPhone: string | null;
}

export const StaffSchema = Type.Object({
  id: Type.Integer(),
  displayName: Str,
  role: OneOf(STAFF_ROLES),
  roleLabel: Str,
  orgUnitId: Type.Integer(),
  orgName: Str,
  orgKind: Str,
  /** The work phone, masked (the full number through the accounts' audited reveal). */
  workPhoneMasked: StrOrNull,
  /** Pinyin initials of the display name, so a picker can find 陈静 by "cj". */
  initials: Str,
});

/** The only shape an account leaves this module in: no username, password hash or lock state; the work phone masked. */
export function presentStaff(s: StaffRow): Static<typeof StaffSchema> {
  return {
    id: s.id,
    displayName: s.displayName,
    role: s.role,
    roleLabel: ROLE_LABELS[s.role as Role] ?? s.role,
    orgUnitId: s.orgUnitId,
    orgName: s.orgName,
    orgKind: s.orgKind,
    workPhoneMasked: s.workPhone && maskWorkPhone(s.workPhone),
    initials: nameInitials(s.displayName),
  };
}

export const StaffListSchema = Type.Object({ org: OrgRefSchema, items: Type.Array(StaffSchema) });

// ——— visits and alerts (health data: care roles in scope) ———

export interface VisitLocation {
  lat: number;
  long: number;
  accuracy: number | null;
}

export interface VisitRow {
  id: number;
  residentId: number;
  orgPath: string;
  kind: string;
  visitedAt: Date;
  durationMinutes: number;
  findings: string;
  needs: { kind: NeedKind; urgency: "routine" | "urgent"; note: string }[];
  vitals: Record<string, unknown>;
  findingsFlags: VitalFinding[];
  level: VitalLevel;
  visitorId: number;
  visitorName: string;
  workOrderId: number | null;
  fingerprint: string;
  createdAt: Date;
  location: VisitLocation | null;
  photoIds: number[];
}

const VitalLevelSchema = OneOf(VITAL_LEVELS);

export const VitalsSchema = Type.Object({
  systolic: Type.Optional(Type.Number()),
  diastolic: Type.Optional(Type.Number()),
  glucose: Type.Optional(Type.Number()),
  glucoseContext: Type.Optional(Str),
  temperature: Type.Optional(Type.Number()),
  spo2: Type.Optional(Type.Number()),
  heartRate: Type.Optional(Type.Number()),
});

export const VitalFlagSchema = Type.Object({
  measure: Str,
  code: Str,
  level: VitalLevelSchema,
  label: Str,
  reading: Str,
});

export const VisitSchema = Type.Object({
  id: Type.Integer(),
  residentId: Type.Integer(),
  kind: Str,
  kindLabel: Str,
  visitedAt: Time,
  durationMinutes: Type.Integer(),
  findings: Str,
  needs: Type.Array(Type.Object({ kind: Str, urgency: Str, note: Str, label: Str, urgencyLabel: Str })),
  vitals: VitalsSchema,
  flags: Type.Array(VitalFlagSchema),
  level: VitalLevelSchema,
  levelLabel: Str,
  visitorId: Type.Integer(),
  visitorName: Str,
  workOrderId: IntOrNull,
  createdAt: Time,
  /** The optional check-in where the visit was recorded. */
  location: nullable(Type.Object({ lat: Type.Number(), long: Type.Number(), accuracy: NumOrNull })),
  photoIds: Type.Array(Type.Integer()),
});
export type PresentedVisit = Static<typeof VisitSchema>;

const VITAL_FIELDS = ["systolic", "diastolic", "glucose", "temperature", "spo2", "heartRate"] as const;

export function presentVisit(v: VisitRow): PresentedVisit {
  const vitals: Static<typeof VitalsSchema> = {};
  for (const f of VITAL_FIELDS) if (typeof v.vitals?.[f] === "number") vitals[f] = v.vitals[f] as number;
  if (typeof v.vitals?.glucoseContext === "string") vitals.glucoseContext = v.vitals.glucoseContext;
  return {
    id: v.id,
    residentId: v.residentId,
    kind: v.kind,
    kindLabel: VISIT_KIND_LABELS[v.kind as VisitKind] ?? v.kind,
    visitedAt: v.visitedAt,
    durationMinutes: v.durationMinutes,
    findings: v.findings,
    needs: v.needs.map((n) => ({
      kind: n.kind,
      urgency: n.urgency,
      note: n.note,
      label: NEED_LABELS[n.kind] ?? n.kind,
      urgencyLabel: URGENCY_LABELS[n.urgency],
    })),
    vitals,
    flags: v.findingsFlags.map((f) => ({
      measure: f.measure,
      code: f.code,
      level: f.level,
      label: f.label,
      reading: f.reading,
    })),
    level: v.level,
    levelLabel: VITAL_LEVEL_LABELS[v.level] ?? v.level,
    visitorId: v.visitorId,
    visitorName: v.visitorName,
    workOrderId: v.workOrderId,
    createdAt: v.createdAt,
    location: v.location
      ? { lat: v.location.lat, long: v.location.long, accuracy: v.location.accuracy ?? null }
      : null,
    photoIds: v.photoIds ?? [],
  };
}

export const VisitListSchema = Items(VisitSchema);

/** What recording a visit answers: the visit, the alert it raised and the order care raised, if any. */
export const VisitResultSchema = Type.Object({
  replay: Type.Boolean(),
  visit: VisitSchema,
  alert: nullable(Type.Object({ id: Type.Integer(), level: VitalLevelSchema, reasons: Strs })),
  workOrder: nullable(Type.Object({ id: Type.Integer(), number: Str, state: Str })),
});

export const ALERT_STATES = ["open", "acknowledged"] as const;
export const ALERT_STATE_LABELS: Record<string, string> = { open: "待处理", acknowledged: "已处理" };

export interface AlertRow {
  id: number;
  visitId: number | null;
  residentId: number;
  residentName: string;
  address: string;
  orgPath: string;
  doctorId: number | null;
  level: VitalLevel;
  reasons: string[];
  state: string;
  workOrderId: number | null;
  ackBy: number | null;
  ackAt: Date | null;
  ackNote: string | null;
  createdAt: Date;
}

export const AlertSchema = Type.Object({
  id: Type.Integer(),
  visitId: IntOrNull,
  residentId: Type.Integer(),
  residentName: Str,
  address: Str,
  doctorId: IntOrNull,
  level: VitalLevelSchema,
  levelLabel: Str,
  reasons: Strs,
  state: OneOf(ALERT_STATES),
  stateLabel: Str,
  workOrderId: IntOrNull,
  ackBy: IntOrNull,
  ackAt: TimeOrNull,
  ackNote: StrOrNull,
  createdAt: Time,
});

export function presentAlert(a: AlertRow): Static<typeof AlertSchema> {
  return {
    id: a.id,
    visitId: a.visitId,
    residentId: a.residentId,
    residentName: a.residentName,
    address: a.address,
    doctorId: a.doctorId,
    level: a.level,
    levelLabel: VITAL_LEVEL_LABELS[a.level] ?? a.level,
    reasons: a.reasons,
    state: a.state as (typeof ALERT_STATES)[number],
    stateLabel: ALERT_STATE_LABELS[a.state] ?? a.state,
    workOrderId: a.workOrderId || null,
    ackBy: a.ackBy,
    ackAt: a.ackAt,
    ackNote: a.ackNote,
    createdAt: a.createdAt,
  };
}

export const AlertListSchema = Items(AlertSchema);

// ——— family doctors: contracts, consultations, referrals ———

export interface ContractRow {
  id: number;
  residentId: number;
  orgPath: string;
  doctorId: number;
  doctorName: string | null;
  servicePackage: string;
  start: string;
  end: string;
  createdAt: Date;
}

export const ContractSchema = Type.Object({
  id: Type.Integer(),
  residentId: Type.Integer(),
  doctorId: Type.Integer(),
  doctorName: StrOrNull,
  servicePackage: Str,
  servicePackageLabel: Str,
  start: Str,
  end: Str,
  createdAt: Time,
  status: Type.Object({ state: Str, label: Str, daysLeft: Type.Integer() }),
});

export function presentContract(c: ContractRow, now = new Date()): Static<typeof ContractSchema> {
  const status = contractStatus(c, now);
  return {
    id: c.id,
    residentId: c.residentId,
    doctorId: c.doctorId,
    doctorName: c.doctorName,
    servicePackage: c.servicePackage,
    servicePackageLabel: SERVICE_PACKAGE_LABELS[c.servicePackage as ServicePackage] ?? c.servicePackage,
    start: c.start,
    end: c.end,
    createdAt: c.createdAt,
    status: { state: status.state, label: status.label, daysLeft: status.daysLeft },
  };
}

export const CONSULTATION_MODES = ["phone", "online", "door"] as const;
export const CONSULTATION_MODE_LABELS: Record<string, string> = {
  phone: "电话",
  online: "线上",
  door: "上门",
};

export interface ConsultationRow {
  id: number;
  residentId: number;
  doctorId: number;
  doctorName: string;
  mode: string;
  summary: string;
  advice: string | null;
  alertId: number | null;
  at: Date;
}

export const ConsultationSchema = Type.Object({
  id: Type.Integer(),
  residentId: Type.Integer(),
  doctorId: Type.Integer(),
  doctorName: Str,
  mode: Str,
  modeLabel: Str,
  summary: Str,
  advice: StrOrNull,
  alertId: IntOrNull,
  at: Time,
});

export const presentConsultation = (c: ConsultationRow): Static<typeof ConsultationSchema> => ({
  id: c.id,
  residentId: c.residentId,
  doctorId: c.doctorId,
  doctorName: c.doctorName,
  mode: c.mode,
  modeLabel: CONSULTATION_MODE_LABELS[c.mode] ?? c.mode,
  summary: c.summary,
  advice: c.advice,
  alertId: c.alertId,
  at: c.at,
});

export const HospitalListSchema = Items(Type.Object({ code: Str, name: Str }));

export interface ReferralRow {
  id: number;
  residentId: number;
  residentName: string;
  orgPath: string;
  hospitalCode: string;
  hospitalName: string;
  department: string;
  reason: string;
  greenChannel: boolean;
  state: ReferralState;
  requestedBy: number;
  requestedByName: string | null;
  requestedAt: Date;
  appointmentAt: Date | null;
  version: number;
}

export const referralToDomain = (f: ReferralRow): Referral => ({
  residentId: f.residentId,
  hospitalCode: f.hospitalCode,
  department: f.department,
  reason: f.reason,
  greenChannel: f.greenChannel,
  state: f.state,
  requestedBy: f.requestedBy,
  requestedAt: new Date(f.requestedAt),
  appointmentAt: f.appointmentAt ? new Date(f.appointmentAt) : null,
  version: f.version,
});

export const ReferralSchema = Type.Object({
  id: Type.Integer(),
  residentId: Type.Integer(),
  residentName: Str,
  hospitalCode: Str,
  hospitalName: Str,
  department: Str,
  reason: Str,
  greenChannel: Type.Boolean(),
  state: Str,
  stateLabel: Str,
  requestedBy: Type.Integer(),
  requestedByName: StrOrNull,
  requestedAt: Time,
  appointmentAt: TimeOrNull,
  version: Type.Integer(),
  /** The steps the caller may take now (the domain's table for their role). */
  allowedActions: Type.Array(Type.Object({ action: Str, label: Str })),
});

export function presentReferral(f: ReferralRow, actor: Actor): Static<typeof ReferralSchema> {
  return {
    id: f.id,
    residentId: f.residentId,
    residentName: f.residentName,
    hospitalCode: f.hospitalCode,
    hospitalName: f.hospitalName,
    department: f.department,
    reason: f.reason,
    greenChannel: f.greenChannel,
    state: f.state,
    stateLabel: REFERRAL_STATE_LABELS[f.state] ?? f.state,
    requestedBy: f.requestedBy,
    requestedByName: f.requestedByName,
    requestedAt: f.requestedAt,
    appointmentAt: f.appointmentAt,
    version: f.version,
    allowedActions: allowedActions(referralToDomain(f), { id: actor.id, role: actor.role }).map((a) => ({
      action: a,
      label: REFERRAL_ACTION_LABELS[a],
    })),
  };
}

export const ReferralListSchema = Items(ReferralSchema);

export interface ReferralEventRow {
  id: number;
  action: string;
  fromState: string | null;
  toState: string;
  actorName: string | null;
  role: string;
  at: Date;
  note: string | null;
}

export const ReferralEventSchema = Type.Object({
  id: Type.Integer(),
  action: Str,
  actionLabel: Str,
  fromState: StrOrNull,
  toState: Str,
  actorName: StrOrNull,
  role: Str,
  at: Time,
  note: StrOrNull,
});

export const presentReferralEvent = (e: ReferralEventRow): Static<typeof ReferralEventSchema> => ({
  id: e.id,
  action: e.action,
  actionLabel: REFERRAL_ACTION_LABELS[e.action as ReferralAction] ?? e.action,
  fromState: e.fromState,
  toState: e.toState,
  actorName: e.actorName,
  role: e.role,
  at: e.at,
  note: e.note,
});

export const ReferralDetailSchema = Type.Object({
  referral: ReferralSchema,
  events: Type.Array(ReferralEventSchema),
});

export const HealthTimelineSchema = Type.Object({
  residentId: Type.Integer(),
  name: Str,
  visits: Type.Array(VisitSchema),
  alerts: Type.Array(AlertSchema),
  consultations: Type.Array(ConsultationSchema),
  referrals: Type.Array(ReferralSchema),
  contracts: Type.Array(ContractSchema),
  events: Type.Array(
    Type.Object({
      type: OneOf(["visit", "alert", "consultation", "referral"] as const),
      at: Time,
      id: Type.Integer(),
    }),
  ),
});

// ——— care teams 爱心专班 (staff work phones, published on purpose) ———

export interface MemberRow {
  id: number;
  communityId: number;
  teamRole: CareTeamRole;
  name: string;
  phone: string;
  accountId: number | null;
  active: boolean;
}

export const TeamMemberSchema = Type.Object({
  id: Type.Integer(),
  communityId: Type.Integer(),
  teamRole: Str,
  teamRoleLabel: Str,
  name: Str,
  phone: Str,
  accountId: IntOrNull,
  active: Type.Boolean(),
});

export const presentMember = (m: MemberRow): Static<typeof TeamMemberSchema> => ({
  id: m.id,
  communityId: m.communityId,
  teamRole: m.teamRole,
  teamRoleLabel: CARE_TEAM_ROLE_LABELS[m.teamRole] ?? m.teamRole,
  name: m.name,
  phone: m.phone,
  accountId: m.accountId,
  active: m.active,
});

export interface RosterRow {
  id: number;
  memberId: number;
  date: string;
  shift: Shift;
  teamRole: CareTeamRole;
  name: string;
  phone: string;
}

const ShiftSchema = OneOf(["day", "night"] as const);

export const RosterEntrySchema = Type.Object({
  id: Type.Integer(),
  memberId: Type.Integer(),
  date: Str,
  shift: ShiftSchema,
  shiftLabel: Str,
  teamRole: Str,
  teamRoleLabel: Str,
  name: Str,
  phone: Str,
});

export const presentEntry = (e: RosterRow): Static<typeof RosterEntrySchema> => ({
  id: e.id,
  memberId: e.memberId,
  date: e.date,
  shift: e.shift,
  shiftLabel: SHIFT_LABELS[e.shift],
  teamRole: e.teamRole,
  teamRoleLabel: CARE_TEAM_ROLE_LABELS[e.teamRole],
  name: e.name,
  phone: e.phone,
});

export const RosterGapSchema = Type.Object({
  date: Str,
  shift: ShiftSchema,
  shiftLabel: Str,
  missing: Strs,
  missingLabels: Strs,
});

export const presentGap = (g: { date: string; shift: Shift; missing: CareTeamRole[] }) => ({
  date: g.date,
  shift: g.shift,
  shiftLabel: SHIFT_LABELS[g.shift],
  missing: g.missing,
  missingLabels: g.missing.map((r) => CARE_TEAM_ROLE_LABELS[r]),
});

export const TeamSchema = Type.Object({
  community: Type.Object({ id: Type.Integer(), name: Str }),
  from: Str,
  to: Str,
  members: Type.Array(TeamMemberSchema),
  roster: Type.Array(RosterEntrySchema),
  gaps: Type.Array(RosterGapSchema),
});

/** The public audience: who answers a shift, by name, team role and work phone. Nothing about residents. */
export const OnDutySlotSchema = Type.Object({
  date: Str,
  shift: ShiftSchema,
  label: Str,
  start: Time,
  end: Time,
  members: Type.Array(Type.Object({ name: Str, teamRole: Str, teamRoleLabel: Str, phone: Str })),
});

export const presentOnDutySlot = (
  slot: { date: string; shift: Shift },
  window: { start: Date; end: Date },
  members: readonly { name: string; teamRole: CareTeamRole; phone: string }[],
): Static<typeof OnDutySlotSchema> => ({
  date: slot.date,
  shift: slot.shift,
  label: SHIFT_LABELS[slot.shift],
  start: window.start,
  end: window.end,
  members: members.map((e) => ({
    name: e.name,
    teamRole: e.teamRole,
    teamRoleLabel: CARE_TEAM_ROLE_LABELS[e.teamRole],
    phone: e.phone,
  })),
});

export const OnDutySchema = Type.Object({
  /** `dutyPhone`: the community's on-duty hotline 社区值班电话 (a published office number), when set. */
  community: Type.Object({ id: Type.Integer(), name: Str, dutyPhone: StrOrNull }),
  at: Time,
  current: OnDutySlotSchema,
  next: OnDutySlotSchema,
});

const CardGapSchema = OneOf(["worker", "workerPhone", "doctor", "doctorPhone", "hotline"] as const);

/** Before printing a grid's contact cards: which would show "—" where a number belongs. */
export const CardCheckSchema = Type.Object({
  org: Type.Object({ id: Type.Integer(), name: Str }),
  cards: Type.Integer(),
  incomplete: Type.Integer(),
  counts: Type.Object({
    worker: Type.Integer(),
    workerPhone: Type.Integer(),
    doctor: Type.Integer(),
    doctorPhone: Type.Integer(),
    hotline: Type.Integer(),
  }),
  hotlineMissing: Strs,
  examples: Type.Array(
    Type.Object({
      residentId: Type.Integer(),
      name: Str,
      gaps: Type.Array(CardGapSchema),
      gapLabels: Strs,
    }),
  ),
});

export const VisitPhotoSchema = Type.Object({
  id: Type.Integer(),
  visitId: Type.Integer(),
  mime: Str,
  size: Type.Integer(),
  createdAt: Time,
});
export type VisitPhoto = Static<typeof VisitPhotoSchema>;

// ——— files ———

/** A generated file (xlsx, pdf) or a stored photo: bytes, described for the OpenAPI document. */
export const FileSchema = Type.Unsafe<unknown>({ type: "string", format: "binary" });
