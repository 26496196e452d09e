// Bulk list verification 大数据核查: the face.
export {
  haltLists,
  resumeLists,
  routeTasks,
  settleLists,
} from "./imports.ts";
export { verificationRoutes as routes } from "./routes.ts";
