import { ORG_KINDS } from "../../../domain/org/scope.ts";
import { IntOrNull, OneOf, Str, Time, TimeOrNull, Type } from "../../platform/schemas.ts";
import { CrumbSchema } from "../orgs/index.ts";
import { CountsSchema, LabelsSchema, RatesSchema } from "../rates/index.ts";

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
  /** 敲门行动 running under the unit: totals and the units one level down furthest behind. */
  campaigns: Type.Union([
    Type.Object({
      campaigns: Type.Integer(),
      target: Type.Integer(),
      visited: Type.Integer(),
      done: Type.Integer(),
      revisit: Type.Integer(),
      refused: Type.Integer(),
      behind: Type.Array(
        Type.Object({ code: Str, name: Str, target: Type.Integer(), visited: Type.Integer() }),
      ),
    }),
    Type.Null(),
  ]),
  /** 共享药箱: medicine requests not yet delivered, and how many are past their one-hour clock. */
  medicine: Type.Union([Type.Object({ open: Type.Integer(), overdue: Type.Integer() }), Type.Null()]),
  /** 双报到 · 志愿服务 in the unit, for roles that read the volunteer roll. */
  volunteers: Type.Union([
    Type.Object({
      members: Type.Integer(),
      pending: Type.Integer(),
      activeToday: Type.Integer(),
      openWishes: Type.Integer(),
    }),
    Type.Null(),
  ]),
});

export const HotSpotsSchema = Type.Object({
  days: Type.Integer(),
  min: Type.Integer(),
  items: Type.Array(HotSpotSchema),
});

/** A GeoJSON Polygon or MultiPolygon (WGS-84), as imported for the unit. */
const GeometrySchema = Type.Object({
  type: OneOf(["Polygon", "MultiPolygon"] as const),
  coordinates: Type.Array(Type.Array(Type.Array(Type.Unknown()))),
});
const GeometryOrNull = Type.Union([GeometrySchema, Type.Null()]);

/** The map of a unit: its area, its children's areas with the figures the orders do not carry, open orders. */
export const MapSchema = Type.Object({
  unit: Type.Object({ id: Type.Integer(), name: Str, kind: Kind }),
  self: GeometryOrNull,
  areas: Type.Array(
    Type.Object({
      unit: Type.Object({ id: Type.Integer(), code: Str, name: Str, kind: Kind }),
      geometry: GeometryOrNull,
      residents: Type.Integer(),
      /** Null when the caller may not read care figures. */
      visitsOverdue: IntOrNull,
    }),
  ),
  /** Open orders with a position, at community level and below (number and state only). */
  points: Type.Array(
    Type.Object({
      id: Type.Integer(),
      number: Str,
      state: Str,
      overdue: Type.Boolean(),
      long: Type.Number(),
      lat: Type.Number(),
    }),
  ),
  /**
   * The tile layer under the boundaries, when the operator has configured one (MAP_TILE_URL): a Web-Mercator
   * URL template with {z}, {x} and {y}, the attribution to show, the server's highest zoom. Null: none.
   */
  tiles: Type.Union([
    Type.Object({ url: Str, attribution: Str, maxZoom: Type.Integer({ minimum: 0, maximum: 22 }) }),
    Type.Null(),
  ]),
});

export const ArchiveSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      unit: Type.Object({ id: Type.Integer(), label: Str }),
      date: Str,
      state: OneOf(["generating", "ready"] as const),
      readyAt: TimeOrNull,
      sentTo: Type.Integer(),
      pdfSize: IntOrNull,
      xlsxSize: IntOrNull,
    }),
  ),
});

export const RecipientsSchema = Type.Object({
  unit: Type.Object({ id: Type.Integer(), name: Str }),
  /** Whether the caller may change the list (district level). */
  editable: Type.Boolean(),
  items: Type.Array(Type.Object({ id: Type.Integer(), displayName: Str, role: Str, orgName: Str })),
  /** Accounts the district may choose from (empty when the caller may not edit). */
  candidates: Type.Array(
    Type.Object({ id: Type.Integer(), displayName: Str, role: Str, orgName: Str, initials: Str }),
  ),
});

/** The city scope: a district's month (or the city's, their sums) — counts and rates only, as above. */
const CityFiguresFields = {
  counts: CountsSchema,
  rates: RatesSchema,
  received: Type.Integer(),
  closed: Type.Integer(),
  volunteers: Type.Object({
    members: Type.Integer(),
    minutes: Type.Integer(),
    tasks: Type.Integer(),
    points: Type.Integer(),
  }),
  campaigns: Type.Object({ records: Type.Integer(), done: Type.Integer() }),
};
export const CityMonthSchema = Type.Object({
  month: Str,
  labels: LabelsSchema,
  districts: Type.Array(Type.Object({ code: Str, name: Str, receivedAt: TimeOrNull, ...CityFiguresFields })),
  city: Type.Object(CityFiguresFields),
});
