// Entry of the spreadsheet worker thread: loader hooks are not inherited by workers on Node 20, so the
// TypeScript loader is registered here before the worker's own code is imported.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
