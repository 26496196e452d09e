import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FREE_FAILURES, LOGIN_LIMITS, lockDurationMs } from "./lockout.ts";

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

describe("login limits", () => {
  it("lock one account from one address first, then an address, then an account from everywhere", () => {
    const { accountAddress, address, account } = LOGIN_LIMITS;
    expect(lockDurationMs(accountAddress.free - 1, accountAddress.free)).toBe(0);
    expect(lockDurationMs(accountAddress.free, accountAddress.free)).toBe(60_000);
    expect(accountAddress.free).toBeLessThan(address.free);
    expect(address.free).toBeLessThan(account.free);
    expect(lockDurationMs(address.free - 1, address.free)).toBe(0);
    expect(lockDurationMs(account.free + 2, account.free)).toBe(240_000);
  });
});
