import { maskIdCard, maskPhone } from "../../../domain/mask/mask.ts";
import {
  ageOn,
  type KeyTag,
  LIVING_LABELS,
  type LivingArrangement,
  RELATIONS,
  TAG_LABELS,
} from "../../../domain/people/generate.ts";
import type { FieldCrypto } from "../../platform/crypto.ts";
import { IntOrNull, OneOf, type Static, Str, StrOrNull, Strs, Type } from "../../platform/schemas.ts";
import { CrumbSchema } from "../orgs/index.ts";

// The one place resident rows become API output; ID numbers and phones leave only masked.

export interface ResidentRow {
  id: number;
  householdId: number | null;
  buildingId: number | null;
  orgUnitId: number;
  orgPath: string;
  name: string;
  gender: string;
  birthDate: string;
  idCipher: string;
  phoneCipher: string | null;
  address: string;
  relationToHead: string | null;
  livingArrangement: string | null;
  tags: string[];
  version: number;
  updatedAt?: Date | string;
}

export function presentResident(
  r: ResidentRow,
  crypto: FieldCrypto,
  today = new Date().toISOString().slice(0, 10),
) {
  return {
    id: r.id,
    name: r.name,
    gender: r.gender,
    genderLabel: r.gender === "male" ? "男" : "女",
    birthDate: r.birthDate,
    age: ageOn(r.birthDate, today),
    idNumberMasked: maskIdCard(crypto.decrypt(r.idCipher)),
    phoneMasked: r.phoneCipher ? maskPhone(crypto.decrypt(r.phoneCipher)) : null,
    address: r.address,
    householdId: r.householdId,
    buildingId: r.buildingId,
    orgUnitId: r.orgUnitId,
    relationToHead: r.relationToHead,
    relationLabel: r.relationToHead ? (RELATIONS[r.relationToHead] ?? r.relationToHead) : null,
    livingArrangement: r.livingArrangement,
    livingLabel: r.livingArrangement
      ? (LIVING_LABELS[r.livingArrangement as LivingArrangement] ?? r.livingArrangement)
      : null,
    tags: r.tags,
    tagLabels: r.tags.map((t) => TAG_LABELS[t as KeyTag] ?? t),
    version: r.version,
  };
}
export type PresentedResident = ReturnType<typeof presentResident>;

/** A resident for staff: ID number and phone masked (the full value only through an audited reveal). */
export const ResidentSchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  gender: Str,
  genderLabel: Str,
  birthDate: Str,
  age: Type.Integer(),
  idNumberMasked: Str,
  phoneMasked: StrOrNull,
  address: Str,
  householdId: IntOrNull,
  buildingId: IntOrNull,
  orgUnitId: Type.Integer(),
  relationToHead: StrOrNull,
  relationLabel: StrOrNull,
  livingArrangement: StrOrNull,
  livingLabel: StrOrNull,
  tags: Strs,
  tagLabels: Strs,
  version: Type.Integer(),
});
/** The old name, kept for the modules that import it through the face. */
export const residentSchema = ResidentSchema;

export const ResidentPageSchema = Type.Object({
  items: Type.Array(ResidentSchema),
  total: Type.Integer(),
  totalCapped: Type.Boolean(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

export const RevealSchema = Type.Object({ field: OneOf(["idNumber", "phone"] as const), value: Str });

export interface HouseholdRow {
  id: number;
  buildingId: number;
  orgUnitId: number;
  orgPath: string;
  unitNo: number | null;
  roomNo: string | null;
  address: string;
}
export const HouseholdSchema = Type.Object({
  id: Type.Integer(),
  buildingId: Type.Integer(),
  orgUnitId: Type.Integer(),
  unitNo: IntOrNull,
  roomNo: StrOrNull,
  address: Str,
});
export const presentHousehold = (h: HouseholdRow): Static<typeof HouseholdSchema> => ({
  id: h.id,
  buildingId: h.buildingId,
  orgUnitId: h.orgUnitId,
  unitNo: h.unitNo,
  roomNo: h.roomNo,
  address: h.address,
});

export interface BuildingRow {
  id: number;
  orgUnitId: number;
  orgPath: string;
  name: string;
  address: string;
  floors: number | null;
  units: number | null;
}
export const BuildingSchema = Type.Object({
  id: Type.Integer(),
  orgUnitId: Type.Integer(),
  name: Str,
  address: Str,
  floors: IntOrNull,
  units: IntOrNull,
});
export const presentBuilding = (b: BuildingRow): Static<typeof BuildingSchema> => ({
  id: b.id,
  orgUnitId: b.orgUnitId,
  name: b.name,
  address: b.address,
  floors: b.floors,
  units: b.units,
});

/** A household as a line of its building: how many live there and their key-population tags. */
export const HouseholdLineSchema = Type.Object({
  id: Type.Integer(),
  unitNo: IntOrNull,
  roomNo: StrOrNull,
  address: Str,
  members: Type.Integer(),
  tags: Strs,
});

export const BuildingLineSchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  address: Str,
  households: Type.Integer(),
});

export const HouseholdDetailSchema = Type.Object({
  household: HouseholdSchema,
  members: Type.Array(ResidentSchema),
  breadcrumb: Type.Array(CrumbSchema),
});
export const BuildingDetailSchema = Type.Object({
  building: BuildingSchema,
  households: Type.Array(HouseholdLineSchema),
  breadcrumb: Type.Array(CrumbSchema),
});

/** Population counts of a unit's subtree. */
export const PopulationSchema = Type.Object({
  residents: Type.Integer(),
  households: Type.Integer(),
  buildings: Type.Integer(),
  tags: Type.Record(Type.String(), Type.Integer()),
});
export type Population = Static<typeof PopulationSchema>;
