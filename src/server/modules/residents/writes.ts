import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { residents } from "../../../db/schema/index.ts";
import { KEY_TAGS } from "../../../domain/people/generate.ts";
import { nameInitials } from "../../../domain/people/pinyin.ts";
import type { AppContext } from "../../context.ts";
import { type Scoped, scopeWhere } from "../../platform/access.ts";
import { NotFound } from "../../platform/errors.ts";

// What other modules may change on a resident, and how they read one: care keeps the evidence of a tag and
// the doctor's contract in its own tables, and the registry's summary columns (tags, family doctor) change
// only here. Callers pass their transaction, so the summary commits with their evidence and their audit
// row (the caller audits the action it took: "tag_add", "create doctor_contract").

/** A resident as other modules need to refer to one: no ID number or phone. */
export interface ResidentRef {
  id: number;
  name: string;
  orgPath: string;
  orgUnitId: number;
  householdId: number | null;
  buildingId: number | null;
  tags: string[];
  address: string;
  familyDoctorId: number | null;
  createdAt: Date;
}

const REF_COLUMNS = `r.id, r.name, r.org_path as "orgPath", r.org_unit_id as "orgUnitId",
  r.household_id as "householdId", r.building_id as "buildingId", r.tags, r.address,
  r.family_doctor_id as "familyDoctorId", r.created_at as "createdAt"`;

/** A resident in the caller's subtree; 404 when absent or outside it, the same either way. */
export async function residentInScope(ctx: AppContext, who: Scoped, id: number): Promise<ResidentRef> {
  const params: unknown[] = [id];
  const [r] = await ctx.database.query<ResidentRef>(
    `select ${REF_COLUMNS} from residents r where r.id = $1 and ${scopeWhere(who, "r.org_path", params, { collate: "C" })}`,
    params,
  );
  if (!r) throw NotFound("居民不存在");
  return r;
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/** Holds the resident's row until the transaction ends, so two writers about one person take turns. */
export async function lockResident(tx: Db, residentId: number): Promise<void> {
  const found = rowsOf(await tx.execute(sql`select id from residents where id = ${residentId} for update`));
  if (found.length === 0) throw NotFound("居民不存在");
}

function checkTags(tags: readonly string[]): void {
  const unknown = tags.filter((t) => !(KEY_TAGS as readonly string[]).includes(t));
  if (unknown.length) throw new RangeError(`unknown key tags: ${unknown.join(", ")}`);
}

/**
 * Adds tags to residents' summaries, set-based: one statement for any number of (resident, tag) pairs (a
 * whole ledger import). A tag a resident already has is left alone; only residents whose tags changed get
 * a new version. Returns those residents' ids.
 */
export async function addTags(
  tx: Db,
  pairs: readonly { residentId: number; tag: string }[],
): Promise<number[]> {
  if (pairs.length === 0) return [];
  checkTags(pairs.map((p) => p.tag));
  if (!pairs.every((p) => Number.isInteger(p.residentId)))
    throw new RangeError("resident ids must be integers");
  const ids = pairs.map((p) => p.residentId);
  const tags = pairs.map((p) => p.tag);
  const changed = rowsOf<{ id: number }>(
    await tx.execute(sql`
      update residents r
         set tags = r.tags || array(select distinct x from unnest(a.tags) as x where not x = any(r.tags) order by x),
             version = r.version + 1, updated_at = now()
        from (select p.rid, array_agg(p.tag) as tags
                from unnest(${`{${ids.join(",")}}`}::int[], ${`{${tags.join(",")}}`}::text[]) as p(rid, tag)
               group by p.rid) a
       where r.id = a.rid and not (r.tags @> a.tags)
      returning r.id`),
  );
  return changed.map((r) => r.id).sort((a, b) => a - b);
}

/** Takes one tag off a resident's summary. Whether it was there. */
export async function removeTag(tx: Db, residentId: number, tag: string): Promise<boolean> {
  checkTags([tag]);
  const changed = rowsOf(
    await tx.execute(sql`update residents set tags = array_remove(tags, ${tag}), version = version + 1,
      updated_at = now() where id = ${residentId} and ${tag} = any(tags) returning id`),
  );
  return changed.length > 0;
}

/** The family doctor on the resident's summary (the contract itself is care's); null clears it. */
export async function setFamilyDoctor(tx: Db, residentId: number, doctorId: number | null): Promise<void> {
  const changed = rowsOf(
    await tx.execute(
      sql`update residents set family_doctor_id = ${doctorId}, updated_at = now() where id = ${residentId} returning id`,
    ),
  );
  if (changed.length === 0) throw NotFound("居民不存在");
}

/** Where a new resident lives: the household and what follows from it. */
export interface HouseholdPlace {
  id: number;
  buildingId: number;
  orgUnitId: number;
  orgPath: string;
  address: string;
}

/** A new resident, checked: the ID's digits, birth date and gender. */
export interface NewResident {
  name: string;
  id: { id: string; birthDate: string; gender: string };
  phone: string | null;
  relationToHead?: string | null;
  livingArrangement?: string | null;
  tags?: string[];
}

/** A new resident with the ID number and phone as stored: ciphers, keyed hashes, tails. */
export interface SealedResident {
  name: string;
  birthDate: string;
  gender: string;
  idCipher: string;
  idHash: string;
  idTail: string;
  phoneCipher: string | null;
  phoneHash: string | null;
  phoneTail: string | null;
  relationToHead?: string | null;
  livingArrangement?: string | null;
  tags?: string[];
}

/** Seals a new resident's ID number and phone (encrypted, keyed hashes, last four digits). */
export function sealResident(
  c: { encrypt(v: string): string; hash(v: string): string },
  r: NewResident,
): SealedResident {
  return {
    name: r.name,
    birthDate: r.id.birthDate,
    gender: r.id.gender,
    idCipher: c.encrypt(r.id.id),
    idHash: c.hash(r.id.id),
    idTail: r.id.id.slice(-4),
    phoneCipher: r.phone ? c.encrypt(r.phone) : null,
    phoneHash: r.phone ? c.hash(r.phone) : null,
    phoneTail: r.phone ? r.phone.slice(-4) : null,
    relationToHead: r.relationToHead,
    livingArrangement: r.livingArrangement,
    tags: r.tags,
  };
}

/**
 * Inserts one resident into a household inside `tx` (the registry form and the roster import both come
 * here; the caller audits). A second resident with the same ID number violates residents_id_hash_uq.
 */
export async function insertResident(tx: Db, h: HouseholdPlace, r: SealedResident) {
  const [row] = await tx
    .insert(residents)
    .values({
      householdId: h.id,
      buildingId: h.buildingId,
      orgUnitId: h.orgUnitId,
      orgPath: h.orgPath,
      name: r.name,
      nameInitials: nameInitials(r.name),
      gender: r.gender,
      birthDate: r.birthDate,
      idCipher: r.idCipher,
      idHash: r.idHash,
      idTail: r.idTail,
      phoneCipher: r.phoneCipher,
      phoneHash: r.phoneHash,
      phoneTail: r.phoneTail,
      address: h.address,
      relationToHead: r.relationToHead ?? null,
      livingArrangement: r.livingArrangement ?? null,
      tags: r.tags ?? [],
    })
    .returning();
  return row;
}
