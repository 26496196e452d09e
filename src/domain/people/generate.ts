import { composeIdCard } from "../idcard/idcard.ts";
import { givenName, surname } from "./names.ts";
import { type Rng, weightedTable } from "./random.ts";
import type { KeyTag, LivingArrangement } from "./tags.ts";

// Generates the households of one micro-grid: pure data, no I/O. Shares are set so the district's
// key-population counts look like the seeds' (an old city: ~5% over 80, many elderly living alone).

export {
  KEY_TAGS,
  type KeyTag,
  LIVING_ARRANGEMENTS,
  LIVING_LABELS,
  type LivingArrangement,
  RELATIONS,
  TAG_LABELS,
} from "./tags.ts";

/** Fixed reference day so the same seed gives the same ages whenever it runs. */
export const REFERENCE_DATE = "2026-07-01";

export interface PersonDraft {
  name: string;
  gender: "male" | "female";
  birthDate: string;
  idNumber: string;
  phone: string | null;
  relationToHead: string;
  livingArrangement: LivingArrangement;
  tags: KeyTag[];
}

export interface HouseholdDraft {
  unitNo: number | null;
  roomNo: string;
  address: string;
  people: PersonDraft[];
}

export interface BuildingDraft {
  name: string;
  address: string;
  floors: number;
  units: number;
  households: HouseholdDraft[];
}

type Composition =
  | "single_elder"
  | "elder_couple"
  | "family"
  | "three_gen"
  | "young_couple"
  | "single_adult"
  | "grandparents_child"
  | "elder_with_child";

const COMPOSITIONS = weightedTable<Composition>([
  ["single_elder", 7],
  ["elder_couple", 13],
  ["family", 38],
  ["three_gen", 14],
  ["young_couple", 9],
  ["single_adult", 10],
  ["grandparents_child", 2],
  ["elder_with_child", 7],
]);

const LOCAL_AREAS = weightedTable<string>([
  ["320602", 40],
  ["320611", 12],
  ["320613", 10],
  ["320621", 6],
  ["320623", 5],
  ["320681", 5],
  ["320682", 6],
  ["320684", 6],
]);
const MIGRANT_AREAS = [
  "341221",
  "410522",
  "511322",
  "342422",
  "320923",
  "321322",
  "362329",
  "430523",
  "522121",
  "130625",
];
const PHONE_PREFIXES = [
  "133",
  "135",
  "136",
  "137",
  "138",
  "139",
  "150",
  "151",
  "152",
  "157",
  "158",
  "159",
  "177",
  "180",
  "181",
  "182",
  "187",
  "188",
  "189",
  "199",
];

/** Keeps ID sequence numbers unique per (area, birth date) across one whole seeding run. */
export class IdAllocator {
  private readonly used = new Map<string, number>();
  next(area: string, birthDate: string, male: boolean): string {
    const key = area + birthDate;
    const n = this.used.get(key) ?? 0;
    this.used.set(key, n + 1);
    // Real sequence numbers are spread out, so start each (area, day) at its own offset.
    // 500 per gender per day and area; wrap into a neighbouring area code if ever exhausted.
    let offset = 0;
    for (let i = 0; i < key.length; i++) offset = (offset * 31 + key.charCodeAt(i)) % 500;
    const slot = (offset + n) % 500;
    const areaCode = n < 500 ? area : String(Number(area) + Math.floor(n / 500));
    return composeIdCard(areaCode, birthDate, slot * 2 + (male ? 1 : 0));
  }
}

