// The audit log's face: its read route. Writes go through platform/audit.ts `record`.
export { auditRoutes as routes } from "./routes.ts";
