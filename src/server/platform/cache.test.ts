import { describe, expect, it, vi } from "vitest";
import { staleWhileRevalidate } from "./cache.ts";

describe("staleWhileRevalidate", () => {
  it("makes only the first reader wait; after the TTL the old value is answered while one refresh runs", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const cache = staleWhileRevalidate<string, { n: number }>({ max: 10, ttlMs: 1000 });
      const db = {};
      let loads = 0;
      let release: () => void = () => {};
      const load = () =>
        new Promise<{ n: number }>((resolve) => {
          const n = ++loads;
          if (n === 1) resolve({ n });
          else release = () => resolve({ n });
        });
      expect(await cache.get(db, "k", load)).toEqual({ n: 1 });
      expect(await cache.get(db, "k", load)).toEqual({ n: 1 });
      expect(loads).toBe(1);
      vi.setSystemTime(Date.now() + 1500);
      // Stale: answered at once with the old value, one refresh started however many read meanwhile.
      expect(await cache.get(db, "k", load)).toEqual({ n: 1 });
      expect(await cache.get(db, "k", load)).toEqual({ n: 1 });
      expect(loads).toBe(2);
      release();
      await new Promise((r) => setImmediate(r));
      expect(await cache.get(db, "k", load)).toEqual({ n: 2 });
      // A failed refresh keeps the old value and is tried again by the next reader.
      vi.setSystemTime(Date.now() + 1500);
      const errors: unknown[] = [];
      const failing = staleWhileRevalidate<string, { n: number }>({
        max: 10,
        ttlMs: 1000,
        onError: (e) => errors.push(e),
      });
      expect(await failing.get(db, "x", async () => ({ n: 7 }))).toEqual({ n: 7 });
      vi.setSystemTime(Date.now() + 1500);
      expect(await failing.get(db, "x", () => Promise.reject(new Error("down")))).toEqual({ n: 7 });
      await new Promise((r) => setImmediate(r));
      expect(errors).toHaveLength(1);
      expect(await failing.get(db, "x", async () => ({ n: 8 }))).toEqual({ n: 7 });
      await new Promise((r) => setImmediate(r));
      expect(await failing.get(db, "x", async () => ({ n: 9 }))).toEqual({ n: 8 });
    } finally {
      vi.useRealTimers();
    }
  });
});
