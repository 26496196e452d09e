import { maskEmail, maskPhone } from "../../../domain/mask/mask.ts";
import { buildingLevel, publicText } from "../../../domain/privacy/publicText.ts";
import { type ClockDeadline, SLA_STATUS_LABELS, slaStatus } from "../../../domain/sla/index.ts";
import {
  ACTION_LABELS,
  allowedActions,
  type Role as FlowRole,
  type OrderAction,
  type OrderState,
  PUBLIC_CLOSED_STATES,
  STATE_LABELS,
  type WorkOrder,
} from "../../../domain/workflow/index.ts";
import type { Principal } from "../../context.ts";
import type { FieldCrypto } from "../../platform/crypto.ts";
import {
  BoolOrNull,
  IntOrNull,
  NumOrNull,
  OneOf,
  type Static,
  Str,
  StrOrNull,
  Time,
  TimeOrNull,
  Type,
} from "../../platform/schemas.ts";
import type { CategoryVisibility } from "./categories.ts";
import { clocksOf, toDomain } from "./flow.ts";
import { mayTake, type OrderFacts } from "./policy.ts";

// The one place order rows leave the server, per audience:
// - staff: the order as the people working it need it (phones masked; the care module's health data never
//   reaches an order in the first place);
// - public: what a stranger may see (Open311, the resident's status page): no names, phones, IDs, flats or
//   health data; the place at building level; private categories show their public wording.

/** Channels an order can come in by, with their Chinese names. */
export const CHANNELS = [
  "hotline_12345",
  "care_hotline",
  "walk_in",
  "resident_app",
  "grid_patrol",
  "open311",
  "proactive",
] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = {
  hotline_12345: "12345热线",
  care_hotline: "爱心专班热线",
  walk_in: "窗口来访",
  resident_app: "居民端",
  grid_patrol: "网格巡查",
  open311: "Open311 接口",
  proactive: "未诉先办",
};

/** An order row as the staff queries read it. */
export interface OrderRow extends OrderFacts {
  id: number;
  number: string;
  channel: string;
  categoryId: number;
  categoryName: string;
  slaPolicy: string;
  state: string;
  version: number;
  description: string;
  residentId: number | null;
  callerName: string | null;
  callerPhoneCipher: string | null;
  address: string | null;
  buildingId: number | null;
  orgUnitId: number;
  orgPath: string;
  orgName: string;
  routedLevel: string;
  flow: unknown;
  nextDueAt: Date | null;
  overdueAt: Date | null;
  createdAt: Date;
  resolvedAt: Date | null;
  closedAt: Date | null;
  satisfaction: string | null;
  ratingComment: string | null;
  callbackSolved: boolean | null;
  mergedIntoId: number | null;
  /** Where the reporter's phone was (a grid worker's report, an Open311 point). */
  lat: number | null;
  long: number | null;
}

/** What the caller may already hold for this row (a create just computed them): not worked out again. */
export interface Known {
  order: WorkOrder;
  clocks: ClockDeadline[];
  phone: string | null;
}

/** The domain's flow roles of a principal. */
export const flowRolesOf = (who: Principal | null): FlowRole[] =>
  who?.kind === "account" ? [who.role as FlowRole] : who ? ["system"] : [];

export const OrderSchema = Type.Object({
  id: Type.Integer(),
  number: Str,
  channel: Str,
  channelLabel: Str,
  category: Str,
  slaPolicy: Str,
  state: Str,
  stateLabel: Str,
  version: Type.Integer(),
  description: Str,
  residentId: IntOrNull,
  callerName: StrOrNull,
  callerPhoneMasked: StrOrNull,
  address: StrOrNull,
  buildingId: IntOrNull,
  orgUnitId: Type.Integer(),
  orgName: Str,
  routedLevel: Str,
  assigneeId: IntOrNull,
  track: OneOf(["simple", "complex"] as const),
  nextDueAt: TimeOrNull,
  overdue: Type.Boolean(),
  slaStatus: OneOf(["ok", "warning", "overdue"] as const),
  slaStatusLabel: Str,
  clocks: Type.Array(
    Type.Object({ clock: Str, label: Str, deadline: Time, stoppedAt: TimeOrNull, paused: Type.Boolean() }),
  ),
  counts: Type.Object({
    returns: Type.Integer(),
    reassigns: Type.Integer(),
    reworks: Type.Integer(),
    reopens: Type.Integer(),
    escalations: Type.Integer(),
    extensionsApproved: Type.Integer(),
    extensionsRefused: Type.Integer(),
  }),
  pendingExtension: Type.Union([
    Type.Object({
      requestedBy: Str,
      at: Time,
      extra: Type.Object({ amount: Type.Number(), unit: OneOf(["minutes", "hours", "days"] as const) }),
      reason: Str,
    }),
    Type.Null(),
  ]),
  callbackSolved: BoolOrNull,
  satisfaction: StrOrNull,
  ratingComment: StrOrNull,
  mergedIntoId: IntOrNull,
  /** The point the order was reported at, if the reporter checked in (staff only; the public get it per category). */
  checkIn: Type.Union([Type.Object({ lat: Type.Number(), long: Type.Number() }), Type.Null()]),
  createdAt: Time,
  allowedActions: Type.Array(Type.Object({ action: Str, label: Str })),
});
export type PresentedOrder = Static<typeof OrderSchema>;

