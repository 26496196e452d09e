// A list received for verification (大数据核查), row by row: which column holds what, which rows are not
// data (titles, repeated headers, 合计 lines), and each data row cleaned with what was typed kept beside it.
// Pure: no I/O. Damaged ID numbers (a spreadsheet's number rounding) are flagged, never repaired by guess.
import { parseIdCard } from "../idcard/idcard.ts";
import { normalisePhone } from "../mask/mask.ts";

export type Cell = string | number;

export const FIELDS = ["name", "idNumber", "phone", "address", "community", "street"] as const;
export type Field = (typeof FIELDS)[number];
/** Column index (0-based) of each field, or null when the list has no such column. */
export type Mapping = Record<Field, number | null>;

export const FIELD_LABELS: Record<Field, string> = {
  name: "姓名",
  idNumber: "身份证号",
  phone: "联系电话",
  address: "现住址",
  community: "所属社区",
  street: "所属街道",
};

/** Header words per field, most specific first (a header cell is matched after cleaning). */
export const HEADER_WORDS: Record<Field, string[]> = {
  name: ["姓名", "居民姓名", "人员姓名", "名字", "户主姓名"],
  idNumber: ["身份证号", "身份证号码", "公民身份号码", "证件号码", "证件号", "身份证", "身份证件号码"],
  phone: ["手机", "手机号", "手机号码", "联系电话", "电话", "联系方式", "电话号码"],
  address: ["现住址", "住址", "居住地址", "现居住地址", "家庭住址", "详细地址", "地址", "现居地"],
  community: ["所属社区", "社区", "社区名称", "村社区", "所在社区", "社区（村）"],
  street: ["所属街道", "街道", "街道名称", "所在街道", "镇街", "街道（镇）"],
};

/** Full-width to half-width (digits, letters, space), spaces trimmed and collapsed. */
export function cleanText(v: Cell | undefined): string {
  if (v === undefined || v === null) return "";
  return String(v).normalize("NFKC").replace(/\s+/g, " ").trim();
}

const headerKey = (v: Cell | undefined) =>
  cleanText(v)
    .replace(/[\s*＊:：]/g, "")
    .replace(/\(.*\)$/, "");

/** Which field of `words` a header cell names, if any (another import's own fields and words). */
export function fieldOfHeaderIn<F extends string>(words: Record<F, string[]>, v: Cell | undefined): F | null {
  const k = headerKey(v);
  if (!k) return null;
  for (const f of Object.keys(words) as F[]) if (words[f].includes(k)) return f;
  return null;
}

/** Which field a header cell names, if any. */
export const fieldOfHeader = (v: Cell | undefined): Field | null => fieldOfHeaderIn(HEADER_WORDS, v);

export const emptyMapping = (): Mapping => ({
  name: null,
  idNumber: null,
  phone: null,
  address: null,
  community: null,
  street: null,
});

/**
 * The header row among the first rows, for any set of fields: the first row naming at least two of them
 * that `enough` accepts. Rows above it (a merged title) are titles.
 */
export function findHeaderIn<F extends string>(
  rows: { n: number; cells: Cell[] }[],
  words: Record<F, string[]>,
  enough: (m: Record<F, number | null>) => boolean,
): { n: number; mapping: Record<F, number | null> } | null {
  const fields = Object.keys(words) as F[];
  for (const r of rows.slice(0, 30)) {
    const mapping = Object.fromEntries(fields.map((f) => [f, null])) as Record<F, number | null>;
    let found = 0;
    r.cells.forEach((c, i) => {
      const f = fieldOfHeaderIn(words, c);
      if (f && mapping[f] === null) {
        mapping[f] = i;
        found++;
      }
    });
    if (found >= 2 && enough(mapping)) return { n: r.n, mapping };
  }
  return null;
}

/**
 * The header row among the first rows: the first one naming at least two fields, one of them the name or
 * the ID number. Rows above it (a merged title) are titles.
 */
export function findHeader(rows: { n: number; cells: Cell[] }[]): { n: number; mapping: Mapping } | null {
  return findHeaderIn(rows, HEADER_WORDS, (m) => m.name !== null || m.idNumber !== null);
}

/** Why a mapping cannot be used (Chinese), or null. */
export function mappingProblem(m: Mapping): string | null {
  if (m.name === null && m.idNumber === null) return "未找到「姓名」或「身份证号」列：至少要有其中一列";
  const used = FIELDS.map((f) => m[f]).filter((c): c is number => c !== null);
  if (new Set(used).size !== used.length) return "同一列不能对应两个字段";
  return null;
}

export type SkipReason = "title" | "header" | "total";
export const SKIP_LABELS: Record<SkipReason | "blank", string> = {
  blank: "空行",
  title: "标题行/合并单元格",
  header: "重复的表头行",
  total: "合计/小计行",
};

/** Header word → its field, the first field in HEADER_WORDS' order that lists it (as fieldOfHeader finds it). */
const HEADER_FIELD = new Map<string, Field>();
for (const f of FIELDS) for (const w of HEADER_WORDS[f]) if (!HEADER_FIELD.has(w)) HEADER_FIELD.set(w, f);

