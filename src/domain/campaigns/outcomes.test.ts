import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { floorOf, householdState, OUTCOMES, type RecordFacts, share, visitTime } from "./outcomes.ts";

const record = fc.record({
  memberId: fc.integer({ min: 1, max: 4 }),
  outcome: fc.constantFrom(...OUTCOMES),
  visitedAt: fc.date({ min: new Date("2026-01-01"), max: new Date("2026-12-31"), noInvalidDate: true }),
  id: fc.integer({ min: 1, max: 1_000_000 }),
});

describe("a household's state from its records", () => {
  it("is the same however the records arrive (a sync order never changes the outcome)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(record, { selector: (r) => r.id, minLength: 1, maxLength: 8 }), (rs) => {
        const a = householdState(rs);
        const b = householdState([...rs].reverse());
        expect(b).toEqual(a);
      }),
    );
  });

  it("takes the latest visit, flags two members, and asks for a revisit a day after a closed door", () => {
    const at = (h: number) => new Date(Date.UTC(2026, 11, 1, h));
    const rs: RecordFacts[] = [
      { id: 1, memberId: 1, outcome: "done", visitedAt: at(9) },
      { id: 2, memberId: 2, outcome: "not_home", visitedAt: at(10) },
    ];
    expect(householdState(rs)).toEqual({
      status: "revisit",
      lastVisitAt: at(10),
      revisitDue: at(34),
      flagged: true,
    });
    expect(householdState([rs[0]]).flagged).toBe(false);
    expect(householdState([]).status).toBe("pending");
  });
});

describe("visit times and floors", () => {
  it("never keeps a phone's clock ahead of the server or before the campaign", () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (device) => {
        const received = new Date("2026-12-01T02:00:00Z");
        const earliest = new Date("2026-11-27T00:00:00Z");
        const t = visitTime(device, received, earliest).getTime();
        expect(t).toBeLessThanOrEqual(received.getTime());
        expect(t).toBeGreaterThanOrEqual(earliest.getTime());
      }),
    );
  });

  it("reads the floor of a room number", () => {
    expect(floorOf("1202室")).toBe(12);
    expect(floorOf("301室")).toBe(3);
    expect(floorOf("5号")).toBeNull();
    expect(floorOf(null)).toBeNull();
  });

  it("keeps shares within 0..1", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (a, b) => {
        const s = share(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }),
    );
  });
});
