// The audit log's face: its read route and its policy. Writes go through platform/audit.ts `record` (the
// only writer of audit_events).
export { auditPolicy, HEALTH_ENTITIES } from "./policy.ts";
export { auditRoutes as routes } from "./routes.ts";