/** The order for staff in scope. The actions offered are those the transition table and the policy allow. */
export function presentOrder(
  row: OrderRow,
  crypto: FieldCrypto,
  who: Principal | null,
  now = new Date(),
  known?: Known,
): PresentedOrder {
  const order = known?.order ?? toDomain(row);
  const clocks = known?.clocks ?? clocksOf(order, row.slaPolicy, now);
  const status = slaStatus(clocks, now);
  // The table knows states; whether a clock is paused or an extension pending is the order's own fact.
  const paused = order.pauses.some((p) => !p.to);
  const actions = (who ? allowedActions(row.state as OrderState, flowRolesOf(who)) : []).filter(
    (a) =>
      !(a === "resume" && !paused) &&
      !(a === "pause" && paused) &&
      !((a === "approve_extension" || a === "refuse_extension") && !order.pendingExtension) &&
      !(a === "request_extension" && order.pendingExtension) &&
      mayTake(who!, a, row),
  );
  return {
    id: row.id,
    number: row.number,
    channel: row.channel,
    channelLabel: CHANNEL_LABELS[row.channel as Channel] ?? row.channel,
    category: row.categoryName,
    slaPolicy: row.slaPolicy,
    state: row.state,
    stateLabel: STATE_LABELS[row.state as OrderState] ?? row.state,
    version: row.version,
    description: row.description,
    residentId: row.residentId,
    callerName: row.callerName,
    callerPhoneMasked: known
      ? known.phone && maskPhone(known.phone)
      : row.callerPhoneCipher
        ? maskPhone(crypto.decrypt(row.callerPhoneCipher))
        : null,
    address: row.address,
    buildingId: row.buildingId,
    orgUnitId: row.orgUnitId,
    orgName: row.orgName,
    routedLevel: row.routedLevel,
    assigneeId: row.assigneeId,
    track: order.track,
    nextDueAt: row.nextDueAt,
    overdue: row.overdueAt !== null || status === "overdue",
    slaStatus: status,
    slaStatusLabel: SLA_STATUS_LABELS[status],
    clocks: clocks.map((c) => ({
      clock: c.clock,
      label: c.label,
      deadline: c.deadline,
      stoppedAt: c.stoppedAt,
      paused: c.paused,
    })),
    counts: order.counts,
    pendingExtension: order.pendingExtension,
    callbackSolved: row.callbackSolved,
    satisfaction: row.satisfaction,
    ratingComment: row.ratingComment,
    mergedIntoId: row.mergedIntoId,
    checkIn: row.lat !== null && row.long !== null ? { lat: row.lat, long: row.long } : null,
    createdAt: row.createdAt,
    allowedActions: actions.map((a) => ({ action: a, label: ACTION_LABELS[a as OrderAction] })),
  };
}

/** What a third-party client (Open311) sent beside the report, for staff: the email masked, attributes labelled. */
export const ClientExtrasSchema = Type.Union([
  Type.Object({
    emailMasked: StrOrNull,
    mediaUrls: Type.Array(Str),
    attributes: Type.Array(Type.Object({ code: Str, label: Str, value: Str })),
    deviceId: StrOrNull,
    accountId: StrOrNull,
  }),
  Type.Null(),
]);
export type ClientExtras = Static<typeof ClientExtrasSchema>;

