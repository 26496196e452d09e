// Small seeded PRNG so a seed number always yields the same district.

export interface Rng {
  next(): number; // [0, 1)
  int(min: number, max: number): number; // inclusive
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  weighted<T>(table: WeightedTable<T>): T;
}

export interface WeightedTable<T> {
  items: T[];
  cumulative: number[];
  total: number;
}

export function weightedTable<T>(pairs: [T, number][]): WeightedTable<T> {
  let total = 0;
  const cumulative: number[] = [];
  for (const [, w] of pairs) {
    total += w;
    cumulative.push(total);
  }
  return { items: pairs.map(([t]) => t), cumulative, total };
}

/** mulberry32, mixed with a second integer so independent streams (per micro-grid) stay reproducible. */
export function createRng(seed: number, stream = 0): Rng {
  let a = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35)) >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
    weighted(table) {
      const x = next() * table.total;
      let lo = 0;
      let hi = table.cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (table.cumulative[mid] > x) hi = mid;
        else lo = mid + 1;
      }
      return table.items[lo];
    },
  };
}
