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
/** 张女士, 王先生, 李阿姨: a surname with a form of address. */
const ADDRESSED = /[\u4e00-\u9fa5](?=(?:女士|先生|阿姨|大爷|大妈|奶奶|爷爷|老师|师傅|老人))/g;

/** The text with numbers, flats and the given names masked. */
export function publicText(text: string, names: readonly (string | null | undefined)[] = []): string {
  let s = text.replace(LONG_NUMBER, "***");
  for (const re of FLAT) s = s.replace(re, "**");
  for (const n of names) {
    const name = n?.trim();
    if (name && name.length >= 2) s = s.split(name).join("**");
  }
  return s.replace(ADDRESSED, "*");
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
