import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apply, balanced, type Leg, legsOf, pointsForMinutes } from "./ledger.ts";

const op = fc.oneof(
  fc.record({
    kind: fc.constant("award" as const),
    m: fc.integer({ min: 0, max: 4 }),
    points: fc.integer({ min: 1, max: 500 }),
  }),
  fc.record({
    kind: fc.constant("redeem" as const),
    m: fc.integer({ min: 0, max: 4 }),
    points: fc.integer({ min: 1, max: 500 }),
  }),
  fc.record({ kind: fc.constant("reversal" as const), i: fc.nat() }),
);

describe("points ledger", () => {
  it("every posting is balanced; member balances never go negative; entries always sum to the balances", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let balances = new Map<string, number>();
        const posted: Leg[][] = [];
        const entries: Leg[] = [];
        for (const o of ops) {
          const legs =
            o.kind === "reversal"
              ? posted.length
                ? legsOf({ kind: "reversal", of: posted[o.i % posted.length] })
                : null
              : legsOf({ kind: o.kind, member: `m${o.m}`, community: "c", points: o.points });
          if (!legs) continue;
          expect(balanced(legs)).toBe(true);
          const r = apply(balances, legs);
          if (!r.ok) continue; // refused: nothing written
          balances = r.balances;
          posted.push(legs);
          entries.push(...legs);
        }
        const sums = new Map<string, number>();
        for (const e of entries) sums.set(e.account, (sums.get(e.account) ?? 0) + e.amount);
        for (const [acct, b] of balances) {
          expect(sums.get(acct) ?? 0).toBe(b);
          if (acct.startsWith("m")) expect(b).toBeGreaterThanOrEqual(0);
        }
        expect([...balances.values()].reduce((s, b) => s + b, 0)).toBe(0);
      }),
    );
  });

  it("a redemption beyond the balance is refused whole", () => {
    const award = legsOf({ kind: "award", member: "m", community: "c", points: 30 });
    const b = apply(new Map(), award);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    expect(apply(b.balances, legsOf({ kind: "redeem", member: "m", community: "c", points: 31 }))).toEqual({
      ok: false,
      short: "m",
    });
  });

  it("refuses zero, negative and fractional points", () => {
    expect(() => legsOf({ kind: "award", member: "m", community: "c", points: 0 })).toThrow();
    expect(() => legsOf({ kind: "redeem", member: "m", community: "c", points: 1.5 })).toThrow();
  });

  it("points for minutes round half up and grow with the minutes", () => {
    expect(pointsForMinutes(90, 10)).toBe(15);
    expect(pointsForMinutes(3, 10)).toBe(1);
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), fc.integer({ min: 1, max: 100 }), (a, b, r) =>
        a <= b ? pointsForMinutes(a, r) <= pointsForMinutes(b, r) : true,
      ),
    );
  });
});
