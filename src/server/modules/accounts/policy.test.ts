import { describe, expect, it } from "vitest";
import type { Actor } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { authPolicy, maySignIn } from "../auth/index.ts";
import { accountPolicy } from "./policy.ts";

// The account and sign-in rules without a database.

const account = (role: string, orgPath = "/320613/320613019/"): Actor => ({
  kind: "account",
  id: 1,
  username: role,
  displayName: role,
  role,
  orgUnitId: 1,
  orgPath,
  orgName: "秦灶街道",
  orgKind: "street",
});
const grid = "/320613/320613019/320613019010/320613019010-G01/";

describe("account policy", () => {
  it("the system makes any account anywhere", () => {
    expect(
      accountPolicy.can(systemPrincipal("cli", "系统"), "create", { role: "sysadmin", orgPath: grid }),
    ).toBe(true);
  });
  it("a sysadmin only inside their subtree; other roles never", () => {
    expect(accountPolicy.can(account("sysadmin"), "create", { role: "grid_worker", orgPath: grid })).toBe(
      true,
    );
    expect(
      accountPolicy.can(account("sysadmin"), "create", {
        role: "grid_worker",
        orgPath: "/320613/320613001/",
      }),
    ).toBe(false);
    for (const role of ["commander", "community_admin", "grid_head", "agent", "volunteer"])
      expect(accountPolicy.can(account(role), "create", { role: "grid_worker", orgPath: grid })).toBe(false);
  });
  it("an Open311 client makes no accounts", () => {
    const client = {
      kind: "open311" as const,
      keyId: 1,
      name: "k",
      displayName: "k",
      orgUnitId: 1,
      orgPath: "/",
      orgName: "x",
      orgKind: "district",
    };
    expect(accountPolicy.can(client, "create", { role: "grid_worker", orgPath: grid })).toBe(false);
  });
});

describe("sign-in rules", () => {
  it("a disabled or missing account does not sign in", () => {
    expect(maySignIn({ disabled: false })).toBe(true);
    expect(maySignIn({ disabled: true })).toBe(false);
    expect(maySignIn(undefined)).toBe(false);
  });
  it("only an account holds a session", () => {
    expect(authPolicy.can(account("grid_worker"), "session")).toBe(true);
    expect(authPolicy.can(systemPrincipal("sweep", "系统"), "session")).toBe(false);
  });
});
