// 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (digits and capitals without
// I, O, S, V, Z). Position 1 is the registering authority, 2 the kind of body, 3–8 the administrative
// division (GB/T 2260), 9–17 the organisation's own code, and 18 a check character over the first 17:
// weights 3^(i) mod 31, check = 31 − (Σ value·weight mod 31), with 31 written as 0.

export const CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character for the first 17 characters (each from the alphabet). */
export function creditCheckChar(first17: string): string {
  if (first17.length !== 17) throw new Error("need 17 characters");
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CHARSET.indexOf(first17[i]);
    if (v < 0) throw new Error(`bad character ${first17[i]}`);
    sum += v * WEIGHTS[i];
  }
  const c = 31 - (sum % 31);
  return CREDIT_CHARSET[c === 31 ? 0 : c];
}

export type CreditCodeCheck =
  | { ok: true; code: string }
  | { ok: false; reason: "length" | "charset" | "check"; message: string; expected?: string };

/** Validates a code (spaces dropped, lower case raised); on a wrong check character names the one expected. */
export function checkCreditCode(raw: string): CreditCodeCheck {
  const code = raw.replace(/\s+/g, "").toUpperCase();
  if (code.length !== 18)
    return { ok: false, reason: "length", message: `统一社会信用代码应为 18 位，实为 ${code.length} 位` };
  for (let i = 0; i < 18; i++)
    if (!CREDIT_CHARSET.includes(code[i]))
      return {
        ok: false,
        reason: "charset",
        message: `统一社会信用代码第 ${i + 1} 位「${code[i]}」不是有效字符（不用 I、O、S、V、Z）`,
      };
  const expected = creditCheckChar(code.slice(0, 17));
  if (code[17] !== expected)
    return {
      ok: false,
      reason: "check",
      expected,
      message: `统一社会信用代码校验位（第 18 位）错误：按前 17 位应为「${expected}」，实为「${code[17]}」`,
    };
  return { ok: true, code };
}

/** A valid code from its first 17 characters (tests, seeds). */
export const composeCreditCode = (first17: string) => first17 + creditCheckChar(first17);
