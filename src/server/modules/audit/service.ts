import type { AppContext, Principal } from "../../context.ts";
import { scopeWhere } from "../../platform/access.ts";
import { auditPolicy } from "./policy.ts";
import { type AuditRow, presentAuditEvent } from "./presenter.ts";

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  action?: string;
  limit: number;
}

/** The newest entries in the reader's subtree, newest first. Entries without a place are the system's own. */
export async function listAudit(ctx: AppContext, who: Principal, f: AuditFilter) {
  auditPolicy.authorize(who, "read");
  const params: unknown[] = [];
  const conds = [scopeWhere(who, "org_path", params)];
  if (f.entity) conds.push(`entity = $${params.push(f.entity)}`);
  if (f.action) conds.push(`action = $${params.push(f.action)}`);
  if (f.entityId) conds.push(`entity_id = $${params.push(f.entityId)}`);
  const rows = await ctx.database.query<AuditRow>(
    `select id, at, username, action, entity, entity_id as "entityId", reason, before, after from audit_events
     where ${conds.join(" and ")} order by id desc limit ${f.limit}`,
    params,
  );
  return { items: rows.map((r) => presentAuditEvent(who, r)) };
}
