import type { Database } from "../db/client.ts";
import { csvField } from "../db/client.ts";
import { boxPolygon, layoutDistrict } from "../domain/geo/layout.ts";
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
  if (existing.length > 0) {
    await seedBoundaries(database);
    return existing;
  }

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
  const boxes = layoutDistrict(
    units.map((u) => ({ code: u.code, kind: u.kind, parentCode: codeOf(units, u.parentId) })),
  );
  const csv = units
    .map((u) => {
      const box = boxes.get(u.code);
      return [
        u.id,
        u.parentId,
        u.kind,
        u.code,
        u.name,
        u.path,
        depth(u.kind),
        box ? JSON.stringify(boxPolygon(box)) : null,
      ]
        .map(csvField)
        .join(",");
    })
    .join("\n");
  await database.copyCsv(
    "org_units",
    ["id", "parent_id", "kind", "code", "name", "path", "depth", "boundary"],
    csv,
  );
  await database.query("select setval('org_units_id_seq', (select max(id) from org_units))");
  return units;
}

function codeOf(units: SeededUnit[], id: number | null): string | null {
  if (id === null) return null;
  return units[id - 1]?.id === id ? units[id - 1].code : (units.find((u) => u.id === id)?.code ?? null);
}

/**
 * The demo areas (domain/geo/layout.ts) for a tree stored before units had them: every unit above the
 * micro-grids that has none gets its box. Units that have an area (imported) keep it.
 */
export async function seedBoundaries(database: Database): Promise<number> {
  const rows = await database.query<{ code: string; kind: string; parentCode: string | null; has: boolean }>(
    `select u.code, u.kind, p.code as "parentCode", u.boundary is not null as has
     from org_units u left join org_units p on p.id = u.parent_id where u.kind <> 'micro_grid' order by u.id`,
  );
  if (!rows.length || rows.every((r) => r.has)) return 0;
  const boxes = layoutDistrict(rows);
  const missing = rows.filter((r) => !r.has && boxes.has(r.code));
  await database.query(
    `update org_units u set boundary = x.boundary from jsonb_to_recordset($1::jsonb) as x(code text, boundary jsonb)
     where u.code = x.code and u.boundary is null`,
    [JSON.stringify(missing.map((r) => ({ code: r.code, boundary: boxPolygon(boxes.get(r.code)!) })))],
  );
  return missing.length;
}
