import { describe, expect, it } from "vitest";
import { AreaIndex, checkGeometry, checkLayout, type Geometry, toWgs84 } from "./boundaries.ts";
import { type Box, boxPolygon, layoutDistrict, spreadInBox } from "./layout.ts";

const tree = () => {
  const units = [{ code: "D", kind: "district", parentCode: null as string | null }];
  for (let s = 0; s < 3; s++) {
    units.push({ code: `S${s}`, kind: "street", parentCode: "D" });
    for (let c = 0; c < 4; c++) {
      units.push({ code: `S${s}C${c}`, kind: "community", parentCode: `S${s}` });
      for (let g = 0; g < 4 + ((s + c) % 2); g++)
        units.push({ code: `S${s}C${c}G${g}`, kind: "grid", parentCode: `S${s}C${c}` });
    }
  }
  return units;
};
const inBox = ([w, s, e, n]: Box, [x, y]: [number, number]) => x > w && x < e && y > s && y < n;

describe("the demo district's areas", () => {
  const units = tree();
  const boxes = layoutDistrict(units);
  const grids = units.filter((u) => u.kind === "grid");

  it("gives every unit a box inside its parent's, siblings not overlapping", () => {
    expect(boxes.size).toBe(units.length);
    for (const u of units) {
      const [w, s, e, n] = boxes.get(u.code)!;
      expect(e).toBeGreaterThan(w);
      expect(n).toBeGreaterThan(s);
      if (!u.parentCode) continue;
      const [pw, ps, pe, pn] = boxes.get(u.parentCode)!;
      expect(w >= pw && s >= ps && e <= pe && n <= pn, u.code).toBe(true);
    }
    const geoms = grids.map((g) => ({ code: g.code, geometry: boxPolygon(boxes.get(g.code)!) as Geometry }));
    const perCommunity = (c: string) => geoms.filter((g) => g.code.startsWith(`${c}G`));
    for (const c of units.filter((u) => u.kind === "community")) {
      const parent = { code: c.code, geometry: boxPolygon(boxes.get(c.code)!) as Geometry };
      expect(checkLayout(perCommunity(c.code), [], parent)).toEqual([]);
    }
  });

  it("is the same every time, and spreads buildings inside their grid", () => {
    expect(layoutDistrict(units)).toEqual(boxes);
    const b = boxes.get("S1C2G3")!;
    const pts = Array.from({ length: 17 }, (_, i) => spreadInBox(b, i, 17, `S1C2G3-M${i}`));
    for (const p of pts) expect(inBox(b, p)).toBe(true);
    expect(new Set(pts.map(String)).size).toBe(17);
  });

  it("finds the grid holding a point, and none outside the district", () => {
    const index = new AreaIndex(
      grids.map((g) => ({ value: g.code, geometry: boxPolygon(boxes.get(g.code)!) })),
    );
    for (const g of grids) {
      const p = spreadInBox(boxes.get(g.code)!, 0, 1, g.code);
      expect(index.find(p[0], p[1])).toBe(g.code);
    }
    expect(index.find(0, 0)).toBeNull();
    expect(new AreaIndex([]).find(1, 1)).toBeNull();
  });
});

describe("boundary rules", () => {
  const square = (x: number, y: number, d: number): Geometry => ({
    type: "Polygon",
    coordinates: [
      [
        [x, y],
        [x + d, y],
        [x + d, y + d],
        [x, y + d],
        [x, y],
      ],
    ],
  });

  it("names the feature and the rule for a malformed geometry", () => {
    expect(checkGeometry("G1", { type: "Point", coordinates: [1, 2] })[0].rule).toBe("geometry_type");
    const open = {
      type: "Polygon",
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
        ],
      ],
    };
    expect(checkGeometry("G1", open).map((p) => p.rule)).toEqual(["ring_not_closed"]);
    expect(
      checkGeometry("G2", {
        type: "Polygon",
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      })[0].rule,
    ).toBe("ring_too_short");
    expect(
      checkGeometry("G3", {
        type: "Polygon",
        coordinates: [
          [
            [0, 0],
            [400, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      })[0].rule,
    ).toBe("position");
    expect(checkGeometry("G4", square(120.9, 32, 0.01))).toEqual([]);
  });

  it("refuses overlaps beyond the tolerance and units outside their parent", () => {
    const parent = { code: "C", geometry: square(120.9, 32, 0.02) };
    const a = { code: "A", geometry: square(120.9, 32, 0.01) };
    const b = { code: "B", geometry: square(120.905, 32, 0.01) };
    const problems = checkLayout([a, b], [], parent);
    expect(problems.map((p) => [p.feature, p.rule])).toEqual([["A", "overlap"]]);
    const out = { code: "X", geometry: square(120.915, 32, 0.01) };
    expect(checkLayout([out], [], parent).map((p) => p.rule)).toEqual(["outside_parent"]);
    // Touching along an edge is fine.
    const c = { code: "B2", geometry: square(120.91, 32, 0.01) };
    expect(checkLayout([a, c], [], parent)).toEqual([]);
  });

  it("converts GCJ-02 to WGS-84 (a few hundred metres in Nantong) and keeps WGS-84", () => {
    expect(toWgs84(120.9, 32.0, "wgs84")).toEqual([120.9, 32.0]);
    const [x, y] = toWgs84(120.9, 32.0, "gcj02");
    expect(Math.abs(x - 120.9)).toBeGreaterThan(0.001);
    expect(Math.abs(x - 120.9)).toBeLessThan(0.01);
    expect(Math.abs(y - 32.0)).toBeLessThan(0.01);
  });
});
