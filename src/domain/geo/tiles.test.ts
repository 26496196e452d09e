import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DISTRICT_BOX } from "./layout.ts";
import {
  checkTileTemplate,
  lonLatToWorld,
  MAX_LAT,
  mercatorProjection,
  placeTiles,
  tileOf,
  tileRange,
  tileUrl,
  viewFrom,
  worldToLonLat,
  zoomFor,
} from "./tiles.ts";

const lon = fc.double({ min: -180, max: 179.999, noNaN: true });
const lat = fc.double({ min: -85, max: 85, noNaN: true });

describe("slippy-map tiles", () => {
  it("finds the tiles of known places", () => {
    // 南通 (崇川区) at z = 12: x = ⌊(120.86 + 180) / 360 · 4096⌋, y from the Mercator formula.
    expect(tileOf([120.86, 32.01], 12)).toEqual({ x: 3423, y: 1663 });
    // London at z = 10 is the textbook 10/511/340.
    expect(tileOf([-0.1276, 51.5072], 10)).toEqual({ x: 511, y: 340 });
    expect(tileOf([0, 0], 0)).toEqual({ x: 0, y: 0 });
    expect(tileOf([0.001, -0.001], 1)).toEqual({ x: 1, y: 1 });
    expect(tileOf([-0.001, 0.001], 1)).toEqual({ x: 0, y: 0 });
  });

  it("clamps places beyond the map's edges to its outermost tiles", () => {
    expect(tileOf([180, 89.9], 3)).toEqual({ x: 7, y: 0 });
    expect(tileOf([-180, -89.9], 3)).toEqual({ x: 0, y: 7 });
    expect(tileOf([200, 0], 2)).toEqual({ x: 3, y: 2 });
  });

  it("gives the tile range of bounds, inclusive and clamped", () => {
    // The demo district (崇川区) at z = 12 and 14.
    expect(tileRange(DISTRICT_BOX, 12)).toEqual({ xMin: 3422, xMax: 3424, yMin: 1662, yMax: 1664 });
    expect(tileRange(DISTRICT_BOX, 14)).toEqual({ xMin: 13689, xMax: 13699, yMin: 6648, yMax: 6656 });
    // Bounds given the wrong way round are the same bounds.
    const [w, s, e, n] = DISTRICT_BOX;
    expect(tileRange([e, n, w, s], 12)).toEqual(tileRange(DISTRICT_BOX, 12));
    expect(tileRange([-400, -90, 400, 90], 2)).toEqual({ xMin: 0, xMax: 3, yMin: 0, yMax: 3 });
  });

  it("projects and unprojects round trip, within the Mercator latitudes", () => {
    fc.assert(
      fc.property(lon, lat, (x, y) => {
        const [x2, y2] = worldToLonLat(lonLatToWorld([x, y]));
        expect(x2).toBeCloseTo(x, 9);
        expect(y2).toBeCloseTo(y, 9);
        const [px, py] = mercatorProjection.unproject(mercatorProjection.project([x, y]));
        expect(px).toBeCloseTo(x, 9);
        expect(py).toBeCloseTo(y, 9);
      }),
    );
    expect(lonLatToWorld([-180, MAX_LAT])[1]).toBeCloseTo(0, 12);
    expect(lonLatToWorld([0, -MAX_LAT])[1]).toBeCloseTo(1, 12);
    // North is up: a place further north has the smaller y (ECharts takes a projection's y downwards).
    expect(mercatorProjection.project([120, 33])[1]).toBeLessThan(mercatorProjection.project([120, 32])[1]);
  });

  it("chooses the zoom whose tiles show at about 256 px", () => {
    expect(zoomFor(256, 18)).toBe(0);
    expect(zoomFor(256 * 2 ** 12, 18)).toBe(12);
    expect(zoomFor(256 * 2 ** 12 * 1.3, 18)).toBe(12);
    expect(zoomFor(256 * 2 ** 12 * 1.5, 18)).toBe(13);
    expect(zoomFor(256 * 2 ** 22, 18)).toBe(18);
    expect(zoomFor(1, 18)).toBe(0);
    expect(zoomFor(0, 18)).toBe(0);
    expect(zoomFor(Number.NaN, 18)).toBe(0);
  });

  it("fills a URL template", () => {
    expect(tileUrl("https://tiles.example/{z}/{x}/{y}.png", 12, 3423, 1663)).toBe(
      "https://tiles.example/12/3423/1663.png",
    );
    expect(tileUrl("https://t.example/w?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k", 3, 1, 2)).toBe(
      "https://t.example/w?TILEMATRIX=3&TILEROW=2&TILECOL=1&tk=k",
    );
  });

  it("checks an operator's template and names the origin its tiles come from", () => {
    expect(checkTileTemplate("https://tiles.example/{z}/{x}/{y}.png")).toEqual({
      origin: "https://tiles.example",
    });
    expect(checkTileTemplate("http://127.0.0.1:8081/t/{z}/{x}/{y}.png")).toEqual({
      origin: "http://127.0.0.1:8081",
    });
    expect(checkTileTemplate("https://tiles.example/{z}/{x}.png")).toHaveProperty("problem");
    expect(checkTileTemplate("ftp://tiles.example/{z}/{x}/{y}.png")).toHaveProperty("problem");
    expect(checkTileTemplate("tiles/{z}/{x}/{y}.png")).toHaveProperty("problem");
    expect(checkTileTemplate("https://{z}.example/{x}/{y}.png")).toHaveProperty("problem");
  });
});

