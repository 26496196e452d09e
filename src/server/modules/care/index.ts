// The care module's face.

export { DEFAULT_HOSPITALS } from "./common.ts";
export { carePanel, overdueVisitsByChild, unitCarePanel } from "./panel.ts";
export { proposeTag, type TagProposalInput } from "./proposals.ts";
export { careRoutes as routes } from "./routes.ts";
export { dutyOf } from "./teams.ts";
export { sweepOverdueVisits } from "./visits.ts";
