// The resident registry's face.
export { presentResident, type ResidentRow, residentSchema } from "./presenter.ts";
export { residentRoutes as routes } from "./routes.ts";
export { RESIDENT_COLUMNS } from "./service.ts";
