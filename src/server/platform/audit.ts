import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { auditEvents } from "../../db/schema/index.ts";
import type { Principal } from "../context.ts";

// The audit log (PIPL): every write and every reveal of masked data. `record` is the only writer of
// audit_events; set-based writers (intake's batch) take their columns from `auditColumns`.

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  orgPath?: string | null;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
}

/** How a principal is named in the log: the account's username, "system:<name>", "open311:<key name>". */
export function principalColumns(who: Principal | null) {
  if (!who) return { accountId: null, username: null, actorKind: null, ip: null };
  switch (who.kind) {
    case "account":
      return { accountId: who.id, username: who.username, actorKind: "account", ip: who.ip ?? null };
    case "system":
      return { accountId: null, username: `system:${who.name}`, actorKind: "system", ip: null };
    case "open311":
      return { accountId: null, username: `open311:${who.name}`, actorKind: "open311", ip: who.ip ?? null };
    case "resident":
      return {
        accountId: null,
        username: `resident:${who.residentAccountId}`,
        actorKind: "resident",
        ip: who.ip ?? null,
      };
  }
}

/** Writes one audit event; pass the transaction so the event commits or rolls back with the change. */
export async function record(db: Db, who: Principal | null, e: AuditEntry): Promise<void> {
  await db.insert(auditEvents).values({
    ...principalColumns(who),
    action: e.action,
    entity: e.entity,
    entityId: e.entityId == null ? null : String(e.entityId),
    orgPath: e.orgPath ?? null,
    reason: e.reason ?? null,
    before: (e.before ?? null) as any,
    after: (e.after ?? null) as any,
  });
}

/**
 * For set-based writers that insert many audit rows in one statement: the column list, and an
 * `insert … select` over a relation that yields them in this order.
 */
export const AUDIT_COLUMNS =
  "account_id, username, actor_kind, action, entity, entity_id, org_path, reason, before, after, ip";
export const insertAuditSelect = (select: string) => `insert into audit_events (${AUDIT_COLUMNS}) ${select}`;
/** The same for a drizzle `sql` select with bound parameters. */
export const insertAuditSelectSql = (select: SQL): SQL =>
  sql`insert into audit_events (${sql.raw(AUDIT_COLUMNS)}) ${select}`;
