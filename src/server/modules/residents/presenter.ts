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

export const residentSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    gender: { type: "string" },
    genderLabel: { type: "string" },
    birthDate: { type: "string" },
    age: { type: "integer" },
    idNumberMasked: { type: "string" },
    phoneMasked: { type: ["string", "null"] },
    address: { type: "string" },
    householdId: { type: ["integer", "null"] },
    buildingId: { type: ["integer", "null"] },
    orgUnitId: { type: "integer" },
    relationToHead: { type: ["string", "null"] },
    relationLabel: { type: ["string", "null"] },
    livingArrangement: { type: ["string", "null"] },
    livingLabel: { type: ["string", "null"] },
    tags: { type: "array", items: { type: "string" } },
    tagLabels: { type: "array", items: { type: "string" } },
    version: { type: "integer" },
  },
} as const;
