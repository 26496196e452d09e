import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { Database } from "./client.ts";

const MIGRATION_LOCK = 0x67_6b_6d; // "gkm"

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** Applies the committed SQL migrations in order; already-applied ones are skipped by drizzle's journal. */
export async function migrate(database: Database): Promise<void> {
  const cfg = { migrationsFolder: MIGRATIONS_DIR };
  await database.exclusive(MIGRATION_LOCK, async () => {
    if (database.kind === "pglite") await migratePglite(database.db as any, cfg);
    else await migratePg(database.db as any, cfg);
  });
}
