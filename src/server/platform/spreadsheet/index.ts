// Reading uploaded spreadsheets (xlsx, csv) at a bounded cost. The parse runs in a worker thread with its
// own heap limit and a wall-clock deadline, so a hostile or broken file costs at most that thread: the
// server keeps answering while it reads and survives if the thread dies.
import { Worker } from "node:worker_threads";
import { AppError } from "../errors.ts";
import { DEFAULT_LIMITS, type LimitName, limitMessage, limitStatus, type SheetLimits } from "./limits.ts";
import type { Sheet } from "./parse.ts";

export { DEFAULT_LIMITS, type SheetLimits } from "./limits.ts";
export type { Cell, Sheet, SheetRow } from "./parse.ts";

const WORKER = new URL("./worker.mjs", import.meta.url);

function refusal(status: number, message: string, limit?: LimitName, max?: number) {
  const code = status === 413 ? "payload_too_large" : status === 400 ? "invalid" : "unprocessable";
  return new AppError(status, code, message, {
    ...(limit ? { limit, max } : {}),
    fields: [{ field: "file", message }],
  });
}

const overLimit = (limit: LimitName, max: number) =>
  refusal(limitStatus(limit), limitMessage(limit, max), limit, max);

/**
 * The first sheet's non-blank rows. Refuses with 400 (empty or not a spreadsheet), 413 (too large once
 * decompressed) or 422 (too many rows or cells, too slow, too much memory), naming the limit.
 */
export function readSpreadsheet(buffer: Buffer, overrides: Partial<SheetLimits> = {}): Promise<Sheet> {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  if (buffer.length === 0)
    return Promise.reject(refusal(400, "文件为空（0 字节），请选择台账文件 / The file is empty"));
  return new Promise((resolve, reject) => {
    // A copy the worker owns: the request's buffer may be a slice of a pooled one.
    const copy = new Uint8Array(buffer);
    const worker = new Worker(WORKER, {
      workerData: { buffer: copy, limits },
      transferList: [copy.buffer],
      resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 32 },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
      void worker.terminate();
    };
    const timer = setTimeout(() => settle(() => reject(overLimit("ms", limits.ms))), limits.ms);
    worker.on("message", (m: { ok: true; sheet: Sheet } | { ok: false; error: any }) =>
      settle(() =>
        m.ok
          ? resolve(m.sheet)
          : reject(refusal(m.error.status, m.error.message, m.error.limit, m.error.max)),
      ),
    );
    worker.on("error", (e: Error & { code?: string }) =>
      settle(() =>
        reject(
          e.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? overLimit("heapMb", limits.heapMb)
            : refusal(422, "无法读取表格文件 / The spreadsheet could not be read"),
        ),
      ),
    );
    worker.on("exit", () =>
      settle(() => reject(refusal(422, "无法读取表格文件 / The spreadsheet could not be read"))),
    );
  });
}
