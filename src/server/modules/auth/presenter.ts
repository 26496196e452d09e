import { ORG_KINDS, type OrgKind } from "../../../domain/org/scope.ts";
import type { Actor } from "../../context.ts";
import { permissionsOf, ROLE_LABELS, type Role } from "../../platform/roles.ts";
import { OneOf, type Static, Str, Strs, Type } from "../../platform/schemas.ts";

// The signed-in account as the web sees it: who, which unit (its path lets the web place itself in the
// tree), what the role may do, and the CSRF token for writes. Never the password hash or session id.

export const MeSchema = Type.Object({
  id: Type.Integer(),
  username: Str,
  displayName: Str,
  role: Str,
  roleLabel: Str,
  org: Type.Object({ id: Type.Integer(), name: Str, kind: OneOf(ORG_KINDS), path: Str }),
  permissions: Strs,
  csrfToken: Str,
});
export type Me = Static<typeof MeSchema>;
/** The old name, for anything that still imports it. */
export const meSchema = MeSchema;

export const LoginBodySchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export function presentMe(actor: Actor, csrfToken: string): Me {
  return {
    id: actor.id,
    username: actor.username,
    displayName: actor.displayName,
    role: actor.role,
    roleLabel: ROLE_LABELS[actor.role as Role] ?? actor.role,
    org: { id: actor.orgUnitId, name: actor.orgName, kind: actor.orgKind as OrgKind, path: actor.orgPath },
    permissions: permissionsOf(actor.role),
    csrfToken,
  };
}
