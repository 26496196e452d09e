import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { openDatabase } from "../db/open.ts";
import { VERSION } from "../version.ts";
import type { AppContext } from "./context.ts";
import { sealKeptRosters } from "./modules/residents/index.ts";
import { sealKeptLists } from "./modules/verification/index.ts";
import { seedCategories } from "./modules/workOrders/index.ts";
import { FieldCrypto, loadSecret } from "./platform/crypto.ts";

const SEED_LOCK = 0x67_6b_73; // "gks"
const SEAL_LOCK = 0x67_6b_75; // "gku"

export async function createContext(config: Config, database?: Database): Promise<AppContext> {
  const db = database ?? (await openDatabase(config));
  // Several processes may start at once on one database: one seeds, the others then find it seeded.
  await db.exclusive(SEED_LOCK, () => seedCategories(db));
  const ctx: AppContext = {
    config,
    database: db,
    crypto: new FieldCrypto(loadSecret(config.secret, config.dataDir)),
    version: VERSION,
  };
  // Uploads kept before they were sealed at rest (platform/uploads.ts) are sealed once, by the first process
  // to start; those uploaded since are sealed as they arrive.
  await db.exclusive(SEAL_LOCK, async () => {
    await sealKeptLists(ctx);
    await sealKeptRosters(ctx);
  });
  return ctx;
}
