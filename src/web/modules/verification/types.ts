import type { paths } from "../../app/api.gen.ts";

type Json<P extends keyof paths, M extends "get" | "post"> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { "application/json": infer B } } }
    ? B
    : R extends { 201: { content: { "application/json": infer B } } }
      ? B
      : R extends { 202: { content: { "application/json": infer B } } }
        ? B
        : never
  : never;

export type VList = Json<"/api/verification/lists/{id}", "get">;
export type Preview = Json<"/api/verification/lists/{id}/preview", "get">;
export type Summary = Json<"/api/verification/lists/{id}/summary", "get">;
export type Rows = Json<"/api/verification/lists/{id}/rows", "get">;
export type VRow = Rows["items"][number];
export type Grids = Json<"/api/verification/lists/{id}/grids", "get">;
export type Tasks = Json<"/api/verification/tasks", "get">;

export const FIELDS = ["name", "idNumber", "phone", "address", "community", "street"] as const;
export const CLASSES = ["found", "routed", "not_found", "duplicate", "invalid"] as const;
export const OUTCOMES = ["at_home", "moved_away", "no_such_person", "refused", "other"] as const;
export const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export type Batches = Json<"/api/verification/lists/{id}/batches", "get">;
export type SheetReport = Json<"/api/verification/lists/{id}/outcome-sheet", "post">;
export const BATCH_STATUSES = ["new", "unchanged", "changed"] as const;
