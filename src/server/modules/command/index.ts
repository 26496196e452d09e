// The command center's face: dashboards, hot spots (and, as they land, the live stream and daily report).
export { commandPolicy } from "./policy.ts";
export { commandRoutes as routes } from "./routes.ts";
export { runDailyReports } from "./schedule.ts";
export { seedReportRecipients } from "./seed.ts";
