import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canCancel, cancel, claim, type Slot, taken } from "./claims.ts";

describe("claims under a hard capacity", () => {
  it("never more claimed than the capacity, and a freed place goes to the first waitlisted", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.record({ cancel: fc.boolean(), m: fc.integer({ min: 0, max: 25 }) }), { maxLength: 80 }),
        (capacity, ops) => {
          let s: Slot = { capacity, claims: [] };
          for (const o of ops) {
            const member = `m${o.m}`;
            if (o.cancel) {
              const before = s.claims.find((c) => c.state === "waitlisted")?.member ?? null;
              const wasClaimed = s.claims.some((c) => c.member === member && c.state === "claimed");
              const r = cancel(s, member);
              expect(r.promoted).toBe(wasClaimed ? before : null);
              s = r.slot;
            } else {
              const r = claim(s, member);
              if ("slot" in r) s = r.slot;
            }
            expect(taken(s)).toBeLessThanOrEqual(capacity);
            // No one waits while a place is free.
            if (s.claims.some((c) => c.state === "waitlisted")) expect(taken(s)).toBe(capacity);
          }
        },
      ),
    );
  });

  it("a member claims once", () => {
    const r = claim({ capacity: 2, claims: [{ member: "a", state: "claimed" }] }, "a");
    expect(r).toEqual({ error: "already" });
  });

  it("cancelling closes at the cut-off", () => {
    const start = new Date("2026-12-01T10:00:00Z");
    expect(canCancel(new Date("2026-12-01T07:59:00Z"), start, 120)).toBe(true);
    expect(canCancel(new Date("2026-12-01T08:01:00Z"), start, 120)).toBe(false);
  });
});
