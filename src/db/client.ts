import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { PgDatabase } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import * as schema from "./schema/index.ts";
import { nameFailure } from "./statement.ts";
import { markingCommits, noteQueryTime } from "./writeContext.ts";

export type Db = PgDatabase<any, typeof schema>;
export type DbKind = "pglite" | "postgres";

export interface Database {
  kind: DbKind;
  db: Db;
  /**
   * Raw parameterised SQL for the few places Drizzle's builder does not fit (bulk, reports). A `name`
   * prepares the statement once per server connection (hot paths whose planning costs more than running).
   */
  query<T = Record<string, unknown>>(
    text: string,
    params?: unknown[],
    opts?: { name?: string },
  ): Promise<T[]>;
  /** COPY rows (already CSV-encoded lines) into a table; the fast path for seeds and imports. */
  copyCsv(table: string, columns: string[], csv: string): Promise<void>;
  /**
   * Runs fn while holding a cluster-wide advisory lock, so several server processes sharing one
   * PostgreSQL never run it at once (migrations at boot). PGlite has one process: no lock needed.
   */
  exclusive<T>(key: number, fn: () => Promise<T>): Promise<T>;
  /**
   * Calls `onPayload` for each NOTIFY on `channel` (from any process on the same database); resolves to the
   * function that stops listening. On a server, one connection is kept for it and re-opened if it drops.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Connections of the pool (PostgreSQL): open, idle, and requests waiting for one. */
  poolStats?(): { total: number; idle: number; waiting: number };
  /** With a read replica (db/replica.ts): whether it is up, how far behind, statements sent and fallen back. */
  replicaStatus?(): { up: boolean; lagMs: number; healthy: boolean; queries: number; fallbacks: number };
  close(): Promise<void>;
}

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v))
    return csvField(`{${v.map((x) => `"${String(x).replaceAll('"', '\\"')}"`).join(",")}}`);
  const s = String(v);
  return /[",\n\r]/.test(s) || s === "" ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * COPY csv rows into a table inside a transaction `tx` opened by `db.transaction` (either kind): the rows
 * commit or roll back with the rest of it. PostgreSQL streams them on the transaction's own connection,
 * PGlite reads them from a blob. COPY has no ON CONFLICT: a duplicate key fails the statement (and the
 * transaction) with 23505. The csv as text or as its UTF-8 bytes (a large import builds bytes: no one big string).
 */
export async function copyCsvIn(
  tx: Db,
  table: string,
  columns: string[],
  csv: string | Buffer,
): Promise<void> {
  const client = (tx as any).session?.client;
  if (!client) throw new Error("copyCsvIn: not a transaction of this client");
  const text = `COPY ${table} (${columns.join(",")})`;
  if (client instanceof pg.Client) {
    await pipeline(Readable.from([csv]), client.query(copyFrom(`${text} FROM STDIN WITH (FORMAT csv)`)));
    return;
  }
  // Node's Blob takes any Buffer; TypeScript's BlobPart wants one whose memory cannot be shared.
  await client.query(`${text} FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv as BlobPart]) });
}

export async function openPglite(dataDir: string | undefined): Promise<Database> {
  return pgliteDatabase(await PGlite.create(dataDir ? { dataDir } : {}));
}

/** A Database over an open PGlite (the tests open theirs from a dumped data directory). */
export function pgliteDatabase(client: PGlite): Database {
  const db = markingCommits(drizzlePglite({ client, schema, casing: "snake_case" }) as unknown as Db);
  return {
    kind: "pglite",
    db,
    async query(text, params, opts) {
      const t0 = performance.now();
      const r = await client.query(text, params as any[]).catch(nameFailure(text, opts?.name));
      noteQueryTime(text, performance.now() - t0, opts?.name);
      return r.rows as any[];
    },
    async copyCsv(table, columns, csv) {
      await client.query(`COPY ${table} (${columns.join(",")}) FROM '/dev/blob' WITH (FORMAT csv)`, [], {
        blob: new Blob([csv]),
      });
    },
    exclusive: (_key, fn) => fn(),
    listen: (channel, onPayload) => client.listen(channel, onPayload),
    close: () => client.close(),
  };
}

export async function openPostgres(url: string, max = 10): Promise<Database> {
  // JIT compiles each plan anew and costs 40–110 ms on the rate queries while saving nothing there.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5000,
    options: "-c jit=off",
  });
  // An idle connection dropped by the server (restart, failover) must not crash the process;
  // the pool discards it and the next checkout opens a new one.
  pool.on("error", () => {});
  // A connection checked out for a transaction has no pool listener: terminated under it (a failover, or
  // pg_terminate_backend) it emitted an unhandled 'error' that took the whole process down. The running
  // statement still fails and the pool drops the broken connection on release; the process stays up.
  pool.on("connect", (client) => client.on("error", () => {}));
  // Fail fast with a clear message when the server is unreachable.
  const c = await pool.connect().catch(async (e: Error) => {
    await pool.end().catch(() => {});
    throw new Error(`无法连接 DATABASE_URL 指向的 PostgreSQL: ${e.message}`);
  });
  c.release();
  const db = markingCommits(drizzlePg({ client: pool, schema, casing: "snake_case" }) as unknown as Db);
  return {
    kind: "postgres",
    db,
    async query(text, params, opts) {
      const t0 = performance.now();
      const r = await (opts?.name
        ? pool.query({ name: opts.name, text, values: params as any[] })
        : pool.query(text, params as any[])
      ).catch(nameFailure(text, opts?.name));
      noteQueryTime(text, performance.now() - t0, opts?.name);
      return r.rows;
    },
    async copyCsv(table, columns, csv) {
      const conn = await pool.connect();
      try {
        const stream = conn.query(
          copyFrom(`COPY ${table} (${columns.join(",")}) FROM STDIN WITH (FORMAT csv)`),
        );
        await pipeline(Readable.from([csv]), stream);
      } finally {
        conn.release();
      }
    },
    async exclusive(key, fn) {
      const conn = await pool.connect();
      try {
        await conn.query("select pg_advisory_lock($1)", [key]);
        return await fn();
      } finally {
        await conn.query("select pg_advisory_unlock($1)", [key]).catch(() => {});
        conn.release();
      }
    },
    listen: (channel, onPayload) => listenOn(pool, channel, onPayload),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

/** LISTEN on a connection of its own, opened again a second after it drops (a restarted server, say). */
async function listenOn(pool: pg.Pool, channel: string, onPayload: (payload: string) => void) {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  let stopped = false;
  let conn: pg.PoolClient | undefined;
  const releasers = new WeakMap<pg.PoolClient, (destroy: boolean) => void>();
  const open = async (): Promise<void> => {
    if (stopped) return;
    try {
      const c = await pool.connect();
      conn = c;
      // A client is released once: an error after the listener stopped (the database dropped at teardown,
      // say) or a second error on the same broken client must not release it again — pg throws then.
      let released = false;
      const release = (destroy: boolean) => {
        if (released) return;
        released = true;
        c.release(destroy);
      };
      c.on("notification", (m) => {
        if (m.channel === channel) onPayload(m.payload ?? "");
      });
      c.on("error", () => {
        const wasCurrent = conn === c;
        if (wasCurrent) conn = undefined;
        release(true);
        if (wasCurrent && !stopped) setTimeout(open, 1000).unref();
      });
      releasers.set(c, release);
      await c.query(`LISTEN ${channel}`);
    } catch {
      setTimeout(open, 1000).unref();
    }
  };
  await open();
  return async () => {
    stopped = true;
    const c = conn;
    conn = undefined;
    if (c) {
      await c.query(`UNLISTEN ${channel}`).catch(() => {});
      releasers.get(c)?.(false);
    }
  };
}
