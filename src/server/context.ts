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
  kind: "account";
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

/**
 * The system itself: the SLA sweep, the overdue-visit sweep, care raising an urgent order. It has no
 * account and no role a user could hold; the audit log and order timelines name it by `displayName`.
 */
export interface SystemPrincipal {
  kind: "system";
  /** Stable code for the audit log: "system:<name>". */
  name: string;
  displayName: string;
  /** The subtree it acts in ("/" = everywhere). */
  orgPath: string;
}

/** An Open311 client speaking with an api_key issued to one org unit. */
export interface ClientPrincipal {
  kind: "open311";
  keyId: number;
  name: string;
  displayName: string;
  orgUnitId: number;
  orgPath: string;
  orgName: string;
  orgKind: string;
  ip?: string;
}

/**
 * A resident signed in to the phone app with a one-time code: a session kind of its own (its own cookie and
 * table), bound to one registry entry. It holds no role, so no staff permission ever admits it; the resident
 * app's routes act for it on what it started.
 */
export interface ResidentPrincipal {
  kind: "resident";
  residentAccountId: number;
  residentId: number;
  displayName: string;
  /** The resident's own grid: where their reports and requests belong. */
  orgPath: string;
  ip?: string;
}

/** Whoever acts: an account, the system, an Open311 client, or a resident in the app. No invented accounts. */
export type Principal = Actor | SystemPrincipal | ClientPrincipal | ResidentPrincipal;
