import ICAL from "ical.js";
import type { HolidayEntry } from "./holidays.ts";
import { dayFromKey, dayKey } from "./time.ts";

// Reading a holiday arrangement as administrators get it: an iCalendar file (the format calendar apps and
// the chinese-days package publish: all-day events "春节(休)" / "春节(班)"), or a small table typed or pasted
// from the State Council's notice: 开始日期,结束日期,名称,休|班 (one day: leave the end empty).

export interface ParsedHolidays {
  entries: HolidayEntry[];
  /** Problems by line (table) or event (iCalendar), in Chinese, for the import's answer. */
  errors: { at: string; message: string }[];
}

const KIND_WORDS: Record<string, HolidayEntry["kind"]> = {
  休: "holiday",
  放假: "holiday",
  假: "holiday",
  holiday: "holiday",
  班: "workday",
  上班: "workday",
  调休上班: "workday",
  workday: "workday",
};

/** Every day from `from` to `to` inclusive ("YYYY-MM-DD"); at most 31, an arrangement's longest stretch. */
function daysBetween(from: string, to: string): string[] | null {
  const a = dayFromKey(from);
  const b = dayFromKey(to);
  if (b < a || b - a > 31) return null;
  return Array.from({ length: b - a + 1 }, (_, i) => dayKey(a + i));
}

const validDay = (s: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  return dayKey(dayFromKey(s)) === s; // 2027-02-30 does not round-trip
};

/** `2027-02-06,2027-02-12,春节,休` per line; a first line of headers is skipped. */
export function parseHolidayTable(text: string): ParsedHolidays {
  const entries: HolidayEntry[] = [];
  const errors: ParsedHolidays["errors"] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const cells = line.split(/[,，\t]/).map((c) => c.trim().replaceAll("/", "-"));
    if (i === 0 && !/^\d/.test(cells[0] ?? "")) return; // headers
    const at = `第 ${i + 1} 行`;
    const [from, toRaw, name, kindWord] = cells;
    const to = toRaw || from;
    const kind = KIND_WORDS[kindWord ?? ""];
    if (!validDay(from ?? "") || !validDay(to)) {
      errors.push({ at, message: "日期应为 YYYY-MM-DD 的真实日期" });
      return;
    }
    if (!name) {
      errors.push({ at, message: "缺少节日名称" });
      return;
    }
    if (!kind) {
      errors.push({ at, message: "类型应为 休 或 班" });
      return;
    }
    const days = daysBetween(from, to);
    if (!days) {
      errors.push({ at, message: "结束日期应不早于开始日期，且一段不超过 31 天" });
      return;
    }
    for (const day of days) entries.push({ day, kind, name: name.slice(0, 20) });
  });
  return { entries, errors };
}

/** All-day events whose summary says 休 or 班 in brackets: "国庆节(休)". */
export function parseHolidayIcs(text: string): ParsedHolidays {
  const entries: HolidayEntry[] = [];
  const errors: ParsedHolidays["errors"] = [];
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch {
    return { entries, errors: [{ at: "文件", message: "不是有效的 iCalendar (.ics) 文件" }] };
  }
  for (const [i, ve] of root.getAllSubcomponents("vevent").entries()) {
    const ev = new ICAL.Event(ve);
    const at = `第 ${i + 1} 个日程「${ev.summary ?? ""}」`;
    const m = /^(.+?)\s*[(（]\s*(休|班)\s*[)）]\s*$/.exec(ev.summary ?? "");
    if (!m) {
      errors.push({ at, message: "标题应形如「春节(休)」或「春节(班)」" });
      continue;
    }
    const start = ev.startDate;
    if (!start?.isDate) {
      errors.push({ at, message: "应为全天日程" });
      continue;
    }
    const from = start.toString();
    // DTEND of an all-day event is exclusive; without it the event is one day.
    const endExclusive = ev.endDate?.toString() ?? dayKey(dayFromKey(from) + 1);
    const days = daysBetween(from, dayKey(dayFromKey(endExclusive) - 1));
    if (!days) {
      errors.push({ at, message: "日期范围不对（结束早于开始，或超过 31 天）" });
      continue;
    }
    for (const day of days) entries.push({ day, kind: KIND_WORDS[m[2]], name: m[1].slice(0, 20) });
  }
  return { entries, errors };
}

/** Same day twice with different meanings is a mistake in the file, not something to guess about. */
export function conflictingDays(entries: readonly HolidayEntry[]): string[] {
  const seen = new Map<string, HolidayEntry["kind"]>();
  const bad = new Set<string>();
  for (const e of entries) {
    const k = seen.get(e.day);
    if (k && k !== e.kind) bad.add(e.day);
    seen.set(e.day, e.kind);
  }
  return [...bad].sort();
}
