import type { Principal } from "../../context.ts";
import { StrOrNull, Time, Type } from "../../platform/schemas.ts";
import { auditPolicy } from "./policy.ts";

// Audit entries as they leave the server: who, when, what, about which record, why; the before/after only
// where the reader may see them (auditPolicy.readDetails).

export interface AuditRow {
  id: number;
  at: Date;
  username: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  reason: string | null;
  before: unknown;
  after: unknown;
}

export const AuditEventSchema = Type.Object({
  id: Type.Integer(),
  at: Time,
  username: StrOrNull,
  action: Type.String(),
  entity: Type.String(),
  entityId: StrOrNull,
  reason: StrOrNull,
  /** The record before and after the change, as its module presented it; null when withheld. */
  before: Type.Unknown(),
  after: Type.Unknown(),
  /** True when the reader may not see this entry's details (health facts). */
  detailsWithheld: Type.Boolean(),
});

export const AuditListSchema = Type.Object({ items: Type.Array(AuditEventSchema) });

export function presentAuditEvent(who: Principal, e: AuditRow) {
  const details = auditPolicy.can(who, "readDetails", { entity: e.entity });
  return {
    id: e.id,
    at: e.at,
    username: e.username,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId,
    reason: e.reason,
    before: details ? e.before : null,
    after: details ? e.after : null,
    detailsWithheld: !details,
  };
}