/** A birth date that makes the person exactly `age` on the reference day (never in the future). */
function birthDateFor(rng: Rng, age: number): string {
  const ref = new Date(`${REFERENCE_DATE}T00:00:00Z`);
  const latest = Date.UTC(ref.getUTCFullYear() - age, ref.getUTCMonth(), ref.getUTCDate());
  const d = new Date(latest - rng.int(0, 364) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

function phoneFor(rng: Rng, age: number): string | null {
  if (age < 12 || (age >= 85 && rng.chance(0.5))) return null;
  return `${rng.pick(PHONE_PREFIXES)}${String(rng.int(0, 99_999_999)).padStart(8, "0")}`;
}

export function ageOn(birthDate: string, on: string = REFERENCE_DATE): number {
  const [y, m, d] = birthDate.split("-").map(Number);
  const [ry, rm, rd] = on.split("-").map(Number);
  return ry - y - (rm < m || (rm === m && rd < d) ? 1 : 0);
}

interface Ctx {
  rng: Rng;
  ids: IdAllocator;
  migrant: boolean;
  familyName: string;
}

function person(ctx: Ctx, age: number, male: boolean, relation: string, sameSurname = true): PersonDraft {
  const { rng } = ctx;
  const birthDate = birthDateFor(rng, age);
  const year = Number(birthDate.slice(0, 4));
  const family = sameSurname ? ctx.familyName : surname(rng);
  const area = ctx.migrant ? rng.pick(MIGRANT_AREAS) : rng.weighted(LOCAL_AREAS);
  return {
    name: family + givenName(rng, year, male),
    gender: male ? "male" : "female",
    birthDate,
    idNumber: ctx.ids.next(area, birthDate, male),
    phone: phoneFor(rng, age),
    relationToHead: relation,
    livingArrangement: "with_family",
    tags: [],
  };
}

function members(ctx: Ctx, kind: Composition): PersonDraft[] {
  const { rng } = ctx;
  const elderAge = () => Math.min(99, 60 + Math.floor(-Math.log(1 - rng.next()) * 12));
  const adultAge = () => rng.int(25, 58);
  const childAge = (parent: number) => Math.max(0, Math.min(parent - 22, rng.int(0, 30)));
  const male = rng.chance(0.5);
  switch (kind) {
    case "single_elder":
      return [person(ctx, elderAge(), rng.chance(0.32), "head")];
    case "elder_couple": {
      const a = elderAge();
      return [
        person(ctx, a, true, "head"),
        person(ctx, Math.max(58, a - rng.int(0, 5)), false, "spouse", false),
      ];
    }
    case "family": {
      const a = adultAge();
      const out = [
        person(ctx, a, true, "head"),
        person(ctx, Math.max(22, a - rng.int(0, 4)), false, "spouse", false),
      ];
      const kids = rng.chance(0.2) ? 2 : 1;
      for (let k = 0; k < kids; k++) out.push(person(ctx, childAge(a), rng.chance(0.52), "child"));
      return out;
    }
    case "three_gen": {
      const a = rng.int(30, 50);
      const g = Math.min(95, a + rng.int(24, 32));
      const out = [
        person(ctx, a, true, "head"),
        person(ctx, Math.max(22, a - rng.int(0, 4)), false, "spouse", false),
        person(ctx, Math.max(0, a - rng.int(24, 32)), rng.chance(0.52), "child"),
        person(ctx, g, false, "parent", false),
      ];
      if (rng.chance(0.6)) out.push(person(ctx, g + rng.int(0, 3), true, "parent"));
      return out;
    }
    case "young_couple": {
      const a = rng.int(22, 35);
      return [person(ctx, a, true, "head"), person(ctx, a - rng.int(0, 3), false, "spouse", false)];
    }
    case "single_adult":
      return [person(ctx, rng.int(20, 59), male, "head")];
    case "grandparents_child": {
      const g = rng.int(58, 75);
      return [
        person(ctx, g, true, "head"),
        person(ctx, g - rng.int(0, 4), false, "spouse", false),
        person(ctx, rng.int(4, 15), rng.chance(0.52), "grandchild"),
      ];
    }
    case "elder_with_child": {
      const g = Math.max(70, elderAge());
      return [person(ctx, g, rng.chance(0.35), "head"), person(ctx, g - rng.int(24, 35), male, "child")];
    }
  }
}

/** Tags follow from age and household make-up, so 独居 means what it says. */
function applyTags(rng: Rng, kind: Composition, people: PersonDraft[], lowIncome: boolean): void {
  for (const p of people) {
    const age = ageOn(p.birthDate);
    const tags = new Set<KeyTag>();
    if (age >= 80) tags.add("aged_80_plus");
    if (kind === "single_elder") {
      tags.add("living_alone");
      p.livingArrangement = "alone";
    } else if (kind === "single_adult") {
      p.livingArrangement = "alone";
    } else if (kind === "elder_couple") {
      tags.add("empty_nest");
      p.livingArrangement = "with_spouse";
    } else if (kind === "grandparents_child" && p.relationToHead === "grandchild") {
      tags.add("left_behind_child");
      p.livingArrangement = "with_grandparents";
    } else if (kind === "young_couple") {
      p.livingArrangement = "with_spouse";
    }
    if (age >= 80 ? rng.chance(0.12) : age >= 60 ? rng.chance(0.03) : false) tags.add("disabled_care");
    if (rng.chance(age >= 60 ? 0.012 : 0.004)) tags.add("severe_disability");
    if (age >= 60 ? rng.chance(0.36) : age >= 35 ? rng.chance(0.06) : false) tags.add("chronic_disease");
    if (lowIncome) tags.add("low_income");
    if (p.gender === "female" && age >= 22 && age <= 38 && rng.chance(0.06)) tags.add("maternal");
    p.tags = [...tags];
  }
}

export interface PlaceNames {
  communityName: string;
  village: boolean;
}

/** One building (or, in a village, one 组) of `households` households for a micro-grid. */
export function generateBuilding(
  rng: Rng,
  ids: IdAllocator,
  place: PlaceNames,
  buildingNo: number,
): BuildingDraft {
  const nHouseholds = rng.int(24, 48);
  const floors = place.village ? 2 : rng.chance(0.7) ? 6 : rng.pick([11, 18]);
  const perFloor = 2;
  const units = place.village ? 1 : Math.max(1, Math.ceil(nHouseholds / (floors * perFloor)));
  const name = place.village ? `${buildingNo}组` : `${buildingNo}幢`;
  const address = `${place.communityName} ${name}`;
  const households: HouseholdDraft[] = [];
  for (let h = 0; h < nHouseholds; h++) {
    let unitNo: number | null = null;
    let roomNo: string;
    let hAddress: string;
    if (place.village) {
      roomNo = `${h + 1}号`;
      hAddress = `${address} ${roomNo}`;
    } else {
      const perUnit = floors * perFloor;
      unitNo = Math.floor(h / perUnit) + 1;
      const inUnit = h % perUnit;
      roomNo = `${Math.floor(inUnit / perFloor) + 1}0${(inUnit % perFloor) + 1}室`;
      hAddress = `${address} ${unitNo}单元 ${roomNo}`;
    }
    const kind = rng.weighted(COMPOSITIONS);
    const ctx: Ctx = { rng, ids, migrant: rng.chance(0.18), familyName: surname(rng) };
    const people = members(ctx, kind);
    applyTags(rng, kind, people, rng.chance(0.012));
    households.push({ unitNo, roomNo, address: hAddress, people });
  }
  return { name, address, floors, units, households };
}
