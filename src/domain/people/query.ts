import { parseIdCard } from "../idcard/idcard.ts";
import { normalisePhone } from "../mask/mask.ts";

// What a search box entry means. Agents type a phone tail while the caller talks, workers type
// pinyin initials on a phone keyboard, admins paste an ID number or an address.

export type ResidentQuery =
  | { kind: "tail"; value: string } // last 4 of phone or ID
  | { kind: "phone"; value: string }
  | { kind: "id_number"; value: string }
  | { kind: "initials"; value: string }
  | { kind: "text"; value: string }; // name prefix or address fragment

export function classifyQuery(raw: string): ResidentQuery | null {
  const q = raw.trim().replace(/\s+/g, " ");
  if (!q) return null;
  if (/^\d{3}[\dXx]$/.test(q)) return { kind: "tail", value: q.toUpperCase() };
  const phone = normalisePhone(q);
  if (phone) return { kind: "phone", value: phone };
  if (/^(\d{15}|\d{17}[\dXx])$/.test(q)) {
    const id = parseIdCard(q);
    return { kind: "id_number", value: id.ok ? id.info.id : q.toUpperCase() };
  }
  if (/^[a-zA-Z]{1,10}$/.test(q)) return { kind: "initials", value: q.toLowerCase() };
  return { kind: "text", value: q.slice(0, 50) };
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
