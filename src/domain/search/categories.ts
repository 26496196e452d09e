// Finding a category while the caller talks: the agent types what the caller said ("楼道灯", "水",
// "停水了"), or pinyin on a keyboard without an IME ("ld", "gongshui"). Names, synonyms and pinyin are
// searched; a subcategory is found through its parent's words too. What does not match is never offered,
// so Enter cannot pick a category the typed text does not name.

export interface CategoryEntry {
  code: string;
  name: string;
  /** Pinyin initials of the name ("gs" for 供水). */
  initials: string;
  /** Full pinyin of the name, without tones or spaces ("gongshui"). */
  pinyin: string;
  synonyms: readonly string[];
  parentCode: string | null;
}

/** Lower is better. */
const SCORE = {
  name_exact: 0,
  synonym_exact: 1,
  name_prefix: 2,
  /** The typed text holds a synonym or the name ("楼道灯不亮" holds 楼道灯). */
  holds: 3,
  name_contains: 4,
  synonym_contains: 5,
  initials: 6,
  pinyin: 7,
  parent: 8,
} as const;

export function normaliseCategoryQuery(raw: string): string {
  return raw.trim().toLowerCase().replace(/\s+/g, "");
}

/** How well a category matches the (normalised) query, lower is better; null when it does not. */
export function categoryScore(q: string, c: CategoryEntry): number | null {
  if (!q) return null;
  const name = c.name.toLowerCase();
  if (/^[a-z]+$/.test(q)) {
    if (c.initials.startsWith(q)) return SCORE.initials;
    if (c.pinyin.startsWith(q)) return SCORE.pinyin;
    return null;
  }
  const synonyms = c.synonyms.map((s) => s.toLowerCase());
  if (name === q) return SCORE.name_exact;
  if (synonyms.includes(q)) return SCORE.synonym_exact;
  if (name.startsWith(q)) return SCORE.name_prefix;
  // A one-character word inside a long sentence says little; a held word needs two characters.
  if ([name, ...synonyms].some((w) => w.length >= 2 && q.includes(w))) return SCORE.holds;
  if (name.includes(q)) return SCORE.name_contains;
  if (synonyms.some((s) => s.includes(q))) return SCORE.synonym_contains;
  return null;
}

export interface CategoryHit<C extends CategoryEntry> {
  category: C;
  score: number;
}

/**
 * The categories matching the query, best first; a subcategory whose parent matches comes after the parent
 * (typing "水电" offers 水电气维修 and then 供水, 供电, 燃气). Empty query: every category in the given order.
 */
export function searchCategories<C extends CategoryEntry>(raw: string, list: readonly C[]): CategoryHit<C>[] {
  const q = normaliseCategoryQuery(raw);
  if (!q) return list.map((category) => ({ category, score: 0 }));
  const own = new Map<string, number>();
  for (const c of list) {
    const s = categoryScore(q, c);
    if (s !== null) own.set(c.code, s);
  }
  const hits: CategoryHit<C>[] = [];
  list.forEach((c) => {
    const s = own.get(c.code) ?? (c.parentCode && own.has(c.parentCode) ? SCORE.parent : null);
    if (s !== null) hits.push({ category: c, score: s });
  });
  // Stable: equal scores keep the list's order (sort order, parents before their children).
  return hits
    .map((h, i) => ({ h, i }))
    .sort((a, b) => a.h.score - b.h.score || a.i - b.i)
    .map(({ h }) => h);
}

/** A category's label in pickers: "市政设施 › 路灯照明" for a subcategory. */
export function categoryLabel(c: { name: string; parentCode: string | null }, parentName?: string | null) {
  return c.parentCode && parentName ? `${parentName} › ${c.name}` : c.name;
}
