// The resident registry's face: the only file other modules import. Care changes a resident's tags and
// family doctor through `addTags` / `removeTag` / `setFamilyDoctor` inside its own transaction (it keeps the
// evidence and audits the action); the org tree's counts come from `populationOf`.
export { residentPolicy } from "./policy.ts";
export {
  type Population,
  PopulationSchema,
  type PresentedResident,
  presentResident,
  type ResidentRow,
  ResidentSchema,
  residentSchema,
} from "./presenter.ts";
export { populationOf, residentsByChild } from "./registry.ts";
export { sealKeptRosters } from "./rosterImport.ts";
export { residentRoutes as routes } from "./routes.ts";
export { RESIDENT_COLUMNS } from "./service.ts";
export {
  addTags,
  lockResident,
  type ResidentRef,
  removeTag,
  residentInScope,
  setFamilyDoctor,
} from "./writes.ts";
