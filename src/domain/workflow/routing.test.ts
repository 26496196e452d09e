import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { POLICY_12345, POLICY_52022 } from "../sla/policy.ts";
import {
  fallbackChain,
  nextFallback,
  routeByTerritory,
  type Territory,
  territoryOf,
  unclaimedTooLong,
} from "./routing.ts";

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

describe("an order nobody claims (属地兜底 by time)", () => {
  const at = (h: number, m = 0) => new Date(Date.UTC(2026, 2, 2, h - 8, m)); // Shanghai, Monday 2 March 2026

  it("falls when the acceptance clock, counted from its arrival at this unit, has run out", () => {
    // 12345: sign within 2 working hours.
    expect(unclaimedTooLong(POLICY_12345, at(9), [], at(10, 59))).toBe(false);
    expect(unclaimedTooLong(POLICY_12345, at(9), [], at(11))).toBe(true);
    // 52022: on site within 5 minutes of reaching the unit.
    expect(unclaimedTooLong(POLICY_52022, at(9), [], at(9, 4))).toBe(false);
    expect(unclaimedTooLong(POLICY_52022, at(9), [], at(9, 5))).toBe(true);
  });

  it("gives the next level its own window: a fresh arrival is not yet too long", () => {
    expect(unclaimedTooLong(POLICY_52022, at(9, 6), [], at(9, 7))).toBe(false);
  });

  it("does not count time waiting on the resident", () => {
    expect(unclaimedTooLong(POLICY_52022, at(9), [{ from: at(9, 1), to: at(9, 30) }], at(9, 31))).toBe(false);
  });

  it("reads the territory from an org path", () => {
    expect(territoryOf("/320613/320613019/320613019010/320613019010-G03/")).toEqual(place);
    expect(territoryOf("/320613/320613019/320613019010/")).toEqual({ ...place, gridId: null });
  });
});
