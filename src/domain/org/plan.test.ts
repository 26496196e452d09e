import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { communityDisplayName, evenShare, planCommunityGrids } from "./plan.ts";

describe("grid planning", () => {
  it("gives the district exactly 908 grids and 14,277 micro-grids over 182 communities", () => {
    let grids = 0;
    let micro = 0;
    for (let i = 0; i < 182; i++) {
      const p = planCommunityGrids(`3206130000${i}`, i, 182);
      grids += p.grids.length;
      for (const g of p.grids) micro += g.micro.length;
      expect(p.grids.length).toBeGreaterThanOrEqual(4);
      expect(p.grids.length).toBeLessThanOrEqual(5);
    }
    expect(grids).toBe(908);
    expect(micro).toBe(14_277);
  });

  it("property: an even share sums to the total and differs by at most one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 2_000 }), (total, n) => {
        let sum = 0;
        const lo = Math.floor(total / n);
        for (let i = 0; i < n; i++) {
          const s = evenShare(total, n, i);
          expect(s === lo || s === lo + 1).toBe(true);
          sum += s;
        }
        expect(sum).toBe(total);
      }),
    );
  });

  it("names communities as people say them", () => {
    expect(communityDisplayName("苏阳社区居委会")).toBe("苏阳社区");
    expect(communityDisplayName("西安桥村委会")).toBe("西安桥村");
    expect(communityDisplayName("桥东村社区居委会")).toBe("桥东村社区");
  });
});
