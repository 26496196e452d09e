import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect, inject, onTestFinished } from "vitest";
import type { DbKind } from "../../src/db/client.ts";
import { createTestApp, DB_KINDS, type TestApp } from "../helpers/app.ts";
import { CHROMIUM_ARGS, chromiumPath } from "./chromium.ts";

// Shared pieces of the browser tests: a real server per test file, Debian's Chromium, login, screenshots.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SCREENSHOTS = path.join(root, "test-results/screenshots");
export const PASSWORD = "Demo@2026";
export const PHONE = { width: 390, height: 844 };

export interface Harness {
  t: TestApp;
  base: string;
  browser: Browser;
  /** A fresh browser context (own cookies) and page; console errors are collected in `errors`. */
  open(opts?: { viewport?: { width: number; height: number }; locale?: string }): Promise<Session>;
  close(): Promise<void>;
}

export interface Session {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

/**
 * The run's shared Chromium (started by globalSetup.ts), or a browser of this file's own when run without
 * it. Closing a connected browser closes only this file's contexts.
 */
function connectChromium(): Promise<Browser> {
  const endpoint = inject("chromiumEndpoint") as string | undefined;
  if (endpoint) return chromium.connect(endpoint);
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

/**
 * A server on the demo, with the environment settings a test gives (`env`, e.g. MAP_TILE_URL). By default on
 * PostgreSQL where TEST_DATABASE_URL is set (CI), else PGlite: a page's server answers from a native
 * PostgreSQL in its own process instead of PGlite's WebAssembly in the test's worker, which shares the two
 * cores with Chromium (admin + care: 196 s of the machine's CPU on PGlite, 165 s on PostgreSQL). The PGlite
 * path stays under test: a file that names its kind keeps it (the modules' `describe.each(DB_KINDS)` run on
 * both; verification's upload stays on PGlite), and most integration files run each service on both.
 */
export async function startHarness(
  kind: DbKind = DB_KINDS.includes("postgres") ? "postgres" : "pglite",
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<Harness> {
  const [t, browser] = await Promise.all([
    createTestApp(kind, { serveWeb: true, env: opts.env }),
    connectChromium(),
  ]);
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  const addr = t.app.server.address();
  const base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  return {
    t,
    base,
    browser,
    async open(opts = {}) {
      const context = await browser.newContext({
        baseURL: base,
        viewport: opts.viewport ?? { width: 1440, height: 900 },
        locale: opts.locale ?? "zh-CN",
        // The app turns antd's animations off for this (as for any user who asks): no clicks on moving targets.
        reducedMotion: "reduce",
        isMobile: opts.viewport ? opts.viewport.width < 768 : false,
        hasTouch: opts.viewport ? opts.viewport.width < 768 : false,
      });
      context.setDefaultTimeout(15_000);
      // A content-security-policy violation is an error of the page like any other.
      await context.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (e) =>
          console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
        );
        // The page's requests in flight, for `settled` (a screenshot waits for them instead of Playwright's
        // "networkidle", which waits out 500 ms of silence after the last one).
        const w = window as unknown as { fetch: typeof fetch; __gkFetches: number };
        const inner = w.fetch.bind(window);
        w.__gkFetches = 0;
        w.fetch = (...args: Parameters<typeof fetch>) => {
          w.__gkFetches++;
          const p = inner(...args);
          const done = () => {
            w.__gkFetches--;
          };
          p.then(done, done);
          return p;
        };
      });
      // A session opened inside a test ends with it; one opened in a beforeAll is the file's, closed with the
      // browser. Left open, a page kept polling and rendering through the file's later tests.
      try {
        onTestFinished(() => context.close().catch(() => {}));
      } catch {
        // Not inside a test.
      }
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => {
        // 4xx answers are part of the tests (401 before login, 400 on a bad phone); the browser logs them.
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
      });
      return { context, page, errors };
    },
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

export async function login(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
}

/** Logs in and waits until the app has left the login page. */
export async function loginOk(page: Page, username: string): Promise<void> {
  await login(page, username);
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

/**
 * Signs in as a returning user is signed in: the browser already holds a session cookie (here one the login
 * API gave, as the form would get it) and opens `to` — by default "/", which leads on to the account's landing
 * page as the form does. For a file's later sign-ins as an account whose form login the same file walks
 * first: each form login loads the login page before the app (1.6–6.4 s on the 2-core machine, 10–24 s at
 * load 20), and going on to another page loads the app once more.
 */
export async function signedIn(h: Harness, page: Page, username: string, to = "/"): Promise<void> {
  const { cookie } = await h.t.login(username);
  const eq = cookie.indexOf("=");
  await page.context().addCookies([
    {
      name: cookie.slice(0, eq),
      value: cookie.slice(eq + 1),
      url: h.base,
      httpOnly: true,
      sameSite: "Strict",
    },
  ]);
  await page.goto(to);
  if (to === "/") await page.waitForURL((u) => u.pathname !== "/" && !u.pathname.startsWith("/login"));
}

/**
 * An upload's header preview: the file is stored sealed, read back and parsed in the reader thread. On a
 * loaded CI machine (a 35-minute suite) that took longer than the default 15 s once; the walk is the same.
 */
export const UPLOAD_MS = 60_000;

/** The first number of a shown count ("共 1,509 人" → 1509; counts carry thousands separators). */
export function countIn(text: string | null | undefined): number {
  return Number(/\d[\d,]*/.exec(text ?? "")?.[0]?.replaceAll(",", ""));
}

/**
 * expect.poll with room for a loaded machine (its default gives up after one second), looking quickly at
 * first and then less often: each look is a round trip to the page and a query over its DOM (a role query
 * computes accessible names), and a wait for the server or a page load looked every 100 ms throughout.
 * admin + workOrders: 83 s of the machine's CPU with looks every 100 ms, 74 s every 300 ms.
 */
export function eventually<T>(fn: () => T | Promise<T>, opts: { timeout?: number } = {}) {
  let looks = 0;
  const paced = async () => {
    // 0, 50, 100, 200, then every 300 ms (plus expect.poll's own 20 ms between looks).
    if (looks > 0) await new Promise((r) => setTimeout(r, Math.min(300, 25 * 2 ** looks)));
    looks++;
    return fn();
  };
  return expect.poll(paced, { timeout: 15_000, interval: 20, ...opts });
}

/**
 * Saves a full-page screenshot to test-results/screenshots/<name>.png after checking the page shows
 * `heading`, and asserts the picture is a real render (not a blank page).
 */
export async function screenshot(page: Page, name: string, heading: string | RegExp): Promise<Buffer> {
  await expect
    .poll(() => page.getByRole("heading", { name: heading, exact: typeof heading === "string" }).count(), {
      timeout: 15_000,
    })
    .toBeGreaterThan(0);
  await settled(page);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const buf = await wholePage(page, path.join(SCREENSHOTS, `${name}.png`));
  expect(buf.subarray(1, 4).toString()).toBe("PNG");
  expect(buf.length).toBeGreaterThan(10_000);
  return buf;
}

/**
 * The whole page, as a screen as tall as the page would show it: the viewport stretched to the document's
 * height for the capture, then set back. Playwright's fullPage capture (Chromium's captureBeyondViewport) took
 * 0.4–0.6 s of Chromium's CPU a shot on the command dashboard against ~0.2 s this way, over 200 shots a run;
 * and it drew the side menu, as tall as the screen, cut off at the first screen's height.
 */
async function wholePage(page: Page, file: string): Promise<Buffer> {
  const screen = page.viewportSize();
  // Chromium draws at most 16,384 pixels in either direction.
  const tall = () => page.evaluate(() => Math.min(document.documentElement.scrollHeight, 16_384));
  let height = screen ? await tall() : 0;
  try {
    if (screen && height > screen.height) {
      await page.setViewportSize({ width: screen.width, height });
      // What the taller screen shows may grow the page (a list filling the space, a chart resizing).
      await settled(page);
      const grown = await tall();
      if (grown > height) {
        height = grown;
        await page.setViewportSize({ width: screen.width, height });
      }
    }
    // A long page on a loaded CI machine took more than the default 15 s to capture.
    return await page.screenshot({ path: file, timeout: 60_000 });
  } finally {
    if (screen && height > screen.height) await page.setViewportSize(screen);
  }
}

/**
 * A page at rest, as a screenshot should show it: no request of its own in flight (counted by the init script
 * of `open`) nor any image loading, skeletons, spinners and the blur over refetching lists gone, web fonts in
 * (CJK glyphs, not fallback boxes) and the layout unchanged for two frames. Checked twice a frame apart, so a
 * request a render starts after the last one ended is waited for too.
 */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState("load");
  const quiet = () =>
    page.evaluate(async () => {
      await document.fonts.ready;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const busy = () =>
        ((window as unknown as { __gkFetches?: number }).__gkFetches ?? 0) > 0 ||
        [...document.images].some((i) => !i.complete) ||
        document.querySelector(".ant-skeleton, .ant-spin-spinning, .ant-spin-blur") !== null;
      if (busy()) return false;
      await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return !busy();
    });
  await eventually(quiet).toBe(true);
}

/** The navigator's root node (the account's own scope). */
export function navigatorRoot(page: Page) {
  return page.locator('nav[aria-label="组织导航"] .ant-tree-title').first();
}

/** The rows of the desktop resident table. */
export function residentRows(page: Page) {
  return page.locator(".ant-table-tbody tr.ant-table-row");
}

/**
 * Opens a tab of the desk's tab bar. On a phone the bar is wider than the screen and the tabs past its edge are
 * under its "more" (…) menu, where a phone user finds them; a click on a tab cut off by the edge would miss it.
 */
export async function openTab(page: Page, name: string) {
  const tab = page.getByRole("tab", { name });
  // Until the bar has measured itself every tab looks in reach: try again until the tab is the selected one.
  await eventually(
    async () => {
      if ((await tab.getAttribute("aria-selected")) === "true") return true;
      const more = page.locator(
        ".ant-tabs-nav-operations:not(.ant-tabs-nav-operations-hidden) .ant-tabs-nav-more",
      );
      if (await more.count()) {
        await more.hover();
        await page
          .locator(".ant-tabs-dropdown-menu-item:visible", { hasText: name })
          .click({ timeout: 2_000 })
          .catch(() => page.keyboard.press("Escape"));
      } else await tab.click({ timeout: 2_000 }).catch(() => {});
      return (await tab.getAttribute("aria-selected")) === "true";
    },
    { timeout: 30_000 },
  ).toBe(true);
}
