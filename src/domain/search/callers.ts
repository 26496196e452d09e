import { normalisePhone } from "../mask/mask.ts";

// The hotline desk's one lookup box. While the caller talks the agent types whatever they have: the last
// digits of the number on the screen, a name, its pinyin initials, or a street address. One box, the best
// match first: a phone tail names a person more surely than a name, a name more than initials, and an
// address only narrows to a building.

export type LookupQuery =
  /** 4 to 10 digits: the end of the caller's number. */
  | { kind: "phone_tail"; digits: string }
  /** A whole mobile or landline number, normalised. */
  | { kind: "phone"; value: string }
  /** An ID number: never mixed into phone results, answered on its own. */
  | { kind: "id_number"; value: string }
  /** Latin letters: pinyin initials of a name ("zxm" → 张晓明). */
  | { kind: "initials"; value: string }
  /** Anything else: a name or a piece of an address. */
  | { kind: "text"; value: string };

/** What an entry needs before it is searched at all; shorter digits would match thousands. */
export const MIN_TAIL = 4;

export function classifyLookup(raw: string): LookupQuery | null {
  const q = raw.trim().replace(/\s+/g, " ");
  if (!q) return null;
  const compact = q.replace(/[\s\-().]/g, "");
  if (/^(\d{15}|\d{17}[\dXx])$/.test(compact)) return { kind: "id_number", value: compact.toUpperCase() };
  if (/^(\+86|0086)?\d+$/.test(compact)) {
    const phone = normalisePhone(compact);
    if (phone) return { kind: "phone", value: phone };
    if (compact.length >= MIN_TAIL && compact.length <= 10 && /^\d+$/.test(compact))
      return { kind: "phone_tail", digits: compact };
    return null;
  }
  if (/^[a-zA-Z]{1,10}$/.test(q)) return { kind: "initials", value: q.toLowerCase() };
  return { kind: "text", value: q.slice(0, 50) };
}

/** How a candidate matched, best first. The order is the ranking. */
export const MATCH_KINDS = [
  "phone",
  "phone_tail",
  "name_exact",
  "name_prefix",
  "initials_exact",
  "initials_prefix",
  "address",
  "id_number",
] as const;
export type MatchKind = (typeof MATCH_KINDS)[number];

export interface CallerCandidate {
  id: number;
  name: string;
  /** Pinyin initials of the name, as stored beside it. */
  initials: string;
  /** The full number (decrypted, normalised) or null. */
  phone: string | null;
  address: string;
  /** Set when the candidate was found by its ID number hash (the query was an ID number). */
  idMatched?: boolean;
}

const digitsOf = (phone: string) => phone.replace(/\D/g, "");

/** The best way the candidate matches the query, or null when it does not. */
export function matchCaller(q: LookupQuery, c: CallerCandidate): MatchKind | null {
  switch (q.kind) {
    case "phone":
      return c.phone === q.value ? "phone" : null;
    case "phone_tail":
      return c.phone && digitsOf(c.phone).endsWith(q.digits) ? "phone_tail" : null;
    case "id_number":
      return c.idMatched ? "id_number" : null;
    case "initials":
      if (c.initials === q.value) return "initials_exact";
      return c.initials.startsWith(q.value) ? "initials_prefix" : null;
    case "text": {
      const v = q.value;
      if (c.name === v) return "name_exact";
      if (c.name.startsWith(v)) return "name_prefix";
      // "苏阳 12幢" — every word of the entry must be in the address.
      const words = v.split(" ").filter(Boolean);
      return words.length && words.every((w) => c.address.includes(w)) ? "address" : null;
    }
  }
}

export interface RankedCaller<C extends CallerCandidate> {
  candidate: C;
  match: MatchKind;
}

/**
 * The candidates that match, best first (by match kind, then shorter name — an exact-ish name before a
 * longer one —, then address, then id for a stable order), at most `limit`; `more` says how many were left.
 */
export function rankCallers<C extends CallerCandidate>(
  q: LookupQuery,
  candidates: readonly C[],
  limit = 10,
): { items: RankedCaller<C>[]; more: number } {
  const seen = new Set<number>();
  const matched: RankedCaller<C>[] = [];
  for (const c of candidates) {
    // One person found by several paths (name and address) is one row.
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    const match = matchCaller(q, c);
    if (!match) continue;
    matched.push({ candidate: c, match });
  }
  matched.sort(
    (a, b) =>
      MATCH_KINDS.indexOf(a.match) - MATCH_KINDS.indexOf(b.match) ||
      a.candidate.name.length - b.candidate.name.length ||
      a.candidate.address.localeCompare(b.candidate.address, "zh-CN") ||
      a.candidate.id - b.candidate.id,
  );
  return { items: matched.slice(0, limit), more: Math.max(0, matched.length - limit) };
}
