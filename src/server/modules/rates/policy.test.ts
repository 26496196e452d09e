import { describe, expect, it } from "vitest";
import type { Actor } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { ROLES } from "../../platform/roles.ts";
import { ratesPolicy } from "./policy.ts";

// The rates rules without a database: who reads the league tables, and that the weights are the district's.

const account = (role: string, orgKind: string): Actor => ({
  kind: "account",
  id: 1,
  username: role,
  displayName: role,
  role,
  orgUnitId: 1,
  orgPath: orgKind === "district" ? "/320613/" : "/320613/320613019/",
  orgName: orgKind,
  orgKind,
});

describe("rates policy", () => {
  it("unit heads and the command center read rates; a grid worker, doctor or volunteer does not", () => {
    const readers = ROLES.filter((r) => ratesPolicy.can(account(r, "street"), "read")).sort();
    expect(readers).toEqual(["commander", "community_admin", "grid_head", "sysadmin"]);
    for (const r of ROLES)
      expect(ratesPolicy.can(account(r, "street"), "readWeights")).toBe(readers.includes(r));
  });
  it("only the district (or a sysadmin) changes the weights; a street commander reads them", () => {
    expect(ratesPolicy.can(account("commander", "district"), "manageWeights")).toBe(true);
    expect(ratesPolicy.can(account("commander", "street"), "manageWeights")).toBe(false);
    expect(ratesPolicy.can(account("sysadmin", "street"), "manageWeights")).toBe(true);
    expect(ratesPolicy.can(account("community_admin", "district"), "manageWeights")).toBe(false);
    expect(() => ratesPolicy.authorize(account("commander", "street"), "manageWeights")).toThrow(/区级/);
  });
  it("the system changes no weights", () => {
    expect(ratesPolicy.can(systemPrincipal("sweep", "系统"), "manageWeights")).toBe(false);
  });
});
