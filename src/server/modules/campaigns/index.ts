// Door-to-door campaigns 敲门行动: the face.
export { householdIdsOf, type LaunchInput, launch } from "./campaigns.ts";
export { campaignPanel } from "./panel.ts";
export { campaignRoutes as routes } from "./routes.ts";
export { DEMO_NOTICE, DEMO_QUESTIONS, seedCampaigns } from "./seed.ts";
