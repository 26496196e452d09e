import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import react from "@vitejs/plugin-react";
import sharp from "sharp";
import { defineConfig, type Plugin } from "vite";

const root = path.dirname(fileURLToPath(import.meta.url));

const MANIFEST = {
  name: "网格管家",
  short_name: "网格管家",
  lang: "zh-CN",
  start_url: "/",
  scope: "/",
  display: "standalone",
  background_color: "#ffffff",
  theme_color: "#1677ff",
  icons: [
    { src: "/icon-192.png", sizes: "192x192", type: "image/png" },
    { src: "/icon-512.png", sizes: "512x512", type: "image/png" },
    { src: "/icon.svg", sizes: "any", type: "image/svg+xml" },
  ],
  shortcuts: [{ name: "入户登记", url: "/campaigns/field" }],
};

/**
 * The service worker (src/web/sw/sw.js) written next to index.html with this build's file list, so it can
 * keep the whole app shell for a member working without signal. Its version is the hash of the list: a new
 * build installs a new worker, which drops the old shell.
 */
function serviceWorker(): Plugin {
  return {
    name: "gk-service-worker",
    apply: "build",
    async generateBundle(_options, bundle) {
      // What makes the app installable on a phone (a member adds it to the home screen and opens the field
      // page without signal): the manifest and its icons, kept with the shell.
      const svg = fs.readFileSync(path.join(root, "src/web/sw/icon.svg"));
      this.emitFile({ type: "asset", fileName: "icon.svg", source: svg });
      for (const size of [192, 512])
        this.emitFile({
          type: "asset",
          fileName: `icon-${size}.png`,
          source: await sharp(svg).resize(size, size).png().toBuffer(),
        });
      this.emitFile({
        type: "asset",
        fileName: "manifest.webmanifest",
        source: JSON.stringify(MANIFEST, null, 2),
      });
      const files = Object.keys(bundle)
        .filter((f) => !f.endsWith(".map") && f !== "index.html" && f !== "sw.js")
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

/**
 * Each text file of the build also written brotli- and gzip-compressed beside it (x.js.br, x.js.gz), which the
 * server sends to a browser that accepts them (@fastify/static preCompressed; browsers ask for brotli only over
 * HTTPS). A grid worker's phone on mobile data fetched the app's 4 MB of JavaScript and CSS uncompressed; it is
 * 1.1 MB now. Brotli at quality 5: 0.13 s for the whole build, where quality 11 took 5.6 s for 10 % less.
 */
function precompress(): Plugin {
  return {
    name: "gk-precompress",
    apply: "build",
    async writeBundle(options, bundle) {
      const dir = options.dir!;
      const brotli = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } };
      for (const f of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json|webmanifest)$/.test(f)) continue;
        const file = path.join(dir, f);
        const source = fs.readFileSync(file);
        if (source.length < 1024) continue;
        fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(source, brotli));
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(source));
      }
    },
  };
}

export default defineConfig({
  root,
  plugins: [react(), serviceWorker(), precompress()],
  build: {
    outDir: path.join(root, "dist/web"),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:3000" },
  },
});
