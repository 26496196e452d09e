// The five rates and the red/black list: the face.
export { ratesPolicy } from "./policy.ts";
export { CountsSchema, LabelsSchema, RatesSchema } from "./presenter.ts";
export { rateRoutes as routes } from "./routes.ts";
export {
  COUNT_COLUMNS as RATE_COUNT_SUMS,
  parsePeriod,
  ratesFor,
  redBlackList,
  unitRates,
} from "./service.ts";
