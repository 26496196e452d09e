// Matching a cleaned row to the registry and classifying it. Exact by the ID number's keyed hash first, then
// by the phone's; failing both, name + birth date + address with a score (names compared by pinyin too, so
// a homophone typed by another hand — 章/张 — still counts for most of a match). Pure: the caller looks the
// candidates up.
import { fullPinyin } from "../search/pinyin.ts";
import { type CleanRow, ID_PROBLEMS, unitKey } from "./rows.ts";

export const CLASSES = ["found", "routed", "not_found", "duplicate", "invalid"] as const;
export type RowClass = (typeof CLASSES)[number];
export const CLASS_LABELS: Record<RowClass, string> = {
  found: "本辖区查到",
  routed: "查到但在其他社区（已转交）",
  not_found: "查无此人（不在本辖区）",
  duplicate: "名单内重复",
  invalid: "无效（信息不全或号码有误）",
};

export type MatchBy = "id" | "phone" | "fuzzy";

export interface Candidate {
  id: number;
  name: string;
  birthDate: string;
  address: string;
  /** Names of the resident's street and community (for a row that states its community). */
  community: string;
  street: string;
}

/** Character bigrams' Dice coefficient, 0..1 (address similarity; spaces and punctuation ignored). */
export function similarity(a: string, b: string): number {
  const clean = (s: string) => s.normalize("NFKC").replace(/[\s,，、.。·\-—()（）#号]/g, "");
  const x = clean(a);
  const y = clean(b);
  if (!x || !y) return 0;
  if (x === y) return 1;
  const grams = (s: string) => {
    const m = new Map<string, number>();
    for (let i = 0; i < s.length - 1; i++) m.set(s.slice(i, i + 2), (m.get(s.slice(i, i + 2)) ?? 0) + 1);
    if (s.length === 1) m.set(s, 1);
    return m;
  };
  const gx = grams(x);
  const gy = grams(y);
  let common = 0;
  for (const [g, c] of gx) common += Math.min(c, gy.get(g) ?? 0);
  const total = [...gx.values()].reduce((s, c) => s + c, 0) + [...gy.values()].reduce((s, c) => s + c, 0);
  return total ? (2 * common) / total : 0;
}

/** 1 for the same name, 0.8 for the same pinyin (a homophone), else 0. */
export function nameScore(a: string, b: string): number {
  if (!a || !b) return 0;
  if (a === b) return 1;
  const pa = fullPinyin(a);
  return pa && pa === fullPinyin(b) ? 0.8 : 0;
}

/** Name 0.4, birth date 0.35, address 0.25: a score of at least FUZZY_MIN counts as a match. */
export function matchScore(
  row: { name: string; birthDate: string | null; address: string },
  c: Candidate,
): number {
  const s =
    0.4 * nameScore(row.name, c.name) +
    0.35 * (row.birthDate && row.birthDate === c.birthDate ? 1 : 0) +
    0.25 * similarity(row.address, c.address);
  return Math.round(s * 1000) / 1000;
}
/** Same name and birth date need some address agreement; a homophone needs most of the address. */
export const FUZZY_MIN = 0.85;

/** The best candidate at or above FUZZY_MIN (ties: the first), with its score. */
export function bestFuzzy(
  row: { name: string; birthDate: string | null; address: string },
  candidates: Candidate[],
): { candidate: Candidate; score: number } | null {
  let best: { candidate: Candidate; score: number } | null = null;
  for (const c of candidates) {
    const score = matchScore(row, c);
    if (score >= FUZZY_MIN && (!best || score > best.score)) best = { candidate: c, score };
  }
  return best;
}

export interface Classified {
  class: RowClass;
  /** Why, in Chinese, for every row that is not simply found (and for found rows with a flag). */
  reasons: string[];
}

/**
 * A row's class. `duplicateOf` is the row number of an earlier row with the same key; `match` is the
 * resident found inside the importer's area (a resident outside it is not here: not_found).
 */
export function classify(
  row: CleanRow,
  duplicateOf: number | null,
  match: { candidate: Candidate; by: MatchBy; score: number } | null,
): Classified {
  const reasons: string[] = [];
  if (row.id.status !== "ok") reasons.push(ID_PROBLEMS[row.id.status]);
  if (row.phoneProblem) reasons.push(row.phoneProblem);
  if (!row.name) reasons.push("姓名为空");
  if (duplicateOf !== null)
    return { class: "duplicate", reasons: [`与第 ${duplicateOf} 行重复`, ...reasons] };
  if (!match) {
    if (row.id.status !== "ok" || !row.name) return { class: "invalid", reasons };
    return { class: "not_found", reasons: ["本辖区人口库中没有此身份证号", ...reasons] };
  }
  if (match.by !== "id")
    reasons.push(
      match.by === "phone"
        ? "按联系电话匹配到居民，请核实身份"
        : `按姓名、出生日期和住址匹配（相似度 ${Math.round(match.score * 100)}%），请核实身份`,
    );
  const stated = unitKey(row.community);
  if (stated && stated !== unitKey(match.candidate.community))
    return {
      class: "routed",
      reasons: [
        `名单填写社区为「${row.community}」，人口库登记在「${match.candidate.community}」，已转交`,
        ...reasons,
      ],
    };
  const street = unitKey(row.street);
  if (!stated && street && street !== unitKey(match.candidate.street))
    return {
      class: "routed",
      reasons: [
        `名单填写街道为「${row.street}」，人口库登记在「${match.candidate.street}」，已转交`,
        ...reasons,
      ],
    };
  return { class: "found", reasons };
}

/** Verification outcomes a grid worker records at the door. */
export const OUTCOMES = ["at_home", "moved_away", "no_such_person", "refused", "other"] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const OUTCOME_LABELS: Record<Outcome, string> = {
  at_home: "核实在住",
  moved_away: "已离开",
  no_such_person: "查无此人",
  refused: "拒绝配合",
  other: "其他",
};
