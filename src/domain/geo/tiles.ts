// Web-Mercator ("slippy map") tiles behind the command map: which tiles a view needs and where each goes.
// The world is the unit square (x east from 180°W, y south from 85.05°N); tile (z, x, y) covers
// [x/2^z, (x+1)/2^z) × [y/2^z, (y+1)/2^z) of it. Pure: the map asks ECharts where the view's corners are,
// and this module does the rest.

/** Longitude, latitude in degrees (WGS-84). */
export type LonLat = [number, number];
/** A point of the unit-square world: x east, y south, both 0..1 inside the map. */
export type World = [number, number];

/** Web Mercator's edge of the world: the latitude where the map becomes square. */
export const MAX_LAT = 85.0511287798066;
export const TILE_SIZE = 256;

const clampLat = (lat: number) => Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));

export function lonLatToWorld([lon, lat]: LonLat): World {
  const phi = (clampLat(lat) * Math.PI) / 180;
  return [(lon + 180) / 360, (1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2];
}

export function worldToLonLat([x, y]: World): LonLat {
  return [x * 360 - 180, (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI];
}

/** The tile holding a place at zoom z (the slippy-map formulas), clamped to the world's tiles. */
export function tileOf(lonLat: LonLat, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const [wx, wy] = lonLatToWorld(lonLat);
  const index = (w: number) => Math.max(0, Math.min(n - 1, Math.floor(w * n)));
  return { x: index(wx), y: index(wy) };
}

/** [west, south, east, north] in degrees. */
export type Bounds = [number, number, number, number];

/** The tiles covering the bounds at zoom z, inclusive, clamped to the world (no wrapping past 180°). */
export function tileRange([west, south, east, north]: Bounds, z: number) {
  const a = tileOf([Math.min(west, east), Math.max(south, north)], z);
  const b = tileOf([Math.max(west, east), Math.min(south, north)], z);
  return { xMin: a.x, xMax: b.x, yMin: a.y, yMax: b.y };
}

/**
 * The zoom whose tiles show at about their own size (256 px) when the world is `worldPx` pixels wide:
 * log2(worldPx / 256), rounded, within what the tile server has.
 */
export function zoomFor(worldPx: number, maxZoom: number, minZoom = 0): number {
  if (!(worldPx > 0)) return minZoom;
  return Math.max(minZoom, Math.min(maxZoom, Math.round(Math.log2(worldPx / TILE_SIZE))));
}

/**
 * The ECharts geo projection that matches the tiles (ECharts projects long/lat equirectangularly unless told):
 * the world square scaled to 256 units, y downwards as ECharts wants from a projection.
 */
export const mercatorProjection = {
  project: (p: number[]): number[] => {
    const [x, y] = lonLatToWorld([p[0], p[1]]);
    return [x * TILE_SIZE, y * TILE_SIZE];
  },
  unproject: (p: number[]): number[] => worldToLonLat([p[0] / TILE_SIZE, p[1] / TILE_SIZE]),
};

/** A tile URL from an operator's template: {z}, {x} and {y} replaced (each as often as it appears). */
export function tileUrl(template: string, z: number, x: number, y: number): string {
  return template.replaceAll("{z}", String(z)).replaceAll("{x}", String(x)).replaceAll("{y}", String(y));
}

/**
 * An operator's tile URL template checked: http(s), with {z}, {x} and {y}. Returns the origin its tiles come
 * from (what the page's content-security policy must allow for images), or a reason in words.
 */
export function checkTileTemplate(template: string): { origin: string } | { problem: string } {
  const missing = ["{z}", "{x}", "{y}"].filter((p) => !template.includes(p));
  if (missing.length) return { problem: `缺少 ${missing.join("、")}` };
  let url: URL;
  try {
    url = new URL(tileUrl(template, 0, 0, 0));
  } catch {
    return { problem: "不是网址" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { problem: "须以 http:// 或 https:// 开头" };
  // The placeholders belong in the path or query: a host made of them could be anything.
  if (new URL(tileUrl(template, 1, 2, 3)).origin !== url.origin)
    return { problem: "{z}、{x}、{y} 只能出现在路径或查询串中" };
  return { origin: url.origin };
}

/** What the map knows of its view: the pixel size and where two opposite corners fall on the earth. */
export interface View {
  width: number;
  height: number;
  /** The places at the view's top-left (0, 0) and bottom-right (width, height) pixels. */
  topLeft: LonLat;
  bottomRight: LonLat;
}

/**
 * The view from where two places fall on the screen (ECharts' convertToPixel). The chart maps the projected
 * world to pixels with one scale on both axes and a shift, so two places with different longitudes or
 * latitudes tell both. (Not convertFromPixel: with a projection, ECharts 6.1 unprojects the pixel before
 * undoing the view's transform, which gives no place at all.)
 */
export function viewFrom(
  a: { at: LonLat; px: [number, number] },
  b: { at: LonLat; px: [number, number] },
  width: number,
  height: number,
): View | undefined {
  const [ax, ay] = lonLatToWorld(a.at);
  const [bx, by] = lonLatToWorld(b.at);
  // The axis the two places are further apart on gives the finer scale.
  const scale =
    Math.abs(b.px[0] - a.px[0]) >= Math.abs(b.px[1] - a.px[1])
      ? (b.px[0] - a.px[0]) / (bx - ax)
      : (b.px[1] - a.px[1]) / (by - ay);
  if (!Number.isFinite(scale) || scale <= 0) return undefined;
  const x0 = ax - a.px[0] / scale;
  const y0 = ay - a.px[1] / scale;
  return {
    width,
    height,
    topLeft: worldToLonLat([x0, y0]),
    bottomRight: worldToLonLat([x0 + width / scale, y0 + height / scale]),
  };
}

export interface PlacedTile {
  key: string;
  src: string;
  /** Pixels from the view's top-left corner, and the tile's size on screen (256 px give or take). */
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Too many tiles means a view the chart has not laid out sensibly yet: draw none rather than hundreds. */
const MAX_TILES = 256;

/**
 * The tiles a view needs, placed: the zoom from the view's scale, the tile range of its bounds, each tile's
 * square on screen (edges rounded so neighbours meet without hairline gaps).
 */
export function placeTiles(view: View, template: string, maxZoom: number): PlacedTile[] {
  const [x0, y0] = lonLatToWorld(view.topLeft);
  const [x1, y1] = lonLatToWorld(view.bottomRight);
  if (!(x1 > x0) || !(y1 > y0) || !(view.width > 0) || !(view.height > 0)) return [];
  // Pixels per world unit: one scale for both axes, as the chart keeps the projected shape's aspect.
  const scale = view.width / (x1 - x0);
  const z = zoomFor(scale, maxZoom);
  const n = 2 ** z;
  const tiles = (w0: number, w1: number) => [
    Math.max(0, Math.floor(w0 * n)),
    Math.min(n - 1, Math.floor(w1 * n - 1e-9)),
  ];
  const [xMin, xMax] = tiles(x0, x1);
  const [yMin, yMax] = tiles(y0, y1);
  if (xMax < xMin || yMax < yMin || (xMax - xMin + 1) * (yMax - yMin + 1) > MAX_TILES) return [];
  const px = (w: number, w0: number) => Math.round((w - w0) * scale);
  const out: PlacedTile[] = [];
  for (let y = yMin; y <= yMax; y++)
    for (let x = xMin; x <= xMax; x++) {
      const left = px(x / n, x0);
      const top = px(y / n, y0);
      out.push({
        key: `${z}/${x}/${y}`,
        src: tileUrl(template, z, x, y),
        left,
        top,
        width: px((x + 1) / n, x0) - left,
        height: px((y + 1) / n, y0) - top,
      });
    }
  return out;
}
