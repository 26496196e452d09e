/**
 * Whether an error means the database cannot serve right now — unreachable or restarting, out of disk,
 * read-only (a standby, or a volume remounted read-only), out of connections — rather than a bug. Such a
 * request answers 503 with Retry-After (the caller tries again, with its Idempotency-Key), not 500.
 */
const UNAVAILABLE_SQLSTATES = /^(08|57P0[123]|53[0-9]{3}|25006|58030)/;
const UNAVAILABLE_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|read-only transaction/i;

export function databaseUnavailable(err: unknown): boolean {
  for (let e = err as any, depth = 0; e && depth < 4; e = e.cause, depth++) {
    if (typeof e.code === "string" && (UNAVAILABLE_SQLSTATES.test(e.code) || UNAVAILABLE_ERRNOS.has(e.code)))
      return true;
    if (typeof e.message === "string" && UNAVAILABLE_MESSAGES.test(e.message)) return true;
    if (Array.isArray(e.errors) && e.errors.some(databaseUnavailable)) return true;
  }
  return false;
}
