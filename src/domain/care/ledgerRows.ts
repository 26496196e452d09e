// Reading a community's key-population ledger (重点人群台账) row by row: which column is which, what an ID
// cell really holds after Excel has been at it, which tags a label means, and what to tell the person when
// a row cannot be used. Pure: no database, no I/O; the import service matches the clean rows.
import { parseIdCard } from "../idcard/idcard.ts";
import { KEY_TAGS, type KeyTag, TAG_LABELS } from "../people/tags.ts";

export type Cell = string | number;
export type LedgerField = "name" | "idNumber" | "tags" | "note";
export type Columns = Partial<Record<LedgerField, number>>;

/** Chinese headers seen in community ledgers, mapped to our fields. */
const HEADER_ALIASES: Record<string, LedgerField> = {
  姓名: "name",
  老人姓名: "name",
  居民姓名: "name",
  身份证号: "idNumber",
  身份证号码: "idNumber",
  公民身份号码: "idNumber",
  证件号码: "idNumber",
  人群类别: "tags",
  人员类别: "tags",
  类别: "tags",
  标签: "tags",
  重点人群类别: "tags",
  备注: "note",
  说明: "note",
};
const FIELD_ZH: Record<LedgerField, string> = {
  name: "姓名",
  idNumber: "身份证号",
  tags: "人群类别",
  note: "备注",
};

/** Text as typed, with full-width letters, digits and signs made half-width and all spaces removed. */
const squash = (s: string) => s.normalize("NFKC").replace(/\s+/g, "");

/** The first row naming any known column is the header; it must name 姓名, 身份证号 and 人群类别. */
export function findHeader(
  rows: { n: number; cells: Cell[] }[],
): { ok: true; row: number; columns: Columns } | { ok: false; message: string } {
  for (const r of rows) {
    const columns: Columns = {};
    r.cells.forEach((c, i) => {
      const key = HEADER_ALIASES[squash(String(c))];
      if (key && columns[key] === undefined) columns[key] = i;
    });
    if (Object.keys(columns).length === 0) continue;
    const missing = (["name", "idNumber", "tags"] as const).filter((k) => columns[k] === undefined);
    if (missing.length)
      return { ok: false, message: `第 ${r.n} 行表头缺少：${missing.map((k) => FIELD_ZH[k]).join("、")}` };
    return { ok: true, row: r.n, columns };
  }
  return { ok: false, message: "未找到表头（需要 姓名、身份证号、人群类别 列）" };
}

/** What people write for each tag: our label, the code, and the synonyms seen in community ledgers. */
export const TAG_SYNONYMS: Record<string, KeyTag> = {
  ...Object.fromEntries(Object.entries(TAG_LABELS).map(([k, v]) => [squash(v), k as KeyTag])),
  ...Object.fromEntries(KEY_TAGS.map((k) => [k, k])),
  独居老人: "living_alone",
  孤寡老人: "living_alone",
  空巢老人: "empty_nest",
  空巢家庭: "empty_nest",
  高龄: "aged_80_plus",
  高龄老人: "aged_80_plus",
  "80岁以上": "aged_80_plus",
  "80周岁以上": "aged_80_plus",
  八十岁以上: "aged_80_plus",
  失能老人: "disabled_care",
  半失能: "disabled_care",
  失能半失能: "disabled_care",
  残疾: "severe_disability",
  残疾人: "severe_disability",
  残疾人员: "severe_disability",
  重度残疾: "severe_disability",
  重度残疾人: "severe_disability",
  重残人员: "severe_disability",
  一级残疾: "severe_disability",
  二级残疾: "severe_disability",
  慢性病: "chronic_disease",
  慢病患者: "chronic_disease",
  慢性病患者: "chronic_disease",
  低保户: "low_income",
  低保对象: "low_income",
  最低生活保障: "low_income",
  孕妇: "maternal",
  产妇: "maternal",
  留守: "left_behind_child",
};

export const ACCEPTED_TAG_LABELS = KEY_TAGS.map((k) => TAG_LABELS[k]).join("、");

/** A tag cell such as "独居、高龄80+" (、 , ， ; ； / or spaces between labels). */
export function parseTags(text: string): { tags: KeyTag[]; unknown: string[] } {
  const tags: KeyTag[] = [];
  const unknown: string[] = [];
  for (const raw of text.normalize("NFKC").split(/[、,，;；/\s]+/)) {
    const label = squash(raw);
    if (!label) continue;
    const tag = TAG_SYNONYMS[label] ?? TAG_SYNONYMS[label.toLowerCase()];
    if (!tag) unknown.push(raw.trim());
    else if (!tags.includes(tag)) tags.push(tag);
  }
  return { tags, unknown };
}

export function unknownTagMessage(labels: string[]): string {
  return `人群类别「${labels.join("」「")}」无法识别，可填：${ACCEPTED_TAG_LABELS}（多个用顿号分隔）`;
}

const LOST_DIGITS =
  "请把身份证号这一列设为「文本」格式（或在号码前加英文单引号 '），再重新填写完整的 18 位号码";

/**
 * The ID number in a cell, or what went wrong with it in words that say how to fix it. Excel turns a long
 * number into a float: 18 digits keep only 15 (320613195001011234 → 320613195001011000) and display as
 * 3.20613E+17; those digits are gone and no checksum message would tell anyone why.
 */
