// The worker thread's side: read the file it was handed and post back the rows, or why it refused.
import { parentPort, workerData } from "node:worker_threads";
import type { SheetLimits } from "./limits.ts";
import { readSheet, SheetError } from "./parse.ts";

const { buffer, limits } = workerData as { buffer: Uint8Array; limits: SheetLimits };

try {
  const sheet = await readSheet(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength), limits);
  parentPort!.postMessage({ ok: true, sheet });
} catch (e) {
  const err =
    e instanceof SheetError
      ? { status: e.status, message: e.message, limit: e.limit, max: e.max }
      : { status: 422, message: "无法读取表格文件 / The spreadsheet could not be read" };
  parentPort!.postMessage({ ok: false, error: err });
}
