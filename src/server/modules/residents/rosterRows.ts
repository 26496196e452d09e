// A community roster's rows, as offices keep them: which column holds what (the registry's own words beside
// the verification list's), the grid column merged down a block of rows (carried down), buildings, units and
// rooms typed as words or numbers. Pure: no I/O. Cleaning itself (ID numbers, phones, names, title and 合计
// rows) is the verification pipeline's (domain/verification/rows.ts), used as it is.
import {
  type Cell,
  type CleanRow,
  cleanRow,
  cleanText,
  emptyMapping,
  findHeaderIn,
  HEADER_WORDS,
  ID_PROBLEMS,
  type Mapping,
  type SkipReason,
  skipReason,
} from "../../../domain/verification/rows.ts";

export const ROSTER_FIELDS = [
  "name",
  "idNumber",
  "phone",
  "building",
  "unit",
  "room",
  "grid",
  "relation",
] as const;
export type RosterField = (typeof ROSTER_FIELDS)[number];
export type RosterMapping = Record<RosterField, number | null>;

export const ROSTER_LABELS: Record<RosterField, string> = {
  name: "姓名",
  idNumber: "身份证号",
  phone: "手机",
  building: "楼栋",
  unit: "单元",
  room: "房号",
  grid: "网格",
  relation: "与户主关系",
};

const ROSTER_WORDS: Record<RosterField, string[]> = {
  name: HEADER_WORDS.name,
  idNumber: HEADER_WORDS.idNumber,
  phone: HEADER_WORDS.phone,
  building: ["楼栋", "幢", "栋", "楼号", "楼栋号", "幢号", "栋号", "楼幢", "楼栋名称"],
  unit: ["单元", "单元号"],
  room: ["室", "房号", "房间号", "室号", "门牌号", "户号", "房屋号"],
  grid: ["网格", "所属网格", "网格名称", "网格号"],
  relation: ["与户主关系", "户主关系", "关系", "与户主的关系"],
};

export const emptyRosterMapping = (): RosterMapping =>
  Object.fromEntries(ROSTER_FIELDS.map((f) => [f, null])) as RosterMapping;

/** The header row: the first naming at least two roster fields, the name or the ID number among them. */
export function findRosterHeader(rows: { n: number; cells: Cell[] }[]) {
  return findHeaderIn(rows, ROSTER_WORDS, (m) => m.name !== null || m.idNumber !== null);
}

/** Why a roster mapping cannot be used (Chinese), or null: the registry needs both a name and an ID. */
export function rosterMappingProblem(m: RosterMapping): string | null {
  if (m.name === null && m.idNumber === null) return "未找到「姓名」和「身份证号」列：居民登记两列都需要";
  if (m.idNumber === null) return "未找到「身份证号」列：居民按身份证号登记和比对";
  if (m.name === null) return "未找到「姓名」列";
  const used = ROSTER_FIELDS.map((f) => m[f]).filter((c): c is number => c !== null);
  if (new Set(used).size !== used.length) return "同一列不能对应两个字段";
  return null;
}

/** The verification pipeline's mapping for the columns it cleans (name, ID, phone). */
const pipelineMapping = (m: RosterMapping): Mapping => ({
  ...emptyMapping(),
  name: m.name,
  idNumber: m.idNumber,
  phone: m.phone,
});

/** Why a row after the header is not data (title, repeated header, 合计), as the pipeline decides. */
export const rosterSkipReason = (cells: Cell[], m: RosterMapping): SkipReason | null =>
  skipReason(cells, pipelineMapping(m));

/** "12幢", "12 栋", "12号楼", 12 → "12"; a name without digits is kept as it is ("综合楼"). */
export function buildingKey(v: Cell | undefined): string {
  const t = cleanText(v).replace(/\s/g, "");
  const m = /^(?:第)?(\d+)(?:号)?(?:幢|栋|号楼|楼|座|组)?$/.exec(t);
  return m ? String(Number(m[1])) : t;
}
/** "2单元", 2, "二单元" (digits only) → 2; nothing → null. */
export function unitNo(v: Cell | undefined): number | null {
  const m = /^(?:第)?(\d{1,3})(?:单元)?$/.exec(cleanText(v).replace(/\s/g, ""));
  return m ? Number(m[1]) : null;
}
/** "301室", 301, "301" → "301"; other words kept (the registry's "3号"). */
export function roomKey(v: Cell | undefined): string {
  const t = cleanText(v).replace(/\s/g, "");
  const m = /^(\d+)(?:室|号|房)?$/.exec(t);
  return m ? m[1] : t;
}
/** The room as the registry writes it: "301室". */
export const roomName = (key: string) => (/^\d+$/.test(key) ? `${key}室` : key);
/** The building as the registry writes it: "12幢". */
export const buildingName = (key: string) => (/^\d+$/.test(key) ? `${key}幢` : key);

const RELATIONS: Record<string, string> = {
  户主: "head",
  本人: "head",
  配偶: "spouse",
  妻: "spouse",
  夫: "spouse",
  妻子: "spouse",
  丈夫: "spouse",
  子: "child",
  女: "child",
  儿子: "child",
  女儿: "child",
  子女: "child",
  父亲: "parent",
  母亲: "parent",
  父母: "parent",
  孙子: "grandchild",
  孙女: "grandchild",
  外孙: "grandchild",
  外孙女: "grandchild",
};
/** 与户主关系 in the registry's words (head, spouse, …); other words kept as typed; blank → null. */
export function relationOf(v: Cell | undefined): string | null {
  const t = cleanText(v).replace(/\s/g, "");
  if (!t) return null;
  return RELATIONS[t] ?? t.slice(0, 20);
}

export interface RosterRow {
  clean: CleanRow;
  building: string;
  unit: number | null;
  room: string;
  grid: string;
  relation: string | null;
  /** Why the row cannot go into the registry (it is flagged, not imported); empty when it can. */
  problems: string[];
  /** Imported, with a field left out (an unreadable phone keeps the registry's). */
  notes: string[];
}

/**
 * Reads a roster sheet row by row. The grid column is merged down a block of rows in such rosters (the
 * value sits in the block's first row only): a blank grid cell takes the one above it.
 */
export function rosterReader(m: RosterMapping, today = new Date()) {
  let grid = "";
  const at = (cells: Cell[], f: RosterField) => (m[f] === null ? undefined : cells[m[f] as number]);
  return (n: number, cells: Cell[]): RosterRow => {
    const g = cleanText(at(cells, "grid"));
    if (g) grid = g;
    const clean = cleanRow(n, cells, pipelineMapping(m), today);
    const problems: string[] = [];
    if (!clean.name) problems.push("姓名为空");
    if (clean.id.status !== "ok") problems.push(ID_PROBLEMS[clean.id.status]);
    const notes = clean.phoneProblem ? [`${clean.phoneProblem}，未改动登记的手机号`] : [];
    return {
      clean,
      building: buildingKey(at(cells, "building")),
      unit: unitNo(at(cells, "unit")),
      room: roomKey(at(cells, "room")),
      grid,
      relation: relationOf(at(cells, "relation")),
      problems,
      notes,
    };
  };
}
