// The worker thread's side: read each file it is handed and post back the rows, or why it refused. The
// thread stays alive between files (its loader, saxes and csv-parse are loaded once); the parent stops
// it when a read runs over time or memory.
//
// A streamed read (`stream` set) posts its rows in batches and waits for the parent's `ack` after each, so
// a list of hundreds of thousands of rows never sits whole in either thread and the reader goes no faster
// than the consumer writes.
import { parentPort } from "node:worker_threads";
import type { SheetLimits } from "./limits.ts";
import { readSheet, SheetError, type SheetRow } from "./parse.ts";

export interface ReadRequest {
  id: number;
  buffer: Uint8Array;
  limits: SheetLimits;
  stream?: { batchRows: number; after: number };
}

/** Streamed reads waiting for the parent to take their last batch. */
const waiting = new Map<number, () => void>();

parentPort!.on("message", async (m: ReadRequest | { id: number; ack: true }) => {
  if ("ack" in m) {
    const go = waiting.get(m.id);
    waiting.delete(m.id);
    go?.();
    return;
  }
  const { id, buffer, limits, stream } = m;
  try {
    const sink = stream && {
      ...stream,
      take: (rows: SheetRow[]) =>
        new Promise<void>((resolve) => {
          waiting.set(id, resolve);
          parentPort!.postMessage({ id, batch: rows });
        }),
    };
    const sheet = await readSheet(
      Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength),
      limits,
      sink,
    );
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
