import area from "@turf/area";
import booleanPointInPolygon from "@turf/boolean-point-in-polygon";
import { feature, featureCollection } from "@turf/helpers";
import intersect from "@turf/intersect";
import Flatbush from "flatbush";
import gcoord from "gcoord";

// Areas of org units (GeoJSON geometries in WGS-84 long/lat) and the point → unit lookup.

export type Position = [number, number];
export type Geometry =
  | { type: "Polygon"; coordinates: Position[][] }
  | { type: "MultiPolygon"; coordinates: Position[][][] };

/** Overlap two siblings may have (digitising slack along a shared edge), in m² and as a share of the smaller. */
export const OVERLAP_TOLERANCE = { m2: 50, share: 0.005 };
/** How much of a unit may lie outside its parent. */
export const CONTAINMENT_TOLERANCE = 0.01;

export interface BoundaryProblem {
  /** The feature's code (or its index when it has none). */
  feature: string;
  rule: string;
  message: string;
}

const polygonsOf = (g: Geometry): Position[][][] => (g.type === "Polygon" ? [g.coordinates] : g.coordinates);

/** The shape rules for one geometry: its type, closed rings of ≥ 4 positions, numbers in range, some area. */
export function checkGeometry(name: string, g: unknown): BoundaryProblem[] {
  const problems: BoundaryProblem[] = [];
  const bad = (rule: string, message: string) => problems.push({ feature: name, rule, message });
  const geo = g as Geometry;
  if (!geo || (geo.type !== "Polygon" && geo.type !== "MultiPolygon") || !Array.isArray(geo.coordinates)) {
    bad("geometry_type", `${name}: 几何类型须为 Polygon 或 MultiPolygon`);
    return problems;
  }
  const polys = polygonsOf(geo);
  if (!polys.length) bad("empty", `${name}: 没有多边形`);
  for (const poly of polys) {
    if (!Array.isArray(poly) || !poly.length) {
      bad("empty", `${name}: 有一个多边形没有环`);
      continue;
    }
    for (const ring of poly) {
      if (!Array.isArray(ring) || ring.length < 4) {
        bad("ring_too_short", `${name}: 每个环至少 4 个坐标点（首尾相同的三角形）`);
        continue;
      }
      const okPos = ring.every(
        (p) =>
          Array.isArray(p) &&
          p.length >= 2 &&
          Number.isFinite(p[0]) &&
          Number.isFinite(p[1]) &&
          Math.abs(p[0]) <= 180 &&
          Math.abs(p[1]) <= 90,
      );
      if (!okPos) {
        bad("position", `${name}: 坐标须为 [经度, 纬度] 数字，在 ±180 / ±90 以内`);
        continue;
      }
      const [a, z] = [ring[0], ring[ring.length - 1]];
      if (a[0] !== z[0] || a[1] !== z[1])
        bad("ring_not_closed", `${name}: 环未闭合（最后一个点须与第一个点相同）`);
    }
  }
  if (!problems.length && area(feature(geo)) <= 0) bad("no_area", `${name}: 多边形面积为零`);
  return problems;
}

function overlapArea(a: Geometry, b: Geometry): number {
  const x = intersect(featureCollection([feature(a), feature(b)]));
  return x ? area(x) : 0;
}

/**
 * The rules between units: siblings (the imported ones and those already stored) may not overlap beyond the
 * tolerance, and each must lie inside its parent's area when the parent has one.
 */
export function checkLayout(
  incoming: { code: string; geometry: Geometry }[],
  others: { code: string; geometry: Geometry }[],
  parent: { code: string; geometry: Geometry } | null,
): BoundaryProblem[] {
  const problems: BoundaryProblem[] = [];
  const areas = new Map(incoming.map((f) => [f.code, area(feature(f.geometry))]));
  const all = [...incoming, ...others.filter((o) => !areas.has(o.code))];
  const boxes = all.map((f) => bbox(f.geometry));
  incoming.forEach((f, i) => {
    for (let j = 0; j < all.length; j++) {
      const g = all[j];
      if (g.code === f.code || (j < incoming.length && j <= i)) continue;
      if (!boxesMeet(boxes[i], boxes[j])) continue;
      const shared = overlapArea(f.geometry, g.geometry);
      const smaller = Math.min(areas.get(f.code)!, areas.get(g.code) ?? area(feature(g.geometry)));
      if (shared > OVERLAP_TOLERANCE.m2 && shared > OVERLAP_TOLERANCE.share * smaller)
        problems.push({
          feature: f.code,
          rule: "overlap",
          message: `${f.code}: 与 ${g.code} 重叠 ${Math.round(shared)} 平方米（允许 ${OVERLAP_TOLERANCE.m2} 平方米或较小者面积的 ${OVERLAP_TOLERANCE.share * 100}%）`,
        });
    }
    if (parent) {
      const inside = overlapArea(f.geometry, parent.geometry);
      const own = areas.get(f.code)!;
      if (own - inside > CONTAINMENT_TOLERANCE * own)
        problems.push({
          feature: f.code,
          rule: "outside_parent",
          message: `${f.code}: 有 ${Math.round(((own - inside) / own) * 100)}% 超出上级 ${parent.code} 的边界`,
        });
    }
  });
  return problems;
}

export function bbox(g: Geometry): [number, number, number, number] {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of polygonsOf(g))
    for (const [x, y] of poly[0] ?? []) {
      if (x < w) w = x;
      if (x > e) e = x;
      if (y < s) s = y;
      if (y > n) n = y;
    }
  return [w, s, e, n];
}

const boxesMeet = (a: number[], b: number[]) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

/**
 * Which unit's area holds a point: a static R-tree (Flatbush) over the areas' boxes narrows 908 grids to the
 * one or two whose box holds the point, then an exact point-in-polygon test decides. Built once per change
 * of the stored areas. A point on a shared edge goes to the first unit that holds it (by id order).
 */
export class AreaIndex<T> {
  private readonly tree: Flatbush | null;
  constructor(private readonly items: { value: T; geometry: Geometry }[]) {
    if (!items.length) {
      this.tree = null;
      return;
    }
    this.tree = new Flatbush(items.length);
    for (const it of items) this.tree.add(...bbox(it.geometry));
    this.tree.finish();
  }
  get size() {
    return this.items.length;
  }
  find(long: number, lat: number): T | null {
    if (!this.tree) return null;
    const hits = this.tree.search(long, lat, long, lat).sort((a, b) => a - b);
    for (const i of hits)
      if (booleanPointInPolygon([long, lat], this.items[i].geometry)) return this.items[i].value;
    return null;
  }
}

export const COORD_SYSTEMS = ["wgs84", "gcj02"] as const;
export type CoordSystem = (typeof COORD_SYSTEMS)[number];

/** A point as WGS-84: GCJ-02 (the offset coordinates Chinese map apps give) is converted; WGS-84 is kept. */
export function toWgs84(long: number, lat: number, system: CoordSystem): [number, number] {
  if (system === "wgs84") return [long, lat];
  const [x, y] = gcoord.transform([long, lat], gcoord.GCJ02, gcoord.WGS84) as [number, number];
  return [Math.round(x * 1e7) / 1e7, Math.round(y * 1e7) / 1e7];
}
