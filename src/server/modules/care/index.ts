// The care module's face.
export { careRoutes as routes } from "./routes.ts";
export { sweepOverdueVisits } from "./visits.ts";
