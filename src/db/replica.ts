import pg from "pg";
import type { Database } from "./client.ts";
import { writeContext } from "./writeContext.ts";

/**
 * A streaming replica for heavy reads (DATABASE_REPLICA_URL). The primary's Database is wrapped: a raw
 * read statement goes to the replica only when the request serving it was marked as a replica read
 * (platform/replica.ts: dashboards, rates, reports, Open311 lists — never a user's own queue, never
 * right after their write) and the replica is up and less than `maxLagMs` behind. Anything else — writes,
 * Drizzle's builder, statements outside a request, a replica that fails mid-statement — runs on the
 * primary. The replica is watched every `checkMs`: reachable, in recovery, and how far behind (WAL
 * position against the primary's; when behind, the age of its last replayed transaction).
 */

export interface ReplicaStatus {
  up: boolean;
  /** ms behind the primary (0 when it has replayed everything the primary wrote). */
  lagMs: number;
  healthy: boolean;
  /** Statements sent to the replica and statements that fell back to the primary. */
  queries: number;
  fallbacks: number;
}

export interface ReplicaOptions {
  maxLagMs?: number;
  checkMs?: number;
  max?: number;
}

const READ = /^\s*(select|with)\b/i;
const WRITES = /\b(insert|update|delete|merge|for\s+update|for\s+share|nextval|setval|pg_advisory)/i;

/** Whether a statement only reads (a CTE may write, and a row lock or a sequence is a write). */
export const readOnlyStatement = (text: string) => READ.test(text) && !WRITES.test(text);

function lsn(v: string | null): bigint | null {
  if (!v) return null;
  const [hi, lo] = v.split("/");
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

export function withReplica(primary: Database, replicaUrl: string, opts: ReplicaOptions = {}): Database {
  const maxLagMs = opts.maxLagMs ?? 5000;
  const replica = new pg.Pool({
    connectionString: replicaUrl,
    max: opts.max ?? 6,
    connectionTimeoutMillis: 2000,
    options: "-c jit=off",
  });
  replica.on("error", () => {});
  const status: ReplicaStatus = { up: false, lagMs: 0, healthy: false, queries: 0, fallbacks: 0 };

  const check = async () => {
    try {
      const [p] = await primary.query<{ lsn: string }>("select pg_current_wal_lsn()::text as lsn");
      const { rows } = await replica.query<{ lsn: string | null; recovery: boolean; age: number | null }>(
        `select pg_last_wal_replay_lsn()::text as lsn, pg_is_in_recovery() as recovery,
           (extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000)::float8 as age`,
      );
      const r = rows[0];
      const behind = (lsn(p.lsn) ?? 0n) - (lsn(r.lsn) ?? 0n);
      status.up = true;
      status.lagMs = behind > 0n ? Math.max(0, r.age ?? maxLagMs + 1) : 0;
      status.healthy = r.recovery && status.lagMs <= maxLagMs;
    } catch {
      status.up = false;
      status.healthy = false;
    }
  };
  let stopped = false;
  const loop = async () => {
    if (stopped) return;
    await check();
    setTimeout(loop, opts.checkMs ?? 1000).unref();
  };
  void loop();

  return {
    ...primary,
    async query(text, params, o) {
      if (status.healthy && writeContext.getStore()?.replica && readOnlyStatement(text)) {
        try {
          const r = await (o?.name
            ? replica.query({ name: o.name, text, values: params as any[] })
            : replica.query(text, params as any[]));
          status.queries++;
          return r.rows;
        } catch (e) {
          // A replica that failed under us: this statement and the next go to the primary until it is back.
          if (!(e as { code?: string }).code || /^(08|57P)/.test(String((e as { code?: string }).code))) {
            status.healthy = false;
            status.fallbacks++;
          } else throw e;
        }
      } else if (writeContext.getStore()?.replica && readOnlyStatement(text)) status.fallbacks++;
      return primary.query(text, params, o);
    },
    replicaStatus: () => ({ ...status }),
    async close() {
      stopped = true;
      await replica.end().catch(() => {});
      await primary.close();
    },
  };
}
