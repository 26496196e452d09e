// The worker thread's side: read each file it is handed and post back the rows, or why it refused. The
// thread stays alive between files (its loader, exceljs and csv-parse are loaded once); the parent stops
// it when a read runs over time or memory.
import { parentPort } from "node:worker_threads";
import type { SheetLimits } from "./limits.ts";
import { readSheet, SheetError } from "./parse.ts";

export interface ReadRequest {
  id: number;
  buffer: Uint8Array;
  limits: SheetLimits;
}

parentPort!.on("message", async ({ id, buffer, limits }: ReadRequest) => {
  try {
    const sheet = await readSheet(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength), limits);
    parentPort!.postMessage({ id, ok: true, sheet });
  } catch (e) {
    const error =
      e instanceof SheetError
        ? { status: e.status, message: e.message, limit: e.limit, max: e.max }
        : { status: 422, message: "无法读取表格文件 / The spreadsheet could not be read" };
    parentPort!.postMessage({ id, ok: false, error });
  }
});
// Tell the parent the loader and parsers are in: a warmed reader is ready.
parentPort!.postMessage({ ready: true });
