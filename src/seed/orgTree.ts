import type { Database } from "../db/client.ts";
import { csvField } from "../db/client.ts";
import { communityDisplayName, planCommunityGrids } from "../domain/org/plan.ts";
import { loadDistrict } from "./divisions.ts";

export const DISTRICT_CODE = "320613"; // 崇川区

export interface SeededUnit {
  id: number;
  kind: string;
  code: string;
  name: string;
  path: string;
  parentId: number | null;
  village: boolean;
}

/**
 * Loads the real district → street → community tree and the planned grids beneath it in one COPY.
 * Idempotent: if the district is already there it returns the stored units.
 */
export async function seedOrgTree(database: Database, areaCode = DISTRICT_CODE): Promise<SeededUnit[]> {
  const existing = await database.query<SeededUnit>(
    'select id, kind, code, name, path, parent_id as "parentId", false as village from org_units order by id',
  );
  if (existing.length > 0) return existing;

  const { district, streets, communities } = await loadDistrict(areaCode);
  const units: SeededUnit[] = [];
  let id = 0;
  const add = (kind: string, code: string, name: string, parent: SeededUnit | null, village = false) => {
    const u: SeededUnit = {
      id: ++id,
      kind,
      code,
      name,
      path: `${parent ? parent.path : "/"}${code}/`,
      parentId: parent?.id ?? null,
      village,
    };
    units.push(u);
    return u;
  };
  const d = add("district", district.code, district.name, null);
  const streetUnits = new Map<string, SeededUnit>();
  for (const s of streets) streetUnits.set(s.code, add("street", s.code, s.name, d));
  communities.forEach((c, ci) => {
    const street = streetUnits.get(c.parentCode);
    if (!street) throw new Error(`社区 ${c.code} 的街道 ${c.parentCode} 不存在`);
    const village = c.name.endsWith("村委会");
    const cu = add("community", c.code, communityDisplayName(c.name), street, village);
    for (const g of planCommunityGrids(c.code, ci, communities.length).grids) {
      const gu = add("grid", g.code, g.name, cu, village);
      for (const m of g.micro) add("micro_grid", m.code, m.name, gu, village);
    }
  });

  const depth = (k: string) => ["district", "street", "community", "grid", "micro_grid"].indexOf(k);
  const csv = units
    .map((u) => [u.id, u.parentId, u.kind, u.code, u.name, u.path, depth(u.kind)].map(csvField).join(","))
    .join("\n");
  await database.copyCsv("org_units", ["id", "parent_id", "kind", "code", "name", "path", "depth"], csv);
  await database.query("select setval('org_units_id_seq', (select max(id) from org_units))");
  return units;
}
