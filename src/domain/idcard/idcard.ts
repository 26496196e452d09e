// GB 11643-1999 citizen ID numbers: 6-digit area code, 8-digit birth date, 3-digit sequence
// (odd = male, even = female) and an ISO 7064 MOD 11-2 check character.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = "10X98765432";

export type Gender = "male" | "female";

export interface IdCardInfo {
  id: string;
  areaCode: string;
  birthDate: string; // YYYY-MM-DD
  gender: Gender;
}

export type IdCardError = "format" | "birth_date" | "checksum";

export function checkChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

function validDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** Upgrades a 15-digit (pre-1999) number: century 19 is inserted and the check char appended. */
export function upgrade15(id15: string): string {
  const first17 = `${id15.slice(0, 6)}19${id15.slice(6, 15)}`;
  return first17 + checkChar(first17);
}

/**
 * Normalises (trim, upper-case x, 15→18) and validates an ID number.
 * `today` bounds the birth date so a future birthday is rejected.
 */
export function parseIdCard(
  raw: string,
  today: Date = new Date(),
): { ok: true; info: IdCardInfo } | { ok: false; error: IdCardError } {
  let id = raw.trim().toUpperCase();
  if (/^\d{15}$/.test(id)) id = upgrade15(id);
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, error: "format" };
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  if (y < 1880 || !validDate(y, m, d)) return { ok: false, error: "birth_date" };
  const birth = Date.UTC(y, m - 1, d);
  if (birth > today.getTime()) return { ok: false, error: "birth_date" };
  if (checkChar(id.slice(0, 17)) !== id[17]) return { ok: false, error: "checksum" };
  const seq = Number(id.slice(14, 17));
  return {
    ok: true,
    info: {
      id,
      areaCode: id.slice(0, 6),
      birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
      gender: seq % 2 === 1 ? "male" : "female",
    },
  };
}

/** Builds a valid 18-digit number; `seq` is 0..999 and must already carry the gender parity. */
export function composeIdCard(areaCode: string, birthDate: string, seq: number): string {
  const first17 = `${areaCode}${birthDate.replaceAll("-", "")}${String(seq).padStart(3, "0")}`;
  return first17 + checkChar(first17);
}

export const ID_ERROR_ZH: Record<IdCardError, string> = {
  format: "身份证号格式不正确（应为18位，或15位旧号）",
  birth_date: "身份证号中的出生日期无效",
  checksum: "身份证号校验位不正确",
};
