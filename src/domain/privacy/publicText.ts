import { SURNAME_PATTERN } from "../people/surnames.ts";

// What a stranger may read of a resident's request. Public surfaces (Open311, the status page, later wish
// walls and project lists) show the place at building level and the text with everything that could
// identify a person or a flat taken out: phone and ID numbers, flat and unit numbers, the names we know.

/** Digit runs that look like a phone, landline or ID number (7+ digits, spaces or dashes between). */
const LONG_NUMBER = /(?:\+?86[\s-]?)?\d(?:[\s-]?\d){6,}[\dXx]?/g;
/** Flat and unit numbers: 201室, 3单元, 2号房, 1-2-301, 12楼3号. */
const FLAT = [
  /\d+\s*(?:室|号房|户)/g,
  /\d+\s*单元/g,
  /\d+\s*(?:层|楼)\s*\d+\s*号?/g,
  /\d+(?:\s*-\s*\d+){1,2}(?!\d)/g,
];
/**
 * 张女士, 王先生, 欧阳阿姨: a known surname with a form of address. Only a surname is masked, so 独居老人,
 * 保安师傅 and 物业阿姨 stay as written.
 */
const FORMS = "女士|先生|小姐|阿姨|大爷|大妈|大娘|奶奶|爷爷|婆婆|阿婆|伯伯|老伯|大姐|大哥|老师|师傅";
const ADDRESSED = new RegExp(`(?:${SURNAME_PATTERN})(?=(?:${FORMS}))`, "g");

/** The text with numbers, flats and the given names masked. */
export function publicText(text: string, names: readonly (string | null | undefined)[] = []): string {
  let s = text.replace(LONG_NUMBER, "***");
  for (const re of FLAT) s = s.replace(re, "**");
  for (const n of names) {
    const name = n?.trim();
    if (name && name.length >= 2) s = s.split(name).join("**");
  }
  return s.replace(ADDRESSED, (surname) => "*".repeat(surname.length));
}

/**
 * An address cut to the building: "苏阳社区 12幢 1单元 201室" → "苏阳社区 12幢". Used when the building's own
 * address is not known; the building's address is preferred.
 */
export function buildingLevel(address: string | null | undefined): string | null {
  if (!address) return null;
  const cut = address.replace(/\s*\d+\s*单元.*$/, "").replace(/\s*\d+\s*(?:室|号房|户).*$/, "");
  return publicText(cut).trim() || null;
}
