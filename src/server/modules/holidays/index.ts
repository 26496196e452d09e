// Holiday arrangements for the SLA calendars: the face.
export { holidayRoutes as routes } from "./routes.ts";
export { coverage, loadHolidays } from "./service.ts";
