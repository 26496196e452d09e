import { definePolicy } from "../../platform/policy.ts";

// Sign-in and sessions. Few rules, but they are rules: who may hold a session, and which accounts may start
// or keep one.

/** What the rules read of an account. */
export interface AccountFacts {
  disabled: boolean;
}

/**
 * A disabled account neither signs in nor keeps the sessions it had (they end within the session cache's
 * seconds). Checked with the same password work either way, so a disabled name answers like a wrong password.
 */
export const maySignIn = (a: AccountFacts | null | undefined): a is AccountFacts => !!a && !a.disabled;

export const authPolicy = definePolicy<{ session: undefined }>(
  {
    /** Only an account holds a session ("me", logout): the system and Open311 clients have none. */
    session: (who) => who.kind === "account",
  },
  { session: "只有登录账号才有会话" },
);
