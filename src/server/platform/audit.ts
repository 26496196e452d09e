import type { Db } from "../../db/client.ts";
import { auditEvents } from "../../db/schema/index.ts";
import type { Actor } from "../context.ts";

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  orgPath?: string | null;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Writes one audit event; pass the transaction so the event commits or rolls back with the change. */
export async function audit(db: Db, actor: Actor | null, e: AuditEntry): Promise<void> {
  await db.insert(auditEvents).values({
    accountId: actor?.id ?? null,
    username: actor?.username ?? null,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId == null ? null : String(e.entityId),
    orgPath: e.orgPath ?? null,
    reason: e.reason ?? null,
    before: (e.before ?? null) as any,
    after: (e.after ?? null) as any,
    ip: actor?.ip ?? null,
  });
}
