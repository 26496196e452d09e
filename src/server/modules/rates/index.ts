// The five rates and the red/black list: the face.
export { ratesPolicy } from "./policy.ts";
export { CountsSchema, LabelsSchema, RatesSchema } from "./presenter.ts";
export { rateRoutes as routes } from "./routes.ts";
export { parsePeriod, ratesFor, redBlackList, unitRates } from "./service.ts";
