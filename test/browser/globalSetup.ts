import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build } from "vite";
import type { TestProject } from "vitest/node";
import { CHROMIUM_ARGS, chromiumPath } from "./chromium.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's one Chromium, which every browser test file connects to. */
    chromiumEndpoint: string;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function newest(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of fs.readdirSync(p)) t = Math.max(t, newest(path.join(p, e)));
  return t;
}

/**
 * Builds the web once for the browser tests (unless dist/web is newer than every source) and starts one
 * Chromium for the run while it builds: each file connecting to it saves a browser start. Both begin when
 * Vitest imports this file, which it does for all of a project's global setups before running the first:
 * Vitest runs the setups one after another, and the demo templates' (test/helpers/templates.ts, ~10 s) came
 * first, so the build and the browser start (~9 s) used to wait for them before any browser file could run.
 */
const ready = Promise.all([
  chromium.launchServer({ executablePath: chromiumPath(), args: CHROMIUM_ARGS }),
  buildWeb(),
]);
// Awaited in setup; until then a failure must not count as unhandled.
ready.catch(() => {});

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [server] = await ready;
  project.provide("chromiumEndpoint", server.wsEndpoint());
  return () => server.close();
}

async function buildWeb(): Promise<void> {
  const index = path.join(root, "dist/web/index.html");
  const sources = ["src/web", "index.html", "vite.config.ts"].map((p) => newest(path.join(root, p)));
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs > Math.max(...sources)) return;
  // Vitest runs with NODE_ENV=test, which Vite would bake into a development bundle (React and antd in
  // dev mode: slower, with dev-only warnings). Test what users get: the production build.
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      root,
      configFile: path.join(root, "vite.config.ts"),
      logLevel: "warn",
      mode: "production",
    });
  } finally {
    process.env.NODE_ENV = env;
  }
}
