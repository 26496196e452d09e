import type { Actor } from "../../context.ts";
import { permissionsOf, ROLE_LABELS, type Role } from "../../platform/roles.ts";

export function presentMe(actor: Actor, csrfToken: string) {
  return {
    id: actor.id,
    username: actor.username,
    displayName: actor.displayName,
    role: actor.role,
    roleLabel: ROLE_LABELS[actor.role as Role] ?? actor.role,
    org: { id: actor.orgUnitId, name: actor.orgName, kind: actor.orgKind, path: actor.orgPath },
    permissions: permissionsOf(actor.role),
    csrfToken,
  };
}

export const meSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    username: { type: "string" },
    displayName: { type: "string" },
    role: { type: "string" },
    roleLabel: { type: "string" },
    org: {
      type: "object",
      properties: {
        id: { type: "integer" },
        name: { type: "string" },
        kind: { type: "string" },
        path: { type: "string" },
      },
    },
    permissions: { type: "array", items: { type: "string" } },
    csrfToken: { type: "string" },
  },
} as const;
