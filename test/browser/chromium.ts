import fs from "node:fs";

/** Debian's Chromium (apt-get install chromium), or the one CHROMIUM_PATH names. */
export function chromiumPath(): string {
  const p = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!fs.existsSync(p)) {
    throw new Error(`浏览器测试需要 Chromium：未找到 ${p}（apt-get install chromium，或设置 CHROMIUM_PATH）`);
  }
  return p;
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
