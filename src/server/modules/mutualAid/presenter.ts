import type { AttendanceFigures } from "../../../domain/mutualAid/events.ts";
import { EVENT_KIND_LABELS } from "../../../domain/mutualAid/events.ts";
import {
  EXPIRY_LABELS,
  type ExpiryStatus,
  REQUEST_STATE_LABELS,
  type RequestState,
} from "../../../domain/mutualAid/medicine.ts";
import { SLA_STATUS_LABELS, type SlaStatus } from "../../../domain/sla/index.ts";
import {
  BoolOrNull,
  IntOrNull,
  NumOrNull,
  Str,
  StrOrNull,
  Strs,
  Time,
  TimeOrNull,
  Type,
} from "../../platform/schemas.ts";
import type { ResidentWish } from "../volunteers/index.ts";
import type { EventRow, SignupRow } from "./events.ts";
import type { BoxRow, StockRow } from "./medicine.ts";
import type { RequestRow, withClock } from "./requests.ts";
import { POINT_KIND_LABELS, type PointRow } from "./servicePoints.ts";

// What leaves the mutual-aid module, per audience. Staff see who a medicine request is for (the person who
// carries it to the door needs the name and address); the public page of service points carries no person.

export const BoxSchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  servicePointId: Type.Integer(),
  servicePointName: Str,
  address: Str,
  active: Type.Boolean(),
  batches: Type.Integer(),
  units: Type.Integer(),
  expiring: Type.Integer(),
  expired: Type.Integer(),
});
export const presentBox = (b: BoxRow) => ({
  id: b.id,
  name: b.name,
  servicePointId: b.servicePointId,
  servicePointName: b.servicePointName,
  address: b.address,
  active: b.active,
  batches: b.batches,
  units: b.units,
  expiring: b.expiring,
  expired: b.expired,
});

export const StockSchema = Type.Object({
  id: Type.Integer(),
  boxId: Type.Integer(),
  medicineName: Str,
  spec: Str,
  batch: Str,
  expiresOn: Str,
  quantity: Type.Integer(),
  prescription: Type.Boolean(),
  expiry: Str,
  expiryLabel: Str,
  boxName: StrOrNull,
  servicePointName: StrOrNull,
  address: StrOrNull,
});
export const presentStock = (
  s: StockRow & { expiry: ExpiryStatus; boxName?: string; servicePointName?: string; address?: string },
) => ({
  id: s.id,
  boxId: s.boxId,
  medicineName: s.medicineName,
  spec: s.spec,
  batch: s.batch,
  expiresOn: s.expiresOn,
  quantity: s.quantity,
  prescription: s.prescription,
  expiry: s.expiry,
  expiryLabel: EXPIRY_LABELS[s.expiry],
  boxName: s.boxName ?? null,
  servicePointName: s.servicePointName ?? null,
  address: s.address ?? null,
});

export const MovementSchema = Type.Object({
  id: Type.Integer(),
  kind: Str,
  quantity: Type.Integer(),
  medicineName: Str,
  batch: Str,
  actorName: Str,
  note: StrOrNull,
  createdAt: Time,
});
export const BoxDetailSchema = Type.Object({
  box: BoxSchema,
  stock: Type.Array(StockSchema),
  movements: Type.Array(MovementSchema),
});

