import type { Principal } from "../../context.ts";
import { canSee } from "../../platform/access.ts";
import { definePolicy, permits } from "../../platform/policy.ts";

// Who may make an account. Today the command line and the demo loader do (as the system); when account
// management gets a page, a sysadmin does, within the subtree they answer for.

/** What the rule reads of the account to be made. */
export interface NewAccountFacts {
  role: string;
  /** The org path of the unit the account will belong to. */
  orgPath: string;
}

export const accountPolicy = definePolicy<{ create: NewAccountFacts }>(
  {
    /**
     * The system (CLI, demo loader) anywhere; an account with account.manage only inside its own subtree;
     * and nobody hands out sysadmin but a sysadmin.
     */
    create: (who: Principal, a: NewAccountFacts) =>
      who.kind === "system" ||
      (permits(who, "account.manage") &&
        canSee(who, a.orgPath) &&
        (a.role !== "sysadmin" || who.role === "sysadmin")),
  },
  { create: "当前账号不能在该单位创建此角色的账号" },
);
