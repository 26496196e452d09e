import { describe, expect, it } from "vitest";
import { parseIdCard } from "../idcard/idcard.ts";
import { ageOn, generateBuilding, IdAllocator } from "./generate.ts";
import { createRng } from "./random.ts";

function sample(seed: number, n: number) {
  const ids = new IdAllocator();
  const out = [];
  for (let i = 0; i < n; i++)
    out.push(generateBuilding(createRng(seed, i), ids, { communityName: "苏阳社区", village: false }, i + 1));
  return out;
}

describe("generated people", () => {
  const buildings = sample(7, 60);
  const people = buildings.flatMap((b) => b.households.flatMap((h) => h.people));

  it("is deterministic for a seed", () => {
    expect(JSON.stringify(sample(7, 3))).toBe(JSON.stringify(buildings.slice(0, 3)));
    expect(JSON.stringify(sample(8, 3))).not.toBe(JSON.stringify(buildings.slice(0, 3)));
  });

  it("has valid, unique ID numbers consistent with birth date and gender", () => {
    const seen = new Set<string>();
    for (const p of people) {
      const r = parseIdCard(p.idNumber);
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r.info.birthDate).toBe(p.birthDate);
        expect(r.info.gender).toBe(p.gender);
      }
      expect(seen.has(p.idNumber)).toBe(false);
      seen.add(p.idNumber);
    }
  });

  it("tags follow age and household make-up", () => {
    for (const b of buildings)
      for (const h of b.households)
        for (const p of h.people) {
          expect(p.tags.includes("aged_80_plus")).toBe(ageOn(p.birthDate) >= 80);
          if (p.tags.includes("living_alone")) expect(h.people.length).toBe(1);
        }
    const share = (t: string) =>
      people.filter((p) => (p.tags as string[]).includes(t)).length / people.length;
    expect(share("aged_80_plus")).toBeGreaterThan(0.015);
    expect(share("aged_80_plus")).toBeLessThan(0.08);
    expect(share("living_alone")).toBeGreaterThan(0.01);
  });

  it("writes addresses the way residents say them", () => {
    expect(buildings[11].households[0].address).toMatch(/^苏阳社区 12幢 1单元 101室$/);
  });
});
