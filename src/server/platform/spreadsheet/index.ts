// Reading uploaded spreadsheets (xlsx, csv) at a bounded cost. The parse runs in a worker thread with its
// own heap limit and a wall-clock deadline, so a hostile or broken file costs at most that thread: the
// server keeps answering while it reads and survives if the thread dies.
//
// Starting a thread costs a second or more (TypeScript loader, parsers), so one idle reader is kept warm
// between uploads and `warmSpreadsheetReader()` starts it when the server boots. A reader that ran over
// time or memory is terminated, never reused; two uploads at once each get a reader.
import { Worker } from "node:worker_threads";
import { AppError } from "../errors.ts";
import { DEFAULT_LIMITS, type LimitName, limitMessage, limitStatus, type SheetLimits } from "./limits.ts";
import type { Sheet, SheetRow } from "./parse.ts";

export { DEFAULT_LIMITS, type SheetLimits } from "./limits.ts";
export type { Cell, Sheet, SheetRow } from "./parse.ts";
export { workbookBuffer } from "./write.ts";

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
const unreadable = () => refusal(422, "无法读取表格文件 / The spreadsheet could not be read");

type Reply = { id: number; ok: true; sheet: Sheet } | { id: number; ok: false; error: any };

/** A worker thread and the heap limit it was started with (a limit is fixed for a thread's life). */
interface Reader {
  worker: Worker;
  heapMb: number;
  /** Settles when the thread has loaded its parsers (or died trying). */
  ready: Promise<boolean>;
  dead: boolean;
}

let idle: Reader | undefined;
let started = 0;

/** Threads started so far in this process (a warm reader is reused, so this grows only when it must). */
export const readersStarted = () => started;

function startReader(heapMb: number): Reader {
  started++;
  const worker = new Worker(WORKER, {
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 32 },
    stdout: false,
    stderr: false,
  });
  const reader: Reader = { worker, heapMb, dead: false, ready: Promise.resolve(false) };
  reader.ready = new Promise((resolve) => {
    const onReady = (m: { ready?: boolean }) => {
      if (m.ready) {
        worker.off("message", onReady);
        resolve(true);
      }
    };
    worker.on("message", onReady);
    worker.once("exit", () => {
      reader.dead = true;
      if (idle === reader) idle = undefined;
      resolve(false);
    });
    worker.once("error", () => {
      reader.dead = true;
      resolve(false);
    });
  });
  return reader;
}

/** Starts the idle reader ahead of the first upload (a server calls this at boot; tests need not). */
export function warmSpreadsheetReader() {
  if (idle && !idle.dead) return;
  idle = startReader(DEFAULT_LIMITS.heapMb);
  idle.worker.unref();
}

function takeReader(heapMb: number): Reader {
  if (idle && !idle.dead && idle.heapMb === heapMb) {
    const r = idle;
    idle = undefined;
    return r;
  }
  return startReader(heapMb);
}

function giveBack(reader: Reader) {
  if (reader.dead) return;
  // The warm place is for a reader of the default heap (previews, ledgers: a person waits on them). A list
  // import's larger one kept there made every later preview start a thread of its own, stopped on its return.
  if ((idle && !idle.dead) || reader.heapMb !== DEFAULT_LIMITS.heapMb) {
    void reader.worker.terminate();
    return;
  }
  reader.worker.unref();
  idle = reader;
}

let nextId = 1;

/**
 * The first sheet's non-blank rows. Refuses with 400 (empty or not a spreadsheet), 413 (too large once
 * decompressed) or 422 (too many rows or cells, too slow, too much memory), naming the limit.
 */
export function readSpreadsheet(buffer: Buffer, overrides: Partial<SheetLimits> = {}): Promise<Sheet> {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  if (buffer.length === 0)
    return Promise.reject(refusal(400, "文件为空（0 字节），请选择台账文件 / The file is empty"));
  const reader = takeReader(limits.heapMb);
  const { worker } = reader;
  worker.ref();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void, reuse: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
      if (reuse) giveBack(reader);
      else {
        reader.dead = true;
        void worker.terminate();
      }
      f();
    };
    const timer = setTimeout(() => settle(() => reject(overLimit("ms", limits.ms)), false), limits.ms);
    const onMessage = (m: Reply | { ready: true }) => {
      if (!("id" in m) || m.id !== id) return;
      settle(
        () =>
          m.ok
            ? resolve(m.sheet)
            : reject(refusal(m.error.status, m.error.message, m.error.limit, m.error.max)),
        // A refused read may have left streams running in the thread: only a clean one is reused.
        m.ok,
      );
    };
    const onError = (e: Error & { code?: string }) =>
      settle(
        () =>
          reject(e.code === "ERR_WORKER_OUT_OF_MEMORY" ? overLimit("heapMb", limits.heapMb) : unreadable()),
        false,
      );
    const onExit = () => settle(() => reject(unreadable()), false);
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    // A copy the worker owns: the request's buffer may be a slice of a pooled one.
    const copy = new Uint8Array(buffer);
    worker.postMessage({ id, buffer: copy, limits }, [copy.buffer]);
  });
}

