import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fallbackChain, nextFallback, routeByTerritory, type Territory } from "./routing.ts";

const place: Territory = {
  gridId: "320613019010-G03",
  communityId: "320613019010",
  streetId: "320613019",
};

describe("属地兜底 fallback routing", () => {
  it("goes to the grid first", () => {
    expect(routeByTerritory(place)).toEqual({ level: "grid", orgUnitId: "320613019010-G03" });
  });

  it("falls to the community when no grid covers the place or the grid declined", () => {
    expect(routeByTerritory({ ...place, gridId: null })).toEqual({
      level: "community",
      orgUnitId: "320613019010",
    });
    expect(routeByTerritory(place, ["320613019010-G03"]).level).toBe("community");
  });

  it("ends at the street, which cannot decline", () => {
    expect(routeByTerritory(place, ["320613019010-G03", "320613019010"]).level).toBe("street");
    expect(routeByTerritory(place, ["320613019010-G03", "320613019010", "320613019"]).level).toBe("street");
    expect(routeByTerritory({ gridId: null, communityId: null, streetId: "320613019" }).level).toBe("street");
  });

  it("steps one level up at a time", () => {
    const grid = fallbackChain(place)[0];
    const community = nextFallback(place, grid)!;
    expect(community.level).toBe("community");
    expect(nextFallback(place, community)?.level).toBe("street");
    expect(nextFallback(place, { level: "street", orgUnitId: "320613019" })).toBeNull();
  });

  it("property: the route is always one of the place's own units, never below one that was skipped", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.subarray(["G1", "C1", "S1"]),
        (hasGrid, hasCommunity, declined) => {
          const t: Territory = {
            gridId: hasGrid ? "G1" : null,
            communityId: hasCommunity ? "C1" : null,
            streetId: "S1",
          };
          const route = routeByTerritory(t, declined);
          const chain = fallbackChain(t);
          expect(chain.map((c) => c.orgUnitId)).toContain(route.orgUnitId);
          const i = chain.findIndex((c) => c.orgUnitId === route.orgUnitId);
          for (const skipped of chain.slice(0, i)) expect(declined).toContain(skipped.orgUnitId);
        },
      ),
    );
  });
});
