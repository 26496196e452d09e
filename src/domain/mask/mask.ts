// The only masking rules of the product; presenters call these, nothing else formats personal data.

/** 320613199001011234 → 3206**********1234 */
export function maskIdCard(id: string): string {
  if (id.length < 8) return "*".repeat(id.length);
  return `${id.slice(0, 4)}${"*".repeat(id.length - 8)}${id.slice(-4)}`;
}

/** 13812345678 → 138****5678; a landline keeps its area code: 0513-85123456 → 0513-****3456. */
export function maskPhone(phone: string): string {
  const dash = phone.indexOf("-");
  if (dash > 0) return `${phone.slice(0, dash + 1)}${maskTail(phone.slice(dash + 1), 7)}`;
  if (phone.length >= 11) return `${phone.slice(0, 3)}${"*".repeat(phone.length - 7)}${phone.slice(-4)}`;
  return maskTail(phone, 8);
}

/**
 * All but the last four of a number at least `min` long, else all of it: a short or mistyped number (a
 * roster's "1380000", a landline's "0513-1234") kept 3 + 4 of its 7 digits visible — the whole number.
 */
const maskTail = (s: string, min: number) =>
  s.length < min ? "*".repeat(s.length) : `${"*".repeat(s.length - 4)}${s.slice(-4)}`;

/** reporter@example.org → r*******@example.org (the domain stays: it says which platform wrote). */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "*".repeat(Math.min(email.length, 8));
  return `${email[0]}${"*".repeat(Math.max(at - 1, 3))}${email.slice(at)}`;
}

export const PHONE_RE = /^1[3-9]\d{9}$/;

/** A mobile number (one that can receive a text message). */
export const isMobile = (phone: string) => PHONE_RE.test(phone);

/**
 * A phone as the product stores it: a mobile as 11 digits, a landline as area code, dash, number
 * ("0513-85123456"), a number abroad in E.164 ("+12025550143"). Accepts spaces, dashes, brackets and a
 * +86 / 0086 prefix (whose landlines drop the area code's 0: "+86 513 8512 3456"). Area codes 010 and 02x
 * have three digits, all others four. A number abroad is "+" or "00", a country code other than 86 and
 * 7 to 14 more digits (E.164 allows 15 in all).
 */
export function normalisePhone(raw: string): string | null {
  let p = raw.replace(/[\s\-().]/g, "");
  let international = false;
  if (p.startsWith("+86")) [p, international] = [p.slice(3), true];
  else if (p.startsWith("0086")) [p, international] = [p.slice(4), true];
  else if (/^(?:\+|00)/.test(p)) {
    const abroad = /^(?:\+|00)([1-9]\d{7,14})$/.exec(p);
    return abroad ? `+${abroad[1]}` : null;
  }
  if (PHONE_RE.test(p)) return p;
  if (international && /^[1-9]/.test(p)) p = `0${p}`;
  const m = /^(0(?:10|2\d)|0[3-9]\d\d)([2-9]\d{6,7})$/.exec(p);
  return m ? `${m[1]}-${m[2]}` : null;
}

/**
 * A contact number a third-party client sent (Open311's optional `phone`): normalised as above when it is
 * one, else kept as its digits when it has 5 to 15 of them (the spec's own example sends "111111111"; a
 * report is not refused over an optional contact field), else null (and the report is taken without it). Such a number is stored and masked like
 * any other, but never texted: see `isTextable`.
 */
export function normaliseContactPhone(raw: string): string | null {
  // An extension ("0513-85123456 转 8012", "020 7946 0018 ext. 12") is the switchboard's business: the
  // number before it is the one kept.
  const main = raw.replace(/\s*(?:转|分机|ext\.?|x|#)\s*\d{1,6}\s*$/i, "");
  if (main !== raw && /\d/.test(main)) return normaliseContactPhone(main);
  const p = normalisePhone(raw);
  if (p) return p;
  const digits = raw.replace(/[\s\-().]/g, "");
  return /^\+?\d{5,15}$/.test(digits) ? digits : null;
}

/** A number the outbox may send a receipt to: a mainland mobile or landline in the stored form. */
export const isTextable = (phone: string) => !phone.startsWith("+") && normalisePhone(phone) === phone;
