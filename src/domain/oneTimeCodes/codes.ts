// One-time codes sent to a phone (the resident app's sign-in, rating a practical project, a household's vote
// in a deliberation): how long a code lives, how often one may be asked for, and how many wrong guesses lock
// the phone out. The same rules for every purpose; only the code's life and its message differ.
import crypto from "node:crypto";

/** What a code is for. Each purpose keeps its own code per phone, its own counts and its own lock. */
export const CODE_PURPOSES = ["resident_sign_in", "project_rating", "deliberation_vote"] as const;
export type CodePurpose = (typeof CODE_PURPOSES)[number];

/** The resident app's sign-in code lives five minutes. */
export const CODE_TTL_MS = 5 * 60_000;
/** How long a code for each purpose lives (a rating or a vote is done on a public page, with more to read). */
export const PURPOSE_TTL_MS: Record<CodePurpose, number> = {
  resident_sign_in: CODE_TTL_MS,
  project_rating: 10 * 60_000,
  deliberation_vote: 10 * 60_000,
};
/** A verified phone's pass for a rating or a vote: good for half an hour of them. */
export const PASS_TTL_MS = 30 * 60_000;
/** Wrong guesses of one code before the phone is locked out. */
export const MAX_GUESSES = 5;
export const GUESS_LOCK_MS = 15 * 60_000;
/** A new code no sooner than this after the last one to the same phone. */
export const RESEND_GAP_MS = 60_000;
/** Codes per phone per hour, and per client address per hour. */
export const CODES_PER_PHONE_HOUR = 5;
export const CODES_PER_ADDRESS_HOUR = 20;

/** Six random digits (a CSPRNG, uniform over 000000–999999). */
export function newCode(): string {
  return String(crypto.randomInt(0, 1_000_000)).padStart(6, "0");
}

/** A mainland mobile number, digits only, or null. */
export function normaliseMobile(input: string): string | null {
  const digits = input.replace(/[\s-]/g, "").replace(/^\+?86/, "");
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/** What a guess meets: a live code and not yet too many wrong guesses. */
export function codeUsable(c: { expiresAt: Date; guesses: number }, now: Date): boolean {
  return c.expiresAt > now && c.guesses < MAX_GUESSES;
}

/** Equal strings in constant time (no early exit on the first different digit). */
export function sameCode(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
