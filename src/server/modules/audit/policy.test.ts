import { describe, expect, it } from "vitest";
import type { Actor } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { ROLES } from "../../platform/roles.ts";
import { auditPolicy, HEALTH_ENTITIES } from "./policy.ts";

const account = (role: string): Actor => ({
  kind: "account",
  id: 1,
  username: role,
  displayName: role,
  role,
  orgUnitId: 1,
  orgPath: "/320613/",
  orgName: "崇川区",
  orgKind: "district",
});

describe("audit policy", () => {
  it("the command center, the community and a sysadmin read the log; the grid and the field do not", () => {
    expect(ROLES.filter((r) => auditPolicy.can(account(r), "read")).sort()).toEqual([
      "commander",
      "community_admin",
      "sysadmin",
    ]);
  });
  it("health entries' details only for readers of health data", () => {
    for (const entity of HEALTH_ENTITIES) {
      expect(auditPolicy.can(account("commander"), "readDetails", { entity })).toBe(false);
      expect(auditPolicy.can(account("community_admin"), "readDetails", { entity })).toBe(true);
    }
    expect(auditPolicy.can(account("commander"), "readDetails", { entity: "resident" })).toBe(true);
    expect(auditPolicy.can(account("grid_worker"), "readDetails", { entity: "resident" })).toBe(false);
    expect(auditPolicy.can(systemPrincipal("x", "系统"), "read")).toBe(false);
  });
});