describe("placing the tiles of a view", () => {
  // A view 1024 × 512 px whose top-left is the district's north-west corner, at 2^14 · 256 px per world.
  const scale = 256 * 2 ** 14;
  const [w, , , n] = DISTRICT_BOX;
  const [x0, y0] = lonLatToWorld([w, n]);
  const view = {
    width: 1024,
    height: 512,
    topLeft: [w, n] as [number, number],
    bottomRight: worldToLonLat([x0 + 1024 / scale, y0 + 512 / scale]),
  };
  const template = "http://tiles.test/{z}/{x}/{y}.png";

  it("covers the view with whole tiles, edge to edge, at the view's zoom", () => {
    const tiles = placeTiles(view, template, 18);
    expect(new Set(tiles.map((t) => t.key.split("/")[0]))).toEqual(new Set(["14"]));
    // 1024 px across from inside a tile: five columns; 512 px down: three rows.
    expect(tiles.length).toBe(5 * 3);
    expect(tiles[0].key).toBe("14/13689/6648");
    expect(tiles[0].src).toBe("http://tiles.test/14/13689/6648.png");
    for (const t of tiles) {
      expect(t.width).toBeGreaterThanOrEqual(255);
      expect(t.width).toBeLessThanOrEqual(257);
      expect(t.height).toBeGreaterThanOrEqual(255);
      expect(t.height).toBeLessThanOrEqual(257);
      // Every tile meets the view.
      expect(t.left < view.width && t.left + t.width > 0 && t.top < view.height && t.top + t.height > 0).toBe(
        true,
      );
    }
    // Neighbours meet exactly: no gaps, no overlaps.
    const at = new Map(tiles.map((t) => [t.key, t]));
    for (const t of tiles) {
      const [z, x, y] = t.key.split("/").map(Number);
      const right = at.get(`${z}/${x + 1}/${y}`);
      if (right) expect(right.left).toBe(t.left + t.width);
      const below = at.get(`${z}/${x}/${y + 1}`);
      if (below) expect(below.top).toBe(t.top + t.height);
    }
    // The district's corner lies inside the first tile, where its pixel says.
    expect(tiles[0].left).toBeLessThanOrEqual(0);
    expect(tiles[0].top).toBeLessThanOrEqual(0);
  });

  it("tells the view from where two places fall on the screen", () => {
    const px = (p: [number, number]): [number, number] => {
      const [x, y] = lonLatToWorld(p);
      return [(x - x0) * scale, (y - y0) * scale];
    };
    const a: [number, number] = [120.85, 32.05];
    const b: [number, number] = [120.95, 31.98];
    const told = viewFrom({ at: a, px: px(a) }, { at: b, px: px(b) }, 1024, 512)!;
    expect(told.topLeft[0]).toBeCloseTo(view.topLeft[0], 9);
    expect(told.topLeft[1]).toBeCloseTo(view.topLeft[1], 9);
    expect(told.bottomRight[0]).toBeCloseTo(view.bottomRight[0], 9);
    expect(told.bottomRight[1]).toBeCloseTo(view.bottomRight[1], 9);
    expect(placeTiles(told, template, 18)).toEqual(placeTiles(view, template, 18));
    // Two places one above the other tell it as well; one place, or a mirrored screen, does not.
    const c: [number, number] = [120.85, 31.98];
    const upright = viewFrom({ at: a, px: px(a) }, { at: c, px: px(c) }, 1024, 512)!;
    expect(upright.topLeft[0]).toBeCloseTo(view.topLeft[0], 9);
    expect(upright.bottomRight[1]).toBeCloseTo(view.bottomRight[1], 9);
    expect(viewFrom({ at: a, px: px(a) }, { at: a, px: px(a) }, 1024, 512)).toBeUndefined();
    expect(viewFrom({ at: a, px: px(b) }, { at: b, px: px(a) }, 1024, 512)).toBeUndefined();
  });

  it("stops at the tile server's highest zoom, with larger tiles", () => {
    const tiles = placeTiles(view, template, 13);
    expect(tiles.every((t) => t.key.startsWith("13/"))).toBe(true);
    expect(tiles[0].width).toBeGreaterThanOrEqual(511);
  });

  it("draws nothing for a view it cannot tell, and little for the whole world", () => {
    expect(placeTiles({ ...view, width: 0 }, template, 18)).toEqual([]);
    expect(placeTiles({ ...view, bottomRight: view.topLeft }, template, 18)).toEqual([]);
    const world = placeTiles(
      { width: 512, height: 512, topLeft: [-180, MAX_LAT], bottomRight: [180, -MAX_LAT] },
      template,
      18,
    );
    expect(world.map((t) => t.key)).toEqual(["1/0/0", "1/1/0", "1/0/1", "1/1/1"]);
    // Zoomed far out past the world's edge: the tiles are clamped to it.
    const out = placeTiles(
      { width: 300, height: 300, topLeft: [-360, 89], bottomRight: [360, -89] },
      template,
      18,
    );
    expect(out.map((t) => t.key)).toEqual(["0/0/0"]);
  });
});
