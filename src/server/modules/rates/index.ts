// The five rates and the red/black list: the face.
export { ratesPolicy } from "./policy.ts";
export { rateRoutes as routes } from "./routes.ts";