/** Limits of a streamed read: rows never accumulate, so a list of a million rows is within reach. */
export const STREAM_LIMITS: SheetLimits = {
  decompressedBytes: 1024 * 1024 * 1024,
  rows: 2_000_000,
  cells: 40_000_000,
  // A streamed read's time limit is per batch: from asking for the next batch until it arrives.
  ms: 30_000,
  heapMb: 512,
};

export interface StreamSummary {
  format: "xlsx" | "csv";
  rowsRead: number;
  cells: number;
}

type StreamMessage =
  | { id: number; batch: SheetRow[] }
  | { id: number; ok: true; sheet: Sheet }
  | { id: number; ok: false; error: any };

/**
 * The first sheet's non-blank rows, `batchRows` at a time: the reader thread posts a batch, reads the next
 * and waits until the consumer takes the first (backpressure), so neither thread holds the whole sheet. Rows numbered up
 * to `after` are read and counted but not handed over (a resumed import). The generator returns the read's
 * totals. It refuses as `readSpreadsheet` does; breaking out of the loop stops the thread.
 */
export function streamSpreadsheet(
  buffer: Buffer,
  overrides: Partial<SheetLimits> = {},
  opts: { batchRows?: number; after?: number } = {},
): AsyncGenerator<SheetRow[], StreamSummary, void> {
  // The copy the worker will own (the caller's buffer may be a slice of a pooled one) is made now, so the
  // generator does not hold the caller's buffer for the whole read: an import that passes its file straight
  // in keeps no second 30 MB copy alive for the minutes the rows take.
  return streamCopy(buffer.length ? new Uint8Array(buffer) : null, overrides, opts);
}

async function* streamCopy(
  copy: Uint8Array<ArrayBuffer> | null,
  overrides: Partial<SheetLimits>,
  opts: { batchRows?: number; after?: number },
): AsyncGenerator<SheetRow[], StreamSummary, void> {
  const limits = { ...STREAM_LIMITS, ...overrides };
  if (!copy) throw refusal(400, "文件为空（0 字节），请选择台账文件 / The file is empty");
  const reader = takeReader(limits.heapMb);
  const { worker } = reader;
  worker.ref();
  const id = nextId++;
  const inbox: StreamMessage[] = [];
  let failure: AppError | undefined;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onMessage = (m: StreamMessage | { ready: true }) => {
    if (!("id" in m) || m.id !== id) return;
    inbox.push(m);
    poke();
  };
  const onError = (e: Error & { code?: string }) => {
    failure = e.code === "ERR_WORKER_OUT_OF_MEMORY" ? overLimit("heapMb", limits.heapMb) : unreadable();
    poke();
  };
  const onExit = () => {
    failure ??= unreadable();
    poke();
  };
  worker.on("message", onMessage);
  worker.on("error", onError);
  worker.on("exit", onExit);
  let clean = false;
  try {
    worker.postMessage(
      { id, buffer: copy, limits, stream: { batchRows: opts.batchRows ?? 2_000, after: opts.after ?? 0 } },
      [copy.buffer],
    );
    for (;;) {
      if (!inbox.length && !failure) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(() => {
            failure ??= overLimit("ms", limits.ms);
            poke();
          }, limits.ms);
        });
        clearTimeout(timer);
      }
      const m = inbox.shift();
      if (!m) throw failure ?? unreadable();
      if ("batch" in m) {
        // The next batch is read while the consumer works on this one: at most two are ever held.
        worker.postMessage({ id, ack: true });
        yield m.batch;
        continue;
      }
      if (!m.ok) throw refusal(m.error.status, m.error.message, m.error.limit, m.error.max);
      clean = true;
      return { format: m.sheet.format, rowsRead: m.sheet.rowsRead, cells: m.sheet.cells };
    }
  } finally {
    worker.off("message", onMessage);
    worker.off("error", onError);
    worker.off("exit", onExit);
    // Only a read that ran to its end leaves the thread idle; one stopped half-way is still parsing.
    if (clean) giveBack(reader);
    else {
      reader.dead = true;
      void worker.terminate();
    }
  }
}
