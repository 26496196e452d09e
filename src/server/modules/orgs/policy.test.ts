import { describe, expect, it } from "vitest";
import type { Actor } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { ROLES } from "../../platform/roles.ts";
import { orgPolicy } from "./policy.ts";

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

describe("org policy", () => {
  it("staff and the volunteer walk the tree of their own subtree; a resident account does not", () => {
    const walkers = ROLES.filter((r) => orgPolicy.can(account(r), "read"));
    expect(walkers).toEqual(expect.arrayContaining(["volunteer", "grid_worker", "commander", "agent"]));
    expect(walkers).not.toContain("resident");
  });
  it("the system and an Open311 client do not browse it", () => {
    expect(orgPolicy.can(systemPrincipal("x", "系统"), "read")).toBe(false);
  });
});
