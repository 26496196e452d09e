import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * The service worker (src/web/sw/sw.js) written next to index.html with this build's file list, so it can
 * keep the whole app shell for a member working without signal. Its version is the hash of the list: a new
 * build installs a new worker, which drops the old shell.
 */
function serviceWorker(): Plugin {
  return {
    name: "gk-service-worker",
    apply: "build",
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle)
        .filter((f) => !f.endsWith(".map") && f !== "index.html")
        .sort()
        .map((f) => `/${f}`);
      const version = crypto.createHash("sha256").update(files.join("\n")).digest("hex").slice(0, 12);
      const source = fs
        .readFileSync(path.join(root, "src/web/sw/sw.js"), "utf8")
        .replace("__PRECACHE__", JSON.stringify(files))
        .replace("__VERSION__", version);
      this.emitFile({ type: "asset", fileName: "sw.js", source });
    },
  };
}

export default defineConfig({
  root,
  plugins: [react(), serviceWorker()],
  build: {
    outDir: path.join(root, "dist/web"),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:3000" },
  },
});