export function cleanIdNumber(cell: Cell): { ok: true; id: string } | { ok: false; message: string } {
  if (typeof cell === "number") {
    if (!Number.isSafeInteger(cell) || cell >= 1e15)
      return {
        ok: false,
        message: `身份证号存成了数字，Excel 只保留 15 位有效数字，后几位已丢失（读到 ${BigInt(Math.round(cell))}）：${LOST_DIGITS}`,
      };
    cell = String(cell);
  }
  const typed = cell.replace(/\s+/g, "");
  if (!typed) return { ok: false, message: "身份证号为空" };
  if (/^\d(\.\d+)?E\+?\d+$/i.test(typed))
    return {
      ok: false,
      message: `身份证号显示成了科学计数法「${typed}」，数字已丢失：${LOST_DIGITS}`,
    };
  if (/[０-９Ｘｘ]/.test(typed)) {
    const half = typed.normalize("NFKC");
    return {
      ok: false,
      message: `身份证号含全角字符（如「${typed.match(/[０-９Ｘｘ]/)![0]}」），请改为半角数字${parseIdCard(half).ok ? `：${half.slice(0, 6)}…` : ""}，再导入`,
    };
  }
  const id = typed.replace(/[-－—]/g, "").toUpperCase();
  const parsed = parseIdCard(id);
  if (parsed.ok) return { ok: true, id: parsed.info.id };
  if (parsed.error === "format") {
    if (/[^\dX]/.test(id)) return { ok: false, message: "身份证号只能是数字（最后一位可以是 X）" };
    return { ok: false, message: `身份证号应为 18 位（或 15 位旧号），这里是 ${id.length} 位` };
  }
  if (parsed.error === "birth_date") return { ok: false, message: "身份证号中的出生日期（第 7–14 位）无效" };
  // A checksum that fails on a number ending in zeros is most often Excel's rounding, not a typo.
  if (/000$/.test(id) && id.length === 18)
    return {
      ok: false,
      message: `身份证号校验位不正确，末尾的 000 像是被 Excel 当作数字截断：${LOST_DIGITS}`,
    };
  return { ok: false, message: "身份证号校验位不正确，请核对号码（常见为某一位输错）" };
}

/**
 * What an import says about a row whose ID is unknown or belongs to someone outside the importer's
 * area: the same words in both cases, so the ledger cannot be used to learn who lives where.
 */
export const NOT_IN_SCOPE = "在您管辖的范围内没有这个身份证号的居民：请核对号码，或先登记居民";
export const NAME_MISMATCH = "姓名与该身份证号登记的姓名不一致，请核对";

export interface LedgerRow {
  n: number;
  name: string;
  idNumber: string;
  tags: KeyTag[];
  note: string | null;
}

export interface RowError {
  row: number;
  messages: string[];
}

export const NOTE_MAX = 200;

/** Every row below the header checked on its own and against the rows before it (duplicate IDs). */
/**
 * Checks rows as they come, in as many calls as the caller likes (a server checks a big sheet a slice at a
 * time and lets other requests run between slices); a repeated ID is caught across slices.
 */
export function ledgerRowChecker(header: { row: number; columns: Columns }) {
  const good: LedgerRow[] = [];
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  const cellOf = (cells: Cell[], k: LedgerField) => {
    const i = header.columns[k];
    return i === undefined ? "" : (cells[i] ?? "");
  };
  const check = (rows: { n: number; cells: Cell[] }[]) => {
    for (const r of rows) {
      if (r.n <= header.row) continue;
      const text = (k: LedgerField) => String(cellOf(r.cells, k)).trim();
      if (!text("name") && !text("idNumber") && !text("tags") && !text("note")) continue;
      const messages: string[] = [];
      const name = text("name").replace(/\s+/g, "");
      if (!name) messages.push("姓名为空");
      const id = cellOf(r.cells, "idNumber");
      const cleaned = cleanIdNumber(id);
      if (!cleaned.ok) messages.push(cleaned.message);
      else {
        const first = seen.get(cleaned.id);
        if (first !== undefined) messages.push(`身份证号与第 ${first} 行重复`);
        else seen.set(cleaned.id, r.n);
      }
      const { tags, unknown } = parseTags(text("tags"));
      if (!tags.length && !unknown.length) messages.push(`人群类别为空，可填：${ACCEPTED_TAG_LABELS}`);
      if (unknown.length) messages.push(unknownTagMessage(unknown));
      const note = text("note");
      if (note.length > NOTE_MAX) messages.push(`备注不能超过 ${NOTE_MAX} 字（现有 ${note.length} 字）`);
      if (messages.length) errors.push({ row: r.n, messages });
      else good.push({ n: r.n, name, idNumber: (cleaned as { id: string }).id, tags, note: note || null });
    }
  };
  return { check, result: () => ({ good, errors }) };
}

export function checkLedgerRows(
  rows: { n: number; cells: Cell[] }[],
  header: { row: number; columns: Columns },
): { good: LedgerRow[]; errors: RowError[] } {
  const checker = ledgerRowChecker(header);
  checker.check(rows);
  return checker.result();
}

/** The tags a row would add to a resident who already has `current`: empty when the row changes nothing. */
export const tagsToAdd = (current: readonly string[], wanted: readonly KeyTag[]) =>
  wanted.filter((t) => !current.includes(t));
