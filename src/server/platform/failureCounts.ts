import type { Database } from "../../db/client.ts";
import type { AppContext } from "../context.ts";

/**
 * Failed attempts (logins, guesses of an order's phone digits) counted per key in the database, so that
 * every server process counts the same failures and a restart forgets none. A key names what is limited:
 * an account, a client address, an order number. It is stored as a keyed hash, so the table holds no
 * username, address or number in clear.
 */

export const failureKey = (ctx: AppContext, scope: string, ...parts: string[]) =>
  `${scope}:${ctx.crypto.hash(parts.join("\u0000"))}`;

/** Seconds until the last of these keys' locks ends; 0 when none is locked. */
export async function lockedFor(database: Database, keys: string[], now: Date): Promise<number> {
  const [row] = await database.query<{ until: Date | null }>(
    "select max(locked_until) as until from failure_counts where key = any($1::text[]) and locked_until > $2",
    [keys, now],
  );
  return row?.until ? Math.max(1, Math.ceil((new Date(row.until).getTime() - now.getTime()) / 1000)) : 0;
}

/**
 * Counts one failure on each key and returns each key's count in its window. A window starts at a key's
 * first failure and lasts windowMs; a failure after it starts a new one (and ends an old lock). One
 * statement, so failures arriving at once are all counted.
 */
export async function countFailure(
  database: Database,
  keys: { key: string; windowMs: number }[],
  now: Date,
): Promise<Map<string, { failures: number; expiresAt: Date }>> {
  const rows = await database.query<{ key: string; failures: number; expiresAt: Date }>(
    `insert into failure_counts as f (key, failures, expires_at, created_at, updated_at)
     select k, 1, $3::timestamptz + make_interval(secs => w / 1000.0), $3, $3
     from unnest($1::text[], $2::int[]) as u(k, w)
     on conflict (key) do update set
       failures = case when f.expires_at <= $3 then 1 else f.failures + 1 end,
       locked_until = case when f.expires_at <= $3 then null else f.locked_until end,
       expires_at = case when f.expires_at <= $3 then excluded.expires_at else f.expires_at end,
       updated_at = $3
     returning key, failures, expires_at as "expiresAt"`,
    [keys.map((k) => k.key), keys.map((k) => k.windowMs), now],
    { name: "failure_counts_count" },
  );
  return new Map(rows.map((r) => [r.key, { failures: r.failures, expiresAt: new Date(r.expiresAt) }]));
}

/** Locks keys until the given times (a later lock already in place stays). */
export async function lockKeys(database: Database, locks: { key: string; until: Date }[]): Promise<void> {
  if (locks.length === 0) return;
  await database.query(
    `update failure_counts f set locked_until = greatest(f.locked_until, u.until), updated_at = now()
     from unnest($1::text[], $2::timestamptz[]) as u(key, until) where f.key = u.key`,
    [locks.map((l) => l.key), locks.map((l) => l.until)],
  );
}

/** Forgets the failures of these keys (a successful login). */
export async function clearFailures(database: Database, keys: string[]): Promise<void> {
  await database.query("delete from failure_counts where key = any($1::text[])", [keys]);
}

/** Drops counts whose window and lock are both over (run by the background jobs). */
export async function pruneFailures(database: Database, now = new Date()): Promise<number> {
  const rows = await database.query(
    "delete from failure_counts where expires_at < $1 and (locked_until is null or locked_until < $1) returning 1",
    [now],
  );
  return rows.length;
}
