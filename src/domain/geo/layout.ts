import { evenShare } from "../org/plan.ts";

// The demo district's areas, made up but plausible and always the same for the same org tree: the district's
// box is cut into one strip per street (west to east, as wide as its share of grids), each strip into one band
// per community (south to north, by its share), each community into rows of grids. Neighbours share their
// edges exactly (each cut is computed once), so nothing overlaps and every grid lies inside its community,
// every community inside its street. Buildings are spread over their grid's box (see `spreadInBox`).

/** [west, south, east, north] in degrees (WGS-84). */
export type Box = [number, number, number, number];
/** A GeoJSON Polygon geometry: one outer ring of [long, lat] positions, closed. */
export interface PolygonGeometry {
  type: "Polygon";
  coordinates: [number, number][][];
}

/** Roughly 崇川区 (Nantong's central district). */
export const DISTRICT_BOX: Box = [120.8, 31.94, 121.02, 32.1];

export interface LayoutUnit {
  code: string;
  kind: string;
  parentCode: string | null;
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function boxPolygon([w, s, e, n]: Box): PolygonGeometry {
  return {
    type: "Polygon",
    coordinates: [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  };
}

/** The box around a polygon's outer ring. */
export function boxOf(g: PolygonGeometry): Box {
  const ring = g.coordinates[0];
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Cuts [a, b] into parts proportional to `weights`, the cut points rounded once (shared by neighbours). */
function cuts(a: number, b: number, weights: number[]): number[] {
  const total = weights.reduce((x, y) => x + y, 0) || 1;
  const out = [r6(a)];
  let acc = 0;
  for (let i = 0; i < weights.length - 1; i++) {
    acc += weights[i];
    out.push(r6(a + ((b - a) * acc) / total));
  }
  out.push(r6(b));
  return out;
}

/**
 * A box for the district and every street, community and grid of the tree (by code). Units are placed in
 * the order given; grids weigh 1, so a community's area follows its number of grids.
 */
export function layoutDistrict(units: LayoutUnit[], box: Box = DISTRICT_BOX): Map<string, Box> {
  const children = new Map<string | null, LayoutUnit[]>();
  for (const u of units) {
    if (u.kind === "micro_grid") continue;
    const list = children.get(u.parentCode) ?? [];
    list.push(u);
    children.set(u.parentCode, list);
  }
  const weight = new Map<string, number>();
  const weigh = (u: LayoutUnit): number => {
    const kids = children.get(u.code) ?? [];
    const w =
      u.kind === "grid"
        ? 1
        : Math.max(
            1,
            kids.reduce((x, k) => x + weigh(k), 0),
          );
    weight.set(u.code, w);
    return w;
  };
  const out = new Map<string, Box>();
  const place = (u: LayoutUnit, b: Box) => {
    out.set(u.code, b);
    const kids = children.get(u.code) ?? [];
    if (!kids.length) return;
    const [w, s, e, n] = b;
    if (u.kind === "district") {
      const xs = cuts(
        w,
        e,
        kids.map((k) => weight.get(k.code)!),
      );
      kids.forEach((k, i) => {
        place(k, [xs[i], s, xs[i + 1], n]);
      });
    } else if (u.kind === "street") {
      const ys = cuts(
        s,
        n,
        kids.map((k) => weight.get(k.code)!),
      );
      kids.forEach((k, i) => {
        place(k, [w, ys[i], e, ys[i + 1]]);
      });
    } else if (u.kind === "community") {
      // Rows of grids, as square as the community allows.
      const aspect = (e - w) / Math.max(n - s, 1e-9);
      const rows = Math.max(
        1,
        Math.min(kids.length, Math.round(Math.sqrt(kids.length / Math.max(aspect, 0.1)))),
      );
      const ys = cuts(
        s,
        n,
        Array.from({ length: rows }, (_, r) => evenShare(kids.length, rows, r)),
      );
      let k = 0;
      for (let r = 0; r < rows; r++) {
        const inRow = evenShare(kids.length, rows, r);
        const xs = cuts(w, e, Array(inRow).fill(1));
        for (let c = 0; c < inRow; c++) place(kids[k++], [xs[c], ys[r], xs[c + 1], ys[r + 1]]);
      }
    }
  };
  for (const root of children.get(null) ?? []) {
    weigh(root);
    place(root, box);
  }
  return out;
}

/** A small deterministic number in [0, 1) from a string (FNV-1a), for jitter that uses no random stream. */
function unit01(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

/**
 * Position `i` of `n` things spread over a box: the box is cut into a near-square lattice of n cells and
 * the thing sits in its cell, off centre by a jitter taken from `key`, never within 10 % of the cell's edge.
 * Returns [long, lat].
 */
export function spreadInBox([w, s, e, n]: Box, i: number, count: number, key: string): [number, number] {
  const cols = Math.max(1, Math.ceil(Math.sqrt(count)));
  const rows = Math.max(1, Math.ceil(count / cols));
  const c = i % cols;
  const r = Math.floor(i / cols);
  const jx = 0.1 + 0.8 * unit01(`${key}:x`);
  const jy = 0.1 + 0.8 * unit01(`${key}:y`);
  return [r6(w + ((e - w) * (c + jx)) / cols), r6(s + ((n - s) * (r + jy)) / rows)];
}
