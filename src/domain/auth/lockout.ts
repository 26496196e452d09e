// Login backoff: the first few failures are free, then each further failure locks the account for
// twice as long as the last (1, 2, 4 … minutes, capped at an hour). A success resets the count.

export const FREE_FAILURES = 5;
const MAX_LOCK_MS = 60 * 60_000;

export function lockDurationMs(failedLogins: number): number {
  if (failedLogins < FREE_FAILURES) return 0;
  return Math.min(MAX_LOCK_MS, 60_000 * 2 ** (failedLogins - FREE_FAILURES));
}
