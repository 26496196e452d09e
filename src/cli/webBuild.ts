import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the web app with Vite when dist/web is missing or older than its sources. */
export async function ensureWebBuilt(log: (m: string) => void): Promise<void> {
  const index = path.join(root, "dist/web/index.html");
  const src = Math.max(
    newest(path.join(root, "src/web")),
    fs.statSync(path.join(root, "index.html")).mtimeMs,
  );
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= src) return;
  log("正在构建网页前端（首次启动约需半分钟）…");
  const { build } = await import("vite");
  await build({ root, logLevel: "warn", configFile: path.join(root, "vite.config.ts") });
}
