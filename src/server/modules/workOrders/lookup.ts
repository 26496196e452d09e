import { maskPhone } from "../../../domain/mask/mask.ts";
import { ageOn } from "../../../domain/people/generate.ts";
import { escapeLike } from "../../../domain/people/query.ts";
import {
  type CallerCandidate,
  classifyLookup,
  MATCH_KINDS,
  type MatchKind,
  rankCallers,
} from "../../../domain/search/callers.ts";
import { ACTIVE_STATES } from "../../../domain/workflow/index.ts";
import type { AppContext, Principal } from "../../context.ts";
import { scopeWhere } from "../../platform/access.ts";
import { authorize } from "../../platform/policy.ts";
import { IntOrNull, OneOf, type Static, Str, StrOrNull, Type } from "../../platform/schemas.ts";
import { categoryByCode } from "./categories.ts";
import type { OrderRow } from "./presenter.ts";
import { ORDER_COLUMNS } from "./service.ts";

// What the hotline desk looks up while the caller talks: the caller (one box for phone tail, name,
// initials and address), the building the matter is at, and orders already filed about it.

/** Candidates read per lookup before ranking; the box shows ten and says how many more. */
const CANDIDATES = 500;
const SHOWN = 10;

export const CallerSchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  gender: Str,
  age: Type.Integer(),
  phoneMasked: StrOrNull,
  address: Str,
  buildingId: IntOrNull,
  orgUnitId: Type.Integer(),
  match: OneOf(MATCH_KINDS),
});
export const CallerLookupSchema = Type.Object({
  items: Type.Array(CallerSchema),
  /** How many more match than are shown. */
  more: Type.Integer(),
  /** More were found than were read: "more" is at least this many. */
  moreCapped: Type.Boolean(),
  /** What the entry was read as (phone_tail, phone, id_number, initials, text), or null for too little. */
  kind: Type.Union([Str, Type.Null()]),
});

interface CandidateRow {
  id: number;
  name: string;
  initials: string;
  gender: string;
  birthDate: string;
  phoneCipher: string | null;
  address: string;
  buildingId: number | null;
  orgUnitId: number;
}

/**
 * The desk's lookup: candidates are read by the one index the entry can use (phone tail or hash, name
 * prefix, initials prefix, building address), inside the caller's subtree, then ranked by the domain's rule.
 * An ID number is looked up only when the whole number is typed, and such a match says so.
 */
export async function lookupCallers(ctx: AppContext, who: Principal, raw: string) {
  authorize(who, "order.create");
  authorize(who, "resident.read");
  const q = classifyLookup(raw);
  if (!q) return { items: [], more: 0, moreCapped: false, kind: null };
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const scope = scopeWhere(who, "r.org_path", params, { collate: "C" });
  let match: string;
  switch (q.kind) {
    case "phone_tail":
      match = `r.phone_tail = ${p(q.digits.slice(-4))}`;
      break;
    case "phone":
      match = `r.phone_hash = ${p(ctx.crypto.hash(q.value))}`;
      break;
    case "id_number":
      match = `r.id_hash = ${p(ctx.crypto.hash(q.value))}`;
      break;
    case "initials":
      match = `r.name_initials like ${p(`${q.value}%`)}`;
      break;
    case "text": {
      // A name prefix, or every word in the address. Buildings first (a small table), so an address never
      // scans every resident of the district.
      const words = q.value.split(" ").filter(Boolean);
      const inBuilding = words.map((w) => `b.address like ${p(`%${escapeLike(w)}%`)}`).join(" and ");
      const inAddress = words.map((w) => `r.address like ${p(`%${escapeLike(w)}%`)}`).join(" and ");
      match = `(r.name like ${p(`${escapeLike(q.value)}%`)} or (r.building_id = any(array(
        select b.id from buildings b where ${scopeWhere(who, "b.org_path", params)} and ${inBuilding})) and ${inAddress}))`;
      break;
    }
  }
  const rows = await ctx.database.query<CandidateRow>(
    `select r.id, r.name, r.name_initials as initials, r.gender, r.birth_date::text as "birthDate",
       r.phone_cipher as "phoneCipher", r.address, r.building_id as "buildingId", r.org_unit_id as "orgUnitId"
     from residents r where ${scope} and ${match} limit ${CANDIDATES + 1}`,
    params,
  );
  const capped = rows.length > CANDIDATES;
  const candidates: (CallerCandidate & { row: CandidateRow })[] = rows.slice(0, CANDIDATES).map((r) => ({
    id: r.id,
    name: r.name,
    initials: r.initials,
    phone: r.phoneCipher ? ctx.crypto.decrypt(r.phoneCipher) : null,
    address: r.address,
    idMatched: q.kind === "id_number",
    row: r,
  }));
  const ranked = rankCallers(q, candidates, SHOWN);
  const today = new Date().toISOString().slice(0, 10);
  return {
    items: ranked.items.map(({ candidate: c, match }) => ({
      id: c.id,
      name: c.name,
      gender: c.row.gender,
      age: ageOn(c.row.birthDate, today),
      phoneMasked: c.phone ? maskPhone(c.phone) : null,
      address: c.address,
      buildingId: c.row.buildingId,
      orgUnitId: c.row.orgUnitId,
      match: match as MatchKind,
    })),
    more: ranked.more,
    moreCapped: capped,
    kind: q.kind,
  };
}

