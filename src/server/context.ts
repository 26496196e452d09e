import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { FieldCrypto } from "./platform/crypto.ts";

/** What every service needs; built once at boot and passed explicitly (no globals). */
export interface AppContext {
  config: Config;
  database: Database;
  crypto: FieldCrypto;
  version: string;
}

/** The signed-in account as services see it. */
export interface Actor {
  id: number;
  username: string;
  displayName: string;
  role: string;
  orgUnitId: number;
  orgPath: string;
  orgName: string;
  orgKind: string;
  ip?: string;
}
