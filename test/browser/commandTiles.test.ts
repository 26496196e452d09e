import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lonLatToWorld } from "../../src/domain/geo/tiles.ts";
import { DB_KINDS } from "../helpers/app.ts";
import {
  eventually,
  type Harness,
  loginOk,
  PHONE,
  SCREENSHOTS,
  screenshot as shoot,
  startHarness,
} from "./harness.ts";

// The command map over a configured tile layer (MAP_TILE_URL): a tile server of the test's own (there is no
// internet here) answers every z/x/y with a small PNG, except a few it answers 404. The tiles are drawn under
// the areas, line up with them before and after zooming, a failed tile is hidden, the attribution shows, and
// the map's buttons still drill down.

/** A 256 px square PNG: two pale colours in a checkerboard of tiles, a grey line on its top and left edges. */
function tilePng(odd: boolean): Buffer {
  const size = 256;
  const fill = odd ? [221, 232, 245] : [232, 240, 224];
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < size; x++) {
      const edge = x === 0 || y === 0;
      const c = edge ? [160, 160, 160] : fill;
      raw.set(c, row + 1 + x * 3);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, "ascii");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Tiles the server refuses: a few, so the page shows what it does with a failed tile. */
const refused = (x: number, y: number) => (x + y) % 7 === 0;

