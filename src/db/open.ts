import path from "node:path";
import type { Config } from "../config.ts";
import { type Database, openPglite, openPostgres } from "./client.ts";
import { lockDataDir } from "./lock.ts";
import { migrate } from "./migrate.ts";
import { withReplica } from "./replica.ts";

/** Opens the configured database (PostgreSQL when DATABASE_URL is set, else PGlite in the data folder) and migrates. */
export async function openDatabase(config: Config, opts: { migrate?: boolean } = {}): Promise<Database> {
  let database: Database;
  if (config.databaseUrl) {
    database = await openPostgres(config.databaseUrl);
    if (config.databaseReplicaUrl)
      database = withReplica(database, config.databaseReplicaUrl, { maxLagMs: config.replicaMaxLagMs });
  } else {
    const release = lockDataDir(config.dataDir);
    try {
      const pgl = await openPglite(path.join(config.dataDir, "pglite"));
      const close = pgl.close;
      database = {
        ...pgl,
        close: async () => {
          await close();
          release();
        },
      };
    } catch (e) {
      release();
      throw e;
    }
  }
  if (opts.migrate !== false) await migrate(database);
  return database;
}
