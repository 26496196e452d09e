import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkIn, checkOut, serviceMinutes, taskToken, tokenTaskId, tokenValid } from "./attendance.ts";

const slot = { startsAt: new Date("2026-12-01T10:00:00Z"), endsAt: new Date("2026-12-01T12:00:00Z") };
const at = (iso: string) => new Date(iso);

describe("QR check-in and hours", () => {
  it("a token names its task and verifies only with the key and nonce it was made with", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999 }), fc.string({ minLength: 1 }), (id, nonce) => {
        const t = taskToken("k", id, nonce);
        expect(tokenTaskId(t)).toBe(id);
        expect(tokenValid("k", t, id, nonce)).toBe(true);
        expect(tokenValid("other", t, id, nonce)).toBe(false);
        expect(tokenValid("k", t, id + 1, nonce)).toBe(false);
        expect(tokenValid("k", t, id, `${nonce}x`)).toBe(false);
      }),
    );
    expect(tokenTaskId("hello")).toBeNull();
  });

  it("check-in inside the window once; outside or twice is refused", () => {
    const none = { checkInAt: null, checkOutAt: null };
    expect(checkIn(at("2026-12-01T09:40:00Z"), slot, none)).toBeNull();
    expect(checkIn(at("2026-12-01T09:20:00Z"), slot, none)).toBe("before_window");
    expect(checkIn(at("2026-12-01T12:01:00Z"), slot, none)).toBe("after_window");
    expect(checkIn(at("2026-12-01T10:30:00Z"), slot, { checkInAt: slot.startsAt, checkOutAt: null })).toBe(
      "already_in",
    );
    expect(checkOut(at("2026-12-01T11:00:00Z"), slot, none)).toBe("not_in");
    expect(checkOut(at("2026-12-01T13:30:00Z"), slot, { checkInAt: slot.startsAt, checkOutAt: null })).toBe(
      "after_window",
    );
  });

  it("service minutes lie within the slot and never exceed it", () => {
    expect(serviceMinutes(slot, at("2026-12-01T09:40:00Z"), at("2026-12-01T12:30:00Z"))).toBe(120);
    expect(serviceMinutes(slot, at("2026-12-01T10:15:00Z"), at("2026-12-01T11:00:00Z"))).toBe(45);
    fc.assert(
      fc.property(fc.integer({ min: -200, max: 300 }), fc.integer({ min: 0, max: 400 }), (inOff, len) => {
        const inAt = new Date(slot.startsAt.getTime() + inOff * 60_000);
        const outAt = new Date(inAt.getTime() + len * 60_000);
        const m = serviceMinutes(slot, inAt, outAt);
        expect(m).toBeGreaterThanOrEqual(0);
        expect(m).toBeLessThanOrEqual(120);
        expect(m).toBeLessThanOrEqual(len);
      }),
    );
  });
});
