import type { Principal } from "../../context.ts";
import { canSee } from "../../platform/access.ts";
import { definePolicy, permits } from "../../platform/policy.ts";

// Who may make an account, and who may set or read a staff account's work phone. Today the command line
// and the demo loader make accounts (as the system); when account management gets a page, a sysadmin does,
// within the subtree they answer for.

/** What the rule reads of the account to be made. */
export interface NewAccountFacts {
  role: string;
  /** The org path of the unit the account will belong to. */
  orgPath: string;
}

/** What the phone rules read of an existing account. */
export interface AccountFacts {
  /** The org path of the account's unit. */
  orgPath: string;
}

/** The account's unit lies on the caller's own path above them (the street's doctors, a grid's community). */
const above = (who: Principal, a: AccountFacts) =>
  who.kind === "account" && who.orgPath !== a.orgPath && who.orgPath.startsWith(a.orgPath);

export const accountPolicy = definePolicy<{
  create: NewAccountFacts;
  setWorkPhone: AccountFacts;
  revealWorkPhone: AccountFacts;
}>(
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
    /** Whoever keeps the community's care team (or manages accounts) sets the work phones of its staff. */
    setWorkPhone: (who, a) =>
      who.kind === "system" ||
      ((permits(who, "account.manage") || permits(who, "care.manage")) && canSee(who, a.orgPath)),
    /**
     * A full work phone is read by someone who must call colleagues (the roles that may reveal a resident's
     * phone), for staff of their subtree or above them on their path — never across to another grid.
     */
    revealWorkPhone: (who, a) => permits(who, "resident.reveal") && (canSee(who, a.orgPath) || above(who, a)),
  },
  {
    create: "当前账号不能在该单位创建此角色的账号",
    setWorkPhone: "只有社区或系统管理员可以设置本辖区工作人员的工作电话",
    revealWorkPhone: "当前角色不能查看工作人员的完整电话",
  },
);
