import { ORG_KINDS } from "../../../domain/org/scope.ts";
import { IntOrNull, OneOf, Str, Time, Type } from "../../platform/schemas.ts";
import { CrumbSchema } from "../orgs/index.ts";
import { LabelsSchema, RatesSchema } from "../rates/index.ts";

// What the command center shows, as it leaves the server: counts, rates and unit names. No order text, no
// person: a wall screen in a hall is a public place.

const Kind = OneOf(ORG_KINDS);
const Named = Type.Object({ code: Str, name: Str, n: Type.Integer() });

export const SituationSchema = Type.Object({
  open: Type.Integer(),
  overdue: Type.Integer(),
  escalated: Type.Integer(),
  dueSoon: Type.Integer(),
  receivedToday: Type.Integer(),
  closedToday: Type.Integer(),
});

export const HotSpotSchema = Type.Object({
  kind: OneOf(["building", "grid"] as const),
  place: Str,
  orgUnitId: Type.Integer(),
  buildingId: IntOrNull,
  categoryCode: Str,
  categoryName: Str,
  count: Type.Integer(),
  firstAt: Time,
  lastAt: Time,
});

export const CarePanelSchema = Type.Object({
  keyResidents: Type.Integer(),
  visitsOverdue: Type.Integer(),
  visitsDue: Type.Integer(),
  visitsDueSoon: Type.Integer(),
  alertsOpen: Type.Integer(),
  alertsCritical: Type.Integer(),
});

const PeriodFigures = Type.Object({
  from: Time,
  to: Time,
  received: Type.Integer(),
  closed: Type.Integer(),
  rates: RatesSchema,
});

export const DashboardSchema = Type.Object({
  unit: Type.Object({ id: Type.Integer(), name: Str, label: Str, kind: Kind }),
  breadcrumb: Type.Array(CrumbSchema),
  at: Time,
  situation: SituationSchema,
  period: PeriodFigures,
  previous: PeriodFigures,
  labels: LabelsSchema,
  days: Type.Array(Type.Object({ day: Str, received: Type.Integer(), closed: Type.Integer() })),
  byCategory: Type.Array(Named),
  byChannel: Type.Array(Named),
  byState: Type.Array(Named),
  children: Type.Array(
    Type.Object({
      unit: Type.Object({ id: Type.Integer(), code: Str, name: Str, kind: Kind }),
      open: Type.Integer(),
      overdue: Type.Integer(),
      received: Type.Integer(),
      rates: RatesSchema,
    }),
  ),
  hotSpots: Type.Array(HotSpotSchema),
  /** Null for a role that does not read the care ledger. */
  care: Type.Union([CarePanelSchema, Type.Null()]),
});

export const HotSpotsSchema = Type.Object({
  days: Type.Integer(),
  min: Type.Integer(),
  items: Type.Array(HotSpotSchema),
});