export const RequestSchema = Type.Object({
  id: Type.Integer(),
  source: Str,
  residentId: IntOrNull,
  residentName: StrOrNull,
  address: StrOrNull,
  medicineName: Str,
  quantity: Type.Integer(),
  note: StrOrNull,
  state: Str,
  stateLabel: Str,
  boxId: IntOrNull,
  boxName: StrOrNull,
  servicePointName: StrOrNull,
  batch: StrOrNull,
  prescription: Type.Boolean(),
  approvedAt: TimeOrNull,
  approvedByName: StrOrNull,
  claimedBy: IntOrNull,
  claimedByName: StrOrNull,
  claimedAt: TimeOrNull,
  deliveredAt: TimeOrNull,
  confirmedAt: TimeOrNull,
  createdAt: Time,
  createdByName: Str,
  dueAt: Time,
  sla: Str,
  slaLabel: Str,
  onTime: BoolOrNull,
});
type Clocked = ReturnType<typeof withClock>;
export const presentRequest = (r: Clocked) => ({
  id: r.id,
  source: r.source,
  residentId: r.residentId,
  residentName: r.residentName,
  address: r.address,
  medicineName: r.medicineName,
  quantity: r.quantity,
  note: r.note,
  state: r.state,
  stateLabel: REQUEST_STATE_LABELS[r.state as RequestState] ?? r.state,
  boxId: r.boxId,
  boxName: r.boxName,
  servicePointName: r.servicePointName,
  batch: r.batch,
  prescription: r.prescription,
  approvedAt: r.approvedAt,
  approvedByName: r.approvedByName,
  claimedBy: r.claimedBy,
  claimedByName: r.claimedByName,
  claimedAt: r.claimedAt,
  deliveredAt: r.deliveredAt,
  confirmedAt: r.confirmedAt,
  createdAt: r.createdAt,
  createdByName: r.createdByName,
  dueAt: r.dueAt,
  sla: r.sla,
  slaLabel: SLA_STATUS_LABELS[r.sla as SlaStatus],
  onTime: r.onTime,
});

/** The resident's own view of their medicine request: no box internals, no staff names beyond who brings it. */
export const MyMedicineSchema = Type.Object({
  id: Type.Integer(),
  medicineName: Str,
  quantity: Type.Integer(),
  state: Str,
  stateLabel: Str,
  servicePointName: StrOrNull,
  claimedByName: StrOrNull,
  deliveredAt: TimeOrNull,
  confirmedAt: TimeOrNull,
  createdAt: Time,
  dueAt: Time,
});
/** What a resident's own medicine request shows them (the app reads these columns, the clock adds dueAt). */
export type MyMedicineSource = Pick<
  RequestRow,
  | "id"
  | "medicineName"
  | "quantity"
  | "state"
  | "servicePointName"
  | "claimedByName"
  | "deliveredAt"
  | "confirmedAt"
  | "createdAt"
  | "dueAt"
>;
export const presentMyMedicine = (r: MyMedicineSource) => ({
  id: r.id,
  medicineName: r.medicineName,
  quantity: r.quantity,
  state: r.state,
  stateLabel: REQUEST_STATE_LABELS[r.state as RequestState] ?? r.state,
  servicePointName: r.servicePointName,
  claimedByName: r.claimedByName,
  deliveredAt: r.deliveredAt,
  confirmedAt: r.confirmedAt,
  createdAt: r.createdAt,
  dueAt: r.dueAt,
});

export const StateSchema = Type.Object({ id: Type.Integer(), state: Str });

const pointFields = {
  id: Type.Integer(),
  kind: Str,
  kindLabel: Str,
  name: Str,
  unitName: Str,
  address: Str,
  lat: NumOrNull,
  long: NumOrNull,
  hours: Str,
  services: Strs,
  phone: StrOrNull,
  boxes: Type.Integer(),
};
/** The public directory: the place, never a person. */
export const PublicPointSchema = Type.Object(pointFields);
export const PointSchema = Type.Object({ ...pointFields, orgUnitId: Type.Integer(), active: Type.Boolean() });
export const presentPublicPoint = (p: PointRow) => ({
  id: p.id,
  kind: p.kind,
  kindLabel: POINT_KIND_LABELS[p.kind],
  name: p.name,
  unitName: p.unitName,
  address: p.address,
  lat: p.lat,
  long: p.long,
  hours: p.hours,
  services: p.services,
  phone: p.phone,
  boxes: p.boxes,
});
export const presentPoint = (p: PointRow) => ({
  ...presentPublicPoint(p),
  orgUnitId: p.orgUnitId,
  active: p.active,
});

