// Accounts: created by the CLI and the demo loader (an admin UI comes with account management).
export { addAccount, type NewAccount } from "./service.ts";
