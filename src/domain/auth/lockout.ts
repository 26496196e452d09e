// Login backoff: the first few failures are free, then each further failure locks for twice as long as
// the last (1, 2, 4 … minutes, capped at an hour). A success resets the count.

export const FREE_FAILURES = 5;
const MAX_LOCK_MS = 60 * 60_000;

export function lockDurationMs(failedLogins: number, free = FREE_FAILURES): number {
  if (failedLogins < free) return 0;
  return Math.min(MAX_LOCK_MS, 60_000 * 2 ** (failedLogins - free));
}

/**
 * What login failures are counted against, each with its own backoff. Counting one account from one
 * address locks the one who guesses without locking the account's owner out from elsewhere; counting one
 * address catches a spray over many usernames; counting one account from every address catches guessing
 * spread over many addresses, late enough that locking a person out takes many addresses. Names that exist
 * and names that do not are counted alike, so the answers never tell them apart.
 */
export const LOGIN_LIMITS = {
  accountAddress: { free: FREE_FAILURES },
  address: { free: 20 },
  account: { free: 50 },
} as const;
export type LoginLimit = keyof typeof LOGIN_LIMITS;

/** A day without failures forgets them (a name nobody owns never logs in to reset its count). */
export const LOGIN_WINDOW_MS = 24 * 3600_000;
