import type { Actor, AppContext } from "../context.ts";
import * as audit from "./audit.ts";
import { Invalid } from "./errors.ts";
import { Line, Type } from "./schemas.ts";

// Exports of people's rows (verification results, a roster's flagged rows) show ID numbers and phones masked
// unless the caller asks, may, and says why — and the audit log says which it was. One rule for every module.

/** The query fields of an export that can show numbers whole: `?reveal=true&reason=…`. */
export const RevealQuery = {
  reveal: Type.Optional(Type.Boolean()),
  reason: Type.Optional(Line({ maxLength: 200 })),
};

/**
 * Whether an export of people's rows shows ID numbers and phones whole: only when asked for, by a caller
 * the module's policy lets reveal (`mayReveal` throws 403 otherwise), with a reason stated (else 400).
 * Masked is the default. Used with `auditExport` by every export that can reveal.
 */
export function revealedExport(q: { reveal?: boolean; reason?: string }, mayReveal: () => void): boolean {
  if (!q.reveal) return false;
  mayReveal();
  if (!q.reason?.trim())
    throw Invalid("查看完整号码须填写事由", [{ field: "reason", message: "请填写事由" }]);
  return true;
}

/** The audit entry of an export: `reveal_export` with the reason when numbers left whole, else `export`. */
export async function auditExport(
  ctx: AppContext,
  actor: Actor,
  q: { reveal?: boolean; reason?: string },
  e: { entity: string; entityId: number; orgPath: string; after: Record<string, unknown> },
) {
  await audit.record(ctx.database.db, actor, {
    action: q.reveal ? "reveal_export" : "export",
    entity: e.entity,
    entityId: e.entityId,
    orgPath: e.orgPath,
    reason: q.reveal ? q.reason!.trim() : null,
    after: { ...e.after, masked: !q.reveal },
  });
}
