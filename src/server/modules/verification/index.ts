// Bulk list verification 大数据核查: the face.

export { listForCampaign, listResidentsSql } from "./campaignTarget.ts";
export {
  haltLists,
  resumeLists,
  routeTasks,
  sealKeptLists,
  settleLists,
} from "./imports.ts";
export { verificationRoutes as routes } from "./routes.ts";
export { estimateRows, headRows, type Preview, previewOf } from "./sheetHead.ts";