export const EventSchema = Type.Object({
  id: Type.Integer(),
  kind: Str,
  kindLabel: Str,
  title: Str,
  description: StrOrNull,
  place: Str,
  orgUnitId: Type.Integer(),
  unitName: Str,
  startsAt: Time,
  endsAt: Time,
  capacity: Type.Integer(),
  taken: Type.Integer(),
  waitlisted: Type.Integer(),
  audienceTags: Strs,
  state: Str,
});
export const presentEvent = (e: EventRow) => ({
  id: e.id,
  kind: e.kind,
  kindLabel: EVENT_KIND_LABELS[e.kind],
  title: e.title,
  description: e.description,
  place: e.place,
  orgUnitId: e.orgUnitId,
  unitName: e.unitName,
  startsAt: e.startsAt,
  endsAt: e.endsAt,
  capacity: e.capacity,
  taken: e.taken,
  waitlisted: e.waitlisted,
  audienceTags: e.audienceTags,
  state: e.state,
});
export const SignupSchema = Type.Object({
  id: Type.Integer(),
  residentId: Type.Integer(),
  residentName: Str,
  state: Str,
  signedUpByName: Str,
  checkedInAt: TimeOrNull,
  createdAt: Time,
});
export const presentSignup = (s: SignupRow) => ({
  id: s.id,
  residentId: s.residentId,
  residentName: s.residentName,
  state: s.state,
  signedUpByName: s.signedUpByName,
  checkedInAt: s.checkedInAt,
  createdAt: s.createdAt,
});
export const FiguresSchema = Type.Object({
  capacity: Type.Integer(),
  confirmed: Type.Integer(),
  waitlisted: Type.Integer(),
  cancelled: Type.Integer(),
  checkedIn: Type.Integer(),
  attendanceRate: Type.Number(),
  fillRate: Type.Number(),
});
export const presentFigures = (f: AttendanceFigures) => ({ ...f });
export const EventDetailSchema = Type.Object({
  event: EventSchema,
  signups: Type.Array(SignupSchema),
  figures: FiguresSchema,
  /** The automatic reminders sent so far: kind (day_before | two_hours), messages, opted-out phones skipped. */
  reminders: Type.Array(
    Type.Object({ kind: Str, kindLabel: Str, sent: Type.Integer(), optedOut: Type.Integer(), at: Time }),
  ),
});
const REMINDER_LABELS: Record<string, string> = { day_before: "提前一天提醒", two_hours: "提前 2 小时提醒" };
export const presentReminder = (r: { kind: string; sent: number; optedOut: number; at: Date }) => ({
  kind: r.kind,
  kindLabel: REMINDER_LABELS[r.kind] ?? r.kind,
  sent: r.sent,
  optedOut: r.optedOut,
  at: r.at,
});

const WISH_STATE_LABELS: Record<string, string> = {
  pending: "待社区审核",
  published: "已上心愿墙，等待认领",
  rejected: "未通过审核",
  claimed: "志愿者已认领",
  fulfilled: "已圆梦，待社区确认",
  confirmed: "已圆梦",
};

/** The resident's own wish: what they wrote, its state, the member's surname, note and photo. */
export const MyWishSchema = Type.Object({
  id: Type.Integer(),
  title: Str,
  detail: Str,
  state: Str,
  stateLabel: Str,
  rejectReason: StrOrNull,
  claimedBy: StrOrNull,
  fulfilNote: StrOrNull,
  hasPhoto: Type.Boolean(),
  createdAt: Time,
  fulfilledAt: Type.Union([Time, Type.Null()]),
});
export const presentMyWish = (w: ResidentWish) => ({
  id: w.id,
  title: w.title,
  detail: w.detail,
  state: w.state,
  stateLabel: WISH_STATE_LABELS[w.state] ?? w.state,
  rejectReason: w.rejectReason,
  claimedBy: w.memberSurname ? `${w.memberSurname}志愿者` : null,
  fulfilNote: w.fulfilNote,
  hasPhoto: !!w.hasPhoto,
  createdAt: w.createdAt,
  fulfilledAt: w.fulfilledAt,
});
