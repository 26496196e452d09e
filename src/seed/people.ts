import type { Database } from "../db/client.ts";
import { csvField } from "../db/client.ts";
import { boxOf, type PolygonGeometry, spreadInBox } from "../domain/geo/layout.ts";
import { generateBuilding, IdAllocator } from "../domain/people/generate.ts";
import { nameInitials } from "../domain/people/pinyin.ts";
import { createRng } from "../domain/people/random.ts";
import type { FieldCrypto } from "../server/platform/crypto.ts";

const RESIDENT_COLUMNS = [
  "id",
  "household_id",
  "building_id",
  "org_unit_id",
  "org_path",
  "name",
  "name_initials",
  "gender",
  "birth_date",
  "id_cipher",
  "id_hash",
  "id_tail",
  "phone_cipher",
  "phone_hash",
  "phone_tail",
  "address",
  "relation_to_head",
  "living_arrangement",
  "tags",
];

export interface PeopleSeedResult {
  buildings: number;
  households: number;
  residents: number;
}

interface UnitRow {
  id: number;
  kind: string;
  code: string;
  name: string;
  path: string;
  parent_id: number | null;
}

/**
 * Generates buildings, households and residents for every micro-grid under `scopeCode`, one community
 * per COPY so memory stays bounded at district scale. Each micro-grid has its own random stream, so
 * the same seed always gives the same people.
 */
export async function seedPeople(
  database: Database,
  crypto: FieldCrypto,
  scopeCode: string,
  seed: number,
  onProgress?: (done: number, total: number, residents: number) => void,
): Promise<PeopleSeedResult> {
  const [scope] = await database.query<UnitRow>("select * from org_units where code = $1", [scopeCode]);
  if (!scope) throw new Error(`组织代码 ${scopeCode} 不存在`);
  const units = await database.query<UnitRow>(
    "select id, kind, code, name, path, parent_id from org_units where path like $1 and kind in ('community','micro_grid') order by path",
    [`${scope.path}%`],
  );
  // Each building stands in its grid's area, spread over it (the grid's box; no random stream is used).
  const gridBoxes = new Map(
    (
      await database.query<{ id: number; boundary: PolygonGeometry | null }>(
        "select id, boundary from org_units where path like $1 and kind = 'grid'",
        [`${scope.path}%`],
      )
    ).map((g) => [g.id, g.boundary ? boxOf(g.boundary) : null]),
  );
  const microOf = new Map<number, number[]>();
  for (const u of units)
    if (u.kind === "micro_grid" && u.parent_id)
      microOf.set(u.parent_id, [...(microOf.get(u.parent_id) ?? []), u.id]);
  const communities = units.filter((u) => u.kind === "community");
  const micro = units.filter((u) => u.kind === "micro_grid");
  const [ids] = await database.query<{ b: number; h: number; r: number }>(
    "select (select coalesce(max(id),0) from buildings)::int as b, (select coalesce(max(id),0) from households)::int as h, (select coalesce(max(id),0) from residents)::int as r",
  );
  let bId = ids.b;
  let hId = ids.h;
  let rId = ids.r;
  const allocator = new IdAllocator();
  const result: PeopleSeedResult = { buildings: 0, households: 0, residents: 0 };

  let ci = 0;
  for (const community of communities) {
    const village = community.name.endsWith("村");
    const bRows: string[] = [];
    const hRows: string[] = [];
    const rRows: string[] = [];
    let buildingNo = 0;
    for (const m of micro) {
      if (!m.path.startsWith(community.path)) continue;
      const rng = createRng(seed, m.id);
      const b = generateBuilding(rng, allocator, { communityName: community.name, village }, ++buildingNo);
      const buildingId = ++bId;
      const box = m.parent_id ? gridBoxes.get(m.parent_id) : null;
      const siblings = m.parent_id ? (microOf.get(m.parent_id) ?? [m.id]) : [m.id];
      const [long, lat] = box
        ? spreadInBox(box, siblings.indexOf(m.id), siblings.length, m.code)
        : [null, null];
      bRows.push(
        [buildingId, m.id, m.path, b.name, b.address, b.floors, b.units, lat, long].map(csvField).join(","),
      );
      for (const h of b.households) {
        const householdId = ++hId;
        hRows.push(
          [householdId, buildingId, m.id, m.path, h.unitNo, h.roomNo, h.address].map(csvField).join(","),
        );
        for (const p of h.people) {
          rRows.push(
            [
              ++rId,
              householdId,
              buildingId,
              m.id,
              m.path,
              p.name,
              nameInitials(p.name),
              p.gender,
              p.birthDate,
              crypto.encrypt(p.idNumber),
              crypto.hash(p.idNumber),
              p.idNumber.slice(-4),
              p.phone && crypto.encrypt(p.phone),
              p.phone && crypto.hash(p.phone),
              p.phone?.slice(-4),
              h.address,
              p.relationToHead,
              p.livingArrangement,
              p.tags,
            ]
              .map(csvField)
              .join(","),
          );
        }
      }
    }
    await database.copyCsv(
      "buildings",
      ["id", "org_unit_id", "org_path", "name", "address", "floors", "units", "lat", "long"],
      bRows.join("\n"),
    );
    await database.copyCsv(
      "households",
      ["id", "building_id", "org_unit_id", "org_path", "unit_no", "room_no", "address"],
      hRows.join("\n"),
    );
    await database.copyCsv("residents", RESIDENT_COLUMNS, rRows.join("\n"));
    result.buildings += bRows.length;
    result.households += hRows.length;
    result.residents += rRows.length;
    onProgress?.(++ci, communities.length, result.residents);
  }
  await database.query("select setval('buildings_id_seq', greatest((select max(id) from buildings), 1))");
  await database.query("select setval('households_id_seq', greatest((select max(id) from households), 1))");
  await database.query("select setval('residents_id_seq', greatest((select max(id) from residents), 1))");
  return result;
}
