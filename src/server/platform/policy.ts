import { inScope } from "../../domain/org/scope.ts";
import type { Actor } from "../context.ts";
import { Forbidden } from "./errors.ts";
import { hasPermission, type Permission } from "./roles.ts";

/** Throws 403 unless the actor's role grants the permission. */
export function authorize(actor: Actor, permission: Permission): void {
  if (!hasPermission(actor.role, permission)) throw Forbidden("当前角色无此权限");
}

/** Throws 403 unless the record's org path lies within the actor's subtree. */
export function authorizeScope(actor: Actor, recordPath: string): void {
  if (!inScope(actor.orgPath, recordPath)) throw Forbidden("该记录不在您的管辖范围内");
}
