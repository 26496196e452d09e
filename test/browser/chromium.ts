import fs from "node:fs";

/**
 * Debian's headless Chromium (apt-get install chromium-headless-shell, the build Playwright itself runs
 * headless), else Debian's Chromium (apt-get install chromium), or the one CHROMIUM_PATH names. The binaries
 * themselves: /usr/bin/chromium is a shell script that adds a desktop's flags (the bundled extensions loaded,
 * GPU rasterization without a GPU, …); without them a browser test file took ~11 % less CPU (admin.test.ts
 * alone: 95 s of the machine's CPU against 108 s). The headless shell, without a desktop browser's UI at all,
 * took ~4 % less again (49.7–51.8 s against 52.0–53.8 s) and renders the same pages.
 */
export function chromiumPath(): string {
  const found = ["/usr/lib/chromium/chromium-headless-shell", "/usr/lib/chromium/chromium"].find((p) =>
    fs.existsSync(p),
  );
  const p = process.env.CHROMIUM_PATH ?? found ?? "/usr/bin/chromium";
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
  // Headless, each window still preloads the address bar's popup as a page of its own
  // (chrome://omnibox-popup.top-chrome), a renderer at 9–13 % of a core all through a test file.
  "--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup",
];
