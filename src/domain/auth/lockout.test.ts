import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FREE_FAILURES, lockDurationMs } from "./lockout.ts";

describe("login lockout", () => {
  it("is free below the threshold, then doubles, capped at one hour", () => {
    expect(lockDurationMs(FREE_FAILURES - 1)).toBe(0);
    expect(lockDurationMs(FREE_FAILURES)).toBe(60_000);
    expect(lockDurationMs(FREE_FAILURES + 1)).toBe(120_000);
    expect(lockDurationMs(100)).toBe(3_600_000);
  });
  it("property: never shrinks as failures grow", () => {
    fc.assert(fc.property(fc.nat(200), (n) => lockDurationMs(n + 1) >= lockDurationMs(n)));
  });
});
