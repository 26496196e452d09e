import { describe, expect, it } from "vitest";
import type { Actor } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { ROLES } from "../../platform/roles.ts";
import { residentPolicy } from "./policy.ts";

// The registry's rules as a table, without a database: which roles read, keep, reveal and export.

const account = (role: string): Actor => ({
  kind: "account",
  id: 1,
  username: role,
  displayName: role,
  role,
  orgUnitId: 1,
  orgPath: "/320613/320613019/",
  orgName: "秦灶街道",
  orgKind: "street",
});

const allowed = (rule: Parameters<typeof residentPolicy.can>[1]) =>
  ROLES.filter((r) => residentPolicy.can(account(r), rule)).sort();

describe("resident policy", () => {
  it("staff read the registry, a volunteer does not", () => {
    expect(allowed("read")).not.toContain("volunteer");
    expect(allowed("read")).toEqual(expect.arrayContaining(["agent", "commander", "doctor", "grid_worker"]));
    expect(allowed("stats")).toEqual(allowed("read"));
  });
  it("the community and the grid keep it; the command center and the hotline only read", () => {
    expect(allowed("write")).toEqual(["community_admin", "grid_head", "grid_worker", "sysadmin"]);
  });
  it("the big screen never reveals a number; a list leaves only with the unit heads", () => {
    expect(allowed("reveal")).not.toContain("commander");
    expect(allowed("reveal")).toContain("agent");
    expect(allowed("export")).toEqual(["commander", "community_admin", "grid_head", "sysadmin"]);
  });
  it("the system and an Open311 client are not registry users", () => {
    const sys = systemPrincipal("test", "系统");
    for (const rule of ["read", "write", "reveal", "export"] as const) {
      expect(residentPolicy.can(sys, rule)).toBe(false);
      expect(() => residentPolicy.authorize(sys, rule)).toThrow();
    }
  });
});
