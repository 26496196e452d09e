// Rates and the red/black list.
export { rateRoutes as routes } from "./routes.ts";