/** Whether a row after the header is not data: a repeated header, a 合计/小计 line, or a title. */
export function skipReason(cells: Cell[], m: Mapping): SkipReason | null {
  // Each cell cleaned once (a list's every row comes through here).
  const cleaned = cells.map((c) => cleanText(c));
  const texts = cleaned.filter((t) => t !== "");
  if (texts.some((t) => /^(合计|小计|总计|共计)/.test(t.replace(/\s/g, "")))) return "total";
  let headers = 0;
  for (const t of texts)
    if (HEADER_FIELD.has(t.replace(/[\s*＊:：]/g, "").replace(/\(.*\)$/, "")) && ++headers >= 2)
      return "header";
  const at = (i: number | null) => (i === null ? "" : (cleaned[i] ?? ""));
  // A merged title spans the row but holds its text in one cell, and names no one.
  if (texts.length === 1 && !at(m.idNumber) && !(at(m.name) && at(m.name).length <= 5)) return "title";
  return null;
}

export type IdStatus = "ok" | "missing" | "damaged" | "checksum" | "birth_date" | "format";

export const ID_PROBLEMS: Record<Exclude<IdStatus, "ok">, string> = {
  missing: "身份证号为空",
  damaged: "身份证号被表格存成了数字，后几位已丢失（不做猜测，请向来源核对原号码）",
  checksum: "身份证号校验位不正确",
  birth_date: "身份证号中的出生日期无效",
  format: "身份证号位数或字符不对（应为 18 位，或 15 位旧号）",
};

export interface CleanId {
  status: IdStatus;
  /** The 18-digit number when status is ok. */
  id: string | null;
  /** Birth date readable from the digits (also from a damaged number, whose first 15 digits survive). */
  birthDate: string | null;
}

const birthOf = (digits: string): string | null => {
  if (!/^\d{14}/.test(digits)) return null;
  const y = Number(digits.slice(6, 10));
  const m = Number(digits.slice(10, 12));
  const d = Number(digits.slice(12, 14));
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (y < 1880 || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return `${digits.slice(6, 10)}-${digits.slice(10, 12)}-${digits.slice(12, 14)}`;
};

/**
 * An ID number as typed: full-width digits and a lowercase x made plain, spaces and dashes dropped, 15-digit
 * numbers upgraded. A cell stored as a number of 16 digits or more, scientific notation, or 18 digits
 * ending in 000 whose checksum fails is `damaged`: the spreadsheet kept only 15 significant digits.
 */
export function cleanIdNumber(v: Cell | undefined, today = new Date()): CleanId {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v >= 1e15) {
      const digits = Number.isFinite(v) ? BigInt(Math.round(v)).toString() : "";
      return { status: "damaged", id: null, birthDate: digits.length === 18 ? birthOf(digits) : null };
    }
    v = String(v);
  }
  const typed = cleanText(v)
    .replace(/[\s\-－—_]/g, "")
    .toUpperCase();
  if (!typed) return { status: "missing", id: null, birthDate: null };
  const sci = /^(\d)\.(\d+)E\+?(\d+)$/.exec(typed);
  if (sci) {
    const digits = sci[1] + sci[2];
    return { status: "damaged", id: null, birthDate: Number(sci[3]) === 17 ? birthOf(digits) : null };
  }
  const parsed = parseIdCard(typed, today);
  if (parsed.ok) return { status: "ok", id: parsed.info.id, birthDate: parsed.info.birthDate };
  const full = /^\d{15}$/.test(typed) ? `${typed.slice(0, 6)}19${typed.slice(6)}` : typed;
  const birthDate = birthOf(full);
  if (parsed.error === "checksum" && /^\d{15}000$/.test(typed))
    return { status: "damaged", id: null, birthDate };
  return { status: parsed.error, id: null, birthDate: parsed.error === "checksum" ? birthDate : null };
}

export interface CleanRow {
  /** The row's number in the sheet. */
  n: number;
  /** What was typed, field by field (text; a number as the spreadsheet held it). */
  original: Partial<Record<Field, string>>;
  name: string;
  id: CleanId;
  /** 11-digit mobile or landline "0513-85123456"; null when absent or unreadable. */
  phone: string | null;
  phoneProblem: string | null;
  address: string;
  community: string;
  street: string;
}

/** A data row cleaned: original beside each cleaned value. */
export function cleanRow(n: number, cells: Cell[], m: Mapping, today = new Date()): CleanRow {
  const raw = (f: Field) => (m[f] === null ? undefined : cells[m[f] as number]);
  const original: CleanRow["original"] = {};
  for (const f of FIELDS) {
    const v = raw(f);
    if (v !== undefined && v !== "") original[f] = typeof v === "number" ? String(v) : v;
  }
  const phoneText = cleanText(raw("phone"));
  const phone = phoneText ? normalisePhone(phoneText) : null;
  return {
    n,
    original,
    name: cleanText(raw("name")).replace(/\s+/g, "").replace(/[．.]/g, "·"),
    id: cleanIdNumber(raw("idNumber"), today),
    phone,
    phoneProblem: phoneText && !phone ? "联系电话格式不对（应为 11 位手机号或带区号的固话）" : null,
    address: cleanText(raw("address")),
    community: cleanText(raw("community")),
    street: cleanText(raw("street")),
  };
}

/** A unit's name without its kind's suffix, so 苏阳 and 苏阳社区 compare equal. */
export const unitKey = (name: string) =>
  cleanText(name)
    .replace(/\s/g, "")
    .replace(/(社区居民委员会|居民委员会|社区居委会|居委会|社区|村委会|村|街道办事处|街道|镇)$/, "");

/** The key two rows of one list are duplicates by: the ID number, or name and phone without one. */
export function duplicateKey(r: CleanRow): string | null {
  if (r.id.id) return `id:${r.id.id}`;
  if (r.name && r.phone) return `np:${r.name}|${r.phone}`;
  return null;
}
