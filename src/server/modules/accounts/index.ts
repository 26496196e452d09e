// Accounts: created by the CLI and the demo loader (an admin UI comes with account management).
export { accountPolicy } from "./policy.ts";
export { ACCOUNT_ADMIN, addAccount, type NewAccount } from "./service.ts";