export const BuildingSchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  address: Str,
  community: Str,
  grid: Str,
});

/**
 * Buildings for the desk's picker: every word typed must be in the building's address ("苏阳社区 12幢") or
 * its community's name, so "苏阳 12" finds 苏阳社区 12幢. An exact building name comes first.
 */
export async function lookupBuildings(ctx: AppContext, who: Principal, raw: string) {
  authorize(who, "order.create");
  const words = raw.trim().split(/\s+/).filter(Boolean).slice(0, 5);
  if (!words.length) return [];
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const conds = words.map((w) => {
    const like = p(`%${escapeLike(w)}%`);
    return `(b.address like ${like} or c.name like ${like})`;
  });
  const last = p(words[words.length - 1]);
  return ctx.database.query<Static<typeof BuildingSchema>>(
    `select b.id, b.name, b.address, c.name as community, g.name as grid from buildings b
     join org_units m on m.id = b.org_unit_id join org_units g on g.id = m.parent_id
     join org_units c on c.id = g.parent_id
     where ${scopeWhere(who, "b.org_path", params)} and ${conds.join(" and ")}
     order by (b.name = ${last} or b.name = ${last} || '幢' or b.name = ${last} || '组') desc, c.name,
       length(b.name), b.name, b.id
     limit 20`,
    params,
  );
}

const ORDER_FROM =
  "work_orders o join categories c on c.id = o.category_id join org_units u on u.id = o.org_unit_id";

/**
 * Orders already open about the same place while the agent types: the same building (or the resident's),
 * the last 7 days, still active; the same category (or one of its family) first.
 */
export async function intakeDuplicates(
  ctx: AppContext,
  who: Principal,
  f: { buildingId?: number; residentId?: number; categoryCode?: string },
  now = new Date(),
): Promise<OrderRow[]> {
  authorize(who, "order.create");
  authorize(who, "order.read");
  if (!f.buildingId && !f.residentId) return [];
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const place = f.buildingId
    ? `o.building_id = ${p(f.buildingId)}`
    : `(o.resident_id = ${p(f.residentId)} or o.building_id = (select building_id from residents where id = ${p(f.residentId)}))`;
  const cat = f.categoryCode ? await categoryByCode(ctx.database, f.categoryCode) : undefined;
  const family = cat
    ? `(c.id = ${p(cat.id)} or c.parent_id = ${p(cat.id)} or c.id = (select parent_id from categories where id = ${p(cat.id)})
        or c.parent_id = (select parent_id from categories where id = ${p(cat.id)}))`
    : "false";
  return ctx.database.query<OrderRow>(
    `select ${ORDER_COLUMNS} from ${ORDER_FROM}
     where ${place} and o.state = any(${p(`{${ACTIVE_STATES.join(",")}}`)}::text[])
       and o.created_at > ${p(new Date(now.getTime() - 7 * 86_400_000))}
       and ${scopeWhere(who, "o.org_path", params)}
     order by coalesce(${family}, false) desc, o.created_at desc limit 5`,
    params,
  );
}
