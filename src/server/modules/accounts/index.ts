// Accounts: created by the CLI and the demo loader (an admin UI comes with account management); a staff
// account's work phone is set by the community and revealed with a reason.
export { accountPolicy } from "./policy.ts";
export { maskWorkPhone } from "./presenter.ts";
export { accountRoutes as routes } from "./routes.ts";
export { ACCOUNT_ADMIN, addAccount, cleanWorkPhone, type NewAccount } from "./service.ts";