describe.each(DB_KINDS)("指挥地图的底图瓦片 on %s", (kind) => {
  let h: Harness;
  let tiles: http.Server;
  let origin = "";
  const requested: string[] = [];
  const png = [tilePng(false), tilePng(true)];
  beforeAll(async () => {
    tiles = http.createServer((req, res) => {
      const m = /^\/t\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.url ?? "");
      if (!m) return res.writeHead(404).end();
      const [, , x, y] = m.map(Number);
      requested.push(`${m[1]}/${x}/${y}`);
      if (refused(x, y)) return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "image/png" }).end(png[(x + y) % 2]);
    });
    await new Promise<void>((ok) => tiles.listen(0, "127.0.0.1", ok));
    origin = `http://127.0.0.1:${(tiles.address() as AddressInfo).port}`;
    h = await startHarness(kind, {
      env: { MAP_TILE_URL: `${origin}/t/{z}/{x}/{y}.png`, MAP_TILE_ATTRIBUTION: "© 测试底图 Test tiles" },
    });
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((ok) => tiles?.close(ok));
  });
  const screenshot = (page: Page, name: string, heading: string) =>
    shoot(page, kind === "pglite" ? name : `${name}-pg`, heading);

  /** The map's tiles as the page has them: key, src, box on screen, and whether shown. */
  const tilesOf = (page: Page) =>
    page.getByTestId("command-map-tiles").evaluate((layer) =>
      [...layer.querySelectorAll("img")].map((img) => {
        const r = img.getBoundingClientRect();
        return {
          key: img.dataset.tile ?? "",
          src: img.src,
          left: r.left,
          top: r.top,
          width: r.width,
          height: r.height,
          loaded: img.complete && img.naturalWidth > 0,
          hidden: getComputedStyle(img).visibility === "hidden",
        };
      }),
    );

  /** The areas of the unit the page shows, each with its anchor as the map computes it (its ring's mean). */
  async function anchorsOf(page: Page): Promise<{ name: string; at: [number, number] }[]> {
    const m = await page.evaluate(() =>
      fetch(`/api/command/map${new URL(location.href).search}`).then((r) => r.json()),
    );
    return m.areas.map((a: { unit: { name: string }; geometry: { coordinates: [number, number][][] } }) => {
      const ring = a.geometry.coordinates[0].slice(0, -1);
      return {
        name: a.unit.name,
        at: [
          ring.reduce((s, c) => s + c[0], 0) / ring.length,
          ring.reduce((s, c) => s + c[1], 0) / ring.length,
        ],
      };
    });
  }

  /**
   * Whether the tiles line up with the areas: where the map put an area's button (the area's anchor, placed by
   * ECharts) must be where that place falls on the tiles (by the slippy-map formulas), within 2 px. Checked
   * for every area whose anchor lies on a drawn tile; returns how many that were.
   */
  async function checkAligned(page: Page): Promise<number> {
    const laid = await tilesOf(page);
    const z = Number(laid[0].key.split("/")[0]);
    const n = 2 ** z;
    let checked = 0;
    for (const area of await anchorsOf(page)) {
      const [wx, wy] = lonLatToWorld(area.at);
      const [tx, ty] = [Math.floor(wx * n), Math.floor(wy * n)];
      const tile = laid.find((t) => t.key === `${z}/${tx}/${ty}`);
      const button = page.getByTestId("command-map").getByRole("button", { name: area.name, exact: true });
      if (!tile || (await button.count()) !== 1) continue;
      const box = (await button.boundingBox())!;
      const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      expect(Math.abs(at.x - (tile.left + (wx * n - tx) * tile.width)), area.name).toBeLessThan(2);
      expect(Math.abs(at.y - (tile.top + (wy * n - ty) * tile.height)), area.name).toBeLessThan(2);
      checked++;
    }
    return checked;
  }

  it("draws the tiles under a street's areas, in line with them, and still drills down", async () => {
    const { page, context, errors } = await h.open();
    // The page may load images from the tile server, and from nowhere else.
    const res = await page.goto("/login");
    expect(res?.headers()["content-security-policy"]).toContain(`img-src 'self' data: blob: ${origin}`);
    await loginOk(page, "demo-street");
    await page.waitForURL((u) => u.pathname === "/command", { timeout: 30_000 });
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("秦灶街道");
    const map = page.getByTestId("command-map");
    await eventually(() => map.getByRole("button", { name: "苏阳社区", exact: true }).count()).toBe(1);
    await eventually(() => map.locator("[data-testid=command-map-tiles] img").count()).toBeGreaterThan(3);
    // Every tile from the template, at one zoom fit for a street (its areas a few km across).
    const template = new RegExp(`^${origin}/t/(\\d+)/(\\d+)/(\\d+)\\.png$`);
    await eventually(async () => (await tilesOf(page)).every((t) => t.loaded || t.hidden)).toBe(true);
    let laid = await tilesOf(page);
    expect(laid.every((t) => template.test(t.src))).toBe(true);
    const zooms = new Set(laid.map((t) => t.key.split("/")[0]));
    expect(zooms.size).toBe(1);
    // (A street is a tall strip some 7 by 17 km: shown whole in 420 px, z 11 or so.)
    expect(Number([...zooms][0])).toBeGreaterThanOrEqual(10);
    expect(Number([...zooms][0])).toBeLessThanOrEqual(16);
    expect(laid.every((t) => requested.includes(t.key))).toBe(true);
    // Drawn, except the refused ones, which are hidden rather than shown as broken images.
    for (const t of laid) {
      const [, x, y] = t.key.split("/").map(Number);
      expect(t.hidden, t.key).toBe(refused(x, y));
      expect(t.loaded, t.key).toBe(!refused(x, y));
    }
    // Under the areas: at a tile's middle the chart's canvas is on top, the tile below it.
    // (A point on a drawn tile inside the map's box: tiles reach past it, clipped.)
    const frame = (await page.getByTestId("command-map-tiles").boundingBox())!;
    const shown = laid.find(
      (t) =>
        t.loaded &&
        Math.max(t.left, frame.x) + 20 < Math.min(t.left + t.width, frame.x + frame.width) &&
        Math.max(t.top, frame.y) + 20 < Math.min(t.top + t.height, frame.y + frame.height),
    )!;
    const probe = [
      (Math.max(shown.left, frame.x) + Math.min(shown.left + shown.width, frame.x + frame.width)) / 2,
      (Math.max(shown.top, frame.y) + Math.min(shown.top + shown.height, frame.y + frame.height)) / 2,
    ];
    const stack = await page.evaluate(([x, y]) => {
      // Hit testing follows the painting order; the tiles take no pointer events, except for this look.
      const layer = document.querySelector<HTMLElement>("[data-testid=command-map-tiles]")!;
      layer.style.pointerEvents = "auto";
      const tags = document.elementsFromPoint(x, y).map((e) => e.tagName);
      layer.style.pointerEvents = "none";
      return tags;
    }, probe);
    expect(stack).toContain("IMG");
    expect(stack.indexOf("CANVAS")).toBeLessThan(stack.indexOf("IMG"));
    expect(stack.indexOf("CANVAS")).toBeGreaterThanOrEqual(0);
    expect(await checkAligned(page)).toBeGreaterThan(1);
    await eventually(() => map.getByTestId("command-map-attribution").textContent()).toBe(
      "© 测试底图 Test tiles",
    );
    await screenshot(page, "command-map-tiles", "指挥中心");
    await map.screenshot({
      path: path.join(SCREENSHOTS, `command-map-tiles-map${kind === "pglite" ? "" : "-pg"}.png`),
    });

    // Zoomed in with the wheel: tiles of a higher zoom, placed anew, still in line.
    // The wheel over the canvas, again while the tiles stay at the first zoom: a wheel that came while the chart
    // was still settling after the screenshots (on a loaded machine) zoomed nothing.
    const canvas = map.locator("canvas").first();
    await canvas.scrollIntoViewIfNeeded();
    await eventually(async () => {
      const box = (await canvas.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -120);
      await page.waitForTimeout(300);
      return Number((await tilesOf(page))[0]?.key.split("/")[0]);
    }).toBeGreaterThan(Number([...zooms][0]));
    await eventually(async () => (await tilesOf(page)).every((t) => t.loaded || t.hidden)).toBe(true);
    laid = await tilesOf(page);
    expect(laid.every((t) => template.test(t.src))).toBe(true);
    expect(await checkAligned(page)).toBeGreaterThan(0);
    await map.screenshot({
      path: path.join(SCREENSHOTS, `command-map-tiles-zoomed${kind === "pglite" ? "" : "-pg"}.png`),
    });

    // The map's buttons still drill down, over the tiles.
    await page.goto("/command");
    await eventually(() => map.getByRole("button", { name: "苏阳社区", exact: true }).count()).toBe(1);
    await map.getByRole("button", { name: "苏阳社区", exact: true }).click();
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("苏阳社区");
    await eventually(() => map.getByRole("button", { name: "第1网格", exact: true }).count()).toBe(1);
    await eventually(() => map.locator("[data-testid=command-map-tiles] img").count()).toBeGreaterThan(3);
    expect(await checkAligned(page)).toBeGreaterThan(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows the tiles, darkened, on the wall screen's map", async () => {
    const { page, context, errors } = await h.open({ viewport: { width: 1920, height: 1080 } });
    await loginOk(page, "demo-commander");
    await page.goto("/command/screen?panel=map");
    const panel = page.locator("[data-panel=map]");
    await eventually(() => panel.locator(".gk-map-spot").count()).toBeGreaterThan(5);
    await eventually(() => panel.locator("[data-testid=command-map-tiles] img").count()).toBeGreaterThan(3);
    expect(
      await panel.getByTestId("command-map-tiles").evaluate((e) => getComputedStyle(e).filter),
    ).toContain("brightness");
    await screenshot(page, "command-screen-map-tiles", "指挥中心 · 崇川区");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("fits a phone", async () => {
    const { page, context, errors } = await h.open({ viewport: PHONE });
    await loginOk(page, "demo-community");
    await page.goto("/command");
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("苏阳社区");
    const map = page.getByTestId("command-map");
    await eventually(() => map.getByRole("button", { name: "第1网格", exact: true }).count()).toBe(1);
    await eventually(() => map.locator("[data-testid=command-map-tiles] img").count()).toBeGreaterThan(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await map.scrollIntoViewIfNeeded();
    await screenshot(page, "command-map-tiles-phone", "指挥中心");
    await map.screenshot({
      path: path.join(SCREENSHOTS, `command-map-tiles-phone-map${kind === "pglite" ? "" : "-pg"}.png`),
    });
    expect(errors).toEqual([]);
    await context.close();
  });
});
