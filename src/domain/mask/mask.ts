// The only masking rules of the product; presenters call these, nothing else formats personal data.

/** 320613199001011234 → 3206**********1234 */
export function maskIdCard(id: string): string {
  if (id.length < 8) return "*".repeat(id.length);
  return `${id.slice(0, 4)}${"*".repeat(id.length - 8)}${id.slice(-4)}`;
}

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string): string {
  if (phone.length < 7) return "*".repeat(phone.length);
  return `${phone.slice(0, 3)}${"*".repeat(phone.length - 7)}${phone.slice(-4)}`;
}

export const PHONE_RE = /^1[3-9]\d{9}$/;

/** Accepts "138 1234 5678", "+86 138-1234-5678"; returns 11 digits or null. */
export function normalisePhone(raw: string): string | null {
  let p = raw.replace(/[\s-]/g, "");
  if (p.startsWith("+86")) p = p.slice(3);
  else if (p.startsWith("0086")) p = p.slice(4);
  return PHONE_RE.test(p) ? p : null;
}
