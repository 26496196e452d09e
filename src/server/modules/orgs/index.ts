// The org tree's face: units by id (cached), a unit the caller may see, breadcrumbs, routes.

export { forgetAreas, type GridHit, gridAt, unitAreas } from "./areas.ts";
export { orgPolicy } from "./policy.ts";
export { type Crumb, CrumbSchema, OrgNodeSchema } from "./presenter.ts";
export { orgRoutes as routes } from "./routes.ts";
export {
  breadcrumb,
  dutyPhoneOf,
  forgetUnits,
  getOrgUnit,
  type OrgNode,
  type UnitRef,
  unitById,
  unitLabel,
  unitLabelSql,
} from "./service.ts";
