import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { PgDatabase } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import * as schema from "./schema/index.ts";

export type Db = PgDatabase<any, typeof schema>;
export type DbKind = "pglite" | "postgres";

export interface Database {
  kind: DbKind;
  db: Db;
  /** Raw parameterised SQL for the few places Drizzle's builder does not fit (bulk, reports). */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** COPY rows (already CSV-encoded lines) into a table; the fast path for seeds and imports. */
  copyCsv(table: string, columns: string[], csv: string): Promise<void>;
  close(): Promise<void>;
}

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v))
    return csvField(`{${v.map((x) => `"${String(x).replaceAll('"', '\\"')}"`).join(",")}}`);
  const s = String(v);
  return /[",\n\r]/.test(s) || s === "" ? `"${s.replaceAll('"', '""')}"` : s;
}

export async function openPglite(dataDir: string | undefined): Promise<Database> {
  const client = await PGlite.create(dataDir ? { dataDir } : {});
  const db = drizzlePglite({ client, schema, casing: "snake_case" }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    async query(text, params) {
      const r = await client.query(text, params as any[]);
      return r.rows as any[];
    },
    async copyCsv(table, columns, csv) {
      await client.query(`COPY ${table} (${columns.join(",")}) FROM '/dev/blob' WITH (FORMAT csv)`, [], {
        blob: new Blob([csv]),
      });
    },
    close: () => client.close(),
  };
}

export async function openPostgres(url: string, max = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
  // Fail fast with a clear message when the server is unreachable.
  const c = await pool.connect().catch(async (e: Error) => {
    await pool.end().catch(() => {});
    throw new Error(`无法连接 DATABASE_URL 指向的 PostgreSQL: ${e.message}`);
  });
  c.release();
  const db = drizzlePg({ client: pool, schema, casing: "snake_case" }) as unknown as Db;
  return {
    kind: "postgres",
    db,
    async query(text, params) {
      const r = await pool.query(text, params as any[]);
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
    close: () => pool.end(),
  };
}
