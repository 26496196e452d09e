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
  return unavailableCause(err) !== undefined;
}

/** What an operator must fix, by name: the 503's message says it, and /api/health reports it. */
export type UnavailableCause = "disk_full" | "read_only" | "overloaded" | "unreachable";

export const CAUSE_MESSAGES: Record<UnavailableCause, string> = {
  disk_full: "数据库磁盘空间已满，暂时无法保存，请稍后重试（已通知管理员清理空间）",
  read_only: "数据库当前为只读状态，暂时无法保存，请稍后重试",
  overloaded: "数据库资源不足（连接或内存已满），请稍后重试",
  unreachable: "数据库暂时不可用，请稍后重试",
};

/**
 * Why the database cannot serve, or undefined for any other error (a bug stays a 500). Disk full is
 * SQLSTATE 53100 from PostgreSQL and PGlite alike ("could not extend file …: No space left on device"),
 * or a bare ENOSPC from a file written beside the database; read-only is 25006 or the volume's EROFS
 * (58030 io_error carries the message).
 */
export function unavailableCause(err: unknown): UnavailableCause | undefined {
  for (let e = err as any, depth = 0; e && depth < 4; e = e.cause, depth++) {
    const code = typeof e.code === "string" ? e.code : "";
    const message = typeof e.message === "string" ? e.message : "";
    if (code === "53100" || code === "ENOSPC" || /No space left on device/i.test(message)) return "disk_full";
    if (code === "25006" || code === "EROFS" || /read-only (transaction|file system)/i.test(message))
      return "read_only";
    if (/^53/.test(code)) return "overloaded";
    if (
      UNAVAILABLE_SQLSTATES.test(code) ||
      UNAVAILABLE_ERRNOS.has(code) ||
      UNAVAILABLE_MESSAGES.test(message)
    )
      return "unreachable";
    if (Array.isArray(e.errors))
      for (const inner of e.errors) {
        const c = unavailableCause(inner);
        if (c) return c;
      }
  }
  return undefined;
}

/**
 * A write refused for lack of disk or by a read-only database leaves reads working, so `select 1` alone
 * would call the database healthy while every save fails. An app remembers the last such refusal for a
 * minute, or until a write succeeds, and /api/health reports it.
 */
export class WriteTrouble {
  private last: { cause: UnavailableCause; at: number } | undefined;
  constructor(private readonly forgetMs = 60_000) {}

  refused(cause: UnavailableCause, now = Date.now()): void {
    if (cause === "disk_full" || cause === "read_only") this.last = { cause, at: now };
  }

  succeeded(): void {
    this.last = undefined;
  }

  /** The refusal seen in the last minute with no successful write since, if any. */
  current(now = Date.now()): UnavailableCause | undefined {
    if (this.last && now - this.last.at > this.forgetMs) this.last = undefined;
    return this.last?.cause;
  }
}