export function presentClientExtras(
  raw: {
    email?: string;
    mediaUrls?: string[];
    attributes?: Record<string, string | string[]>;
    deviceId?: string;
    accountId?: string;
  } | null,
  defs: { code: string; description: string; order?: number; values?: { key: string; name: string }[] }[],
): ClientExtras {
  if (!raw) return null;
  const byCode = new Map(defs.map((d) => [d.code, d]));
  return {
    emailMasked: raw.email ? maskEmail(raw.email) : null,
    mediaUrls: (raw.mediaUrls ?? []).filter((u) => /^https?:\/\//i.test(u)),
    // In the definition's order, then codes it does not name (the database keeps no key order).
    attributes: Object.entries(raw.attributes ?? {})
      .sort(
        ([a], [b]) =>
          (byCode.get(a)?.order ?? Number.MAX_SAFE_INTEGER) -
            (byCode.get(b)?.order ?? Number.MAX_SAFE_INTEGER) || a.localeCompare(b),
      )
      .map(([code, v]) => {
        const d = byCode.get(code);
        const names = new Map((d?.values ?? []).map((x) => [String(x.key), x.name]));
        return {
          code,
          label: d?.description ?? code,
          value: [v]
            .flat()
            .map((x) => names.get(x) ?? x)
            .join("、"),
        };
      }),
    deviceId: raw.deviceId ?? null,
    accountId: raw.accountId ?? null,
  };
}

export const EventSchema = Type.Object({
  id: Type.Integer(),
  action: Str,
  fromState: StrOrNull,
  toState: Str,
  actorName: StrOrNull,
  at: Time,
  note: StrOrNull,
  detail: Type.Unknown(),
});

// ——— public ———

/** What the public queries read: no caller, no phone, no resident but the names to mask in the text. */
export interface PublicOrderRow {
  id: number;
  number: string;
  state: string;
  categoryCode: string;
  categoryName: string;
  department: string | null;
  visibility: CategoryVisibility;
  publicWording: string | null;
  description: string;
  address: string | null;
  buildingId: number | null;
  buildingAddress: string | null;
  lat: number | null;
  long: number | null;
  orgName: string;
  createdAt: Date;
  updatedAt: Date;
  nextDueAt: Date | null;
  /** Only for masking: never presented. */
  callerName: string | null;
  residentName: string | null;
}

export const PublicOrderSchema = Type.Object({
  id: Type.Integer(),
  number: Str,
  serviceCode: Str,
  serviceName: Str,
  department: StrOrNull,
  description: Str,
  state: Str,
  stateLabel: Str,
  closed: Type.Boolean(),
  address: StrOrNull,
  buildingId: IntOrNull,
  lat: NumOrNull,
  long: NumOrNull,
  orgName: Str,
  createdAt: Time,
  updatedAt: Time,
  expectedAt: TimeOrNull,
});
export type PublicOrder = Static<typeof PublicOrderSchema>;

/** An order as a stranger may see it. Private categories never show the caller's words or the point. */
export function presentPublicOrder(r: PublicOrderRow): PublicOrder {
  const open = r.visibility === "public";
  return {
    id: r.id,
    number: r.number,
    serviceCode: r.categoryCode,
    serviceName: r.categoryName,
    department: r.department,
    description: open
      ? publicText(r.description, [r.callerName, r.residentName])
      : (r.publicWording ?? r.categoryName),
    state: r.state,
    stateLabel: STATE_LABELS[r.state as OrderState] ?? r.state,
    closed: PUBLIC_CLOSED_STATES.includes(r.state as OrderState),
    address: r.buildingAddress ? publicText(r.buildingAddress) : buildingLevel(r.address),
    buildingId: r.buildingId,
    lat: open ? r.lat : null,
    long: open ? r.long : null,
    orgName: r.orgName,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    expectedAt: r.nextDueAt,
  };
}

export const PublicStatusSchema = Type.Object({
  number: Str,
  category: Str,
  state: Str,
  stateLabel: Str,
  createdAt: Time,
  orgName: Str,
  canRate: Type.Boolean(),
  rated: Type.Boolean(),
  satisfaction: StrOrNull,
  timeline: Type.Array(Type.Object({ at: Time, state: Str, label: Str })),
});

/** Steps a resident sees on the status page (no internal returns, pauses or names). */
const PUBLIC_STEPS = new Set([
  "receive",
  "dispatch",
  "accept",
  "arrive",
  "plan",
  "reply",
  "resolve",
  "verify",
  "close",
  "reopen",
  "rework",
]);

/** The resident's status page: their order's progress, no names or notes. */
export function presentPublicStatus(
  r: PublicOrderRow & { ratedAt: Date | null; satisfaction: string | null },
  events: { action: string; toState: string; at: Date }[],
): Static<typeof PublicStatusSchema> {
  return {
    number: r.number,
    category: r.visibility === "public" ? r.categoryName : (r.publicWording ?? r.categoryName),
    state: r.state,
    stateLabel: STATE_LABELS[r.state as OrderState] ?? r.state,
    createdAt: r.createdAt,
    orgName: r.orgName,
    canRate: r.state === "callback" && !r.ratedAt,
    rated: !!r.ratedAt,
    satisfaction: r.satisfaction,
    timeline: events
      .filter((e) => PUBLIC_STEPS.has(e.action))
      .map((e) => ({
        at: e.at,
        state: e.toState,
        label: STATE_LABELS[e.toState as OrderState] ?? e.toState,
      })),
  };
}
