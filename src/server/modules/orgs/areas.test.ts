import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { gridAt } from "./index.ts";

// Grid areas: seeded for the whole demo district, importable per community as GeoJSON (checked, all or
// nothing), and a point routed to the grid that holds it.

type Ring = [number, number][];
const rect = (w: number, s: number, e: number, n: number) => ({
  type: "Polygon",
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});

describe.each(DB_KINDS)("grid areas on %s", (kind) => {
  let t: TestApp;
  let commander: Record<string, string>;
  let community: { id: number; code: string; box: [number, number, number, number] };
  let grids: { id: number; code: string }[];
  beforeAll(async () => {
    t = await createTestApp(kind);
    commander = await t.login("demo-commander");
    const [c] = await t.ctx.database.query<{ id: number; code: string; boundary: { coordinates: Ring[] } }>(
      "select id, code, boundary from org_units where code = '320613019010'",
    );
    const ring = c.boundary.coordinates[0];
    const xs = ring.map((p) => p[0]);
    const ys = ring.map((p) => p[1]);
    community = {
      id: c.id,
      code: c.code,
      box: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
    };
    grids = await t.ctx.database.query("select id, code from org_units where parent_id = $1 order by code", [
      c.id,
    ]);
  });
  afterAll(() => t?.close());

  const put = (body: unknown, headers = commander, id = community.id) =>
    t.app.inject({ method: "PUT", url: `/api/orgs/${id}/areas`, headers, payload: body as object });
  const boundaries = async () =>
    (
      await t.ctx.database.query<{ code: string; boundary: unknown }>(
        "select code, boundary from org_units where parent_id = $1 order by code",
        [community.id],
      )
    ).map((r) => JSON.stringify(r.boundary));

  it("seeds an area for every grid of the district, inside its community, and buildings inside their grid", async () => {
    const [{ n, without }] = await t.ctx.database.query<{ n: number; without: number }>(
      "select count(*)::int as n, count(*) filter (where boundary is null)::int as without from org_units where kind = 'grid'",
    );
    expect(n).toBe(908);
    expect(without).toBe(0);
    const buildings = await t.ctx.database.query<{ lat: number; long: number; gridId: number }>(
      `select b.lat, b.long, m.parent_id as "gridId" from buildings b join org_units m on m.id = b.org_unit_id`,
    );
    expect(buildings.length).toBeGreaterThan(0);
    for (const b of buildings) expect((await gridAt(t.ctx, b.long, b.lat))?.id).toBe(b.gridId);
  });

  it("imports a community's grid areas as GeoJSON and routes by them at once", async () => {
    const [w, s, e, n] = community.box;
    const step = (e - w) / grids.length;
    const fc = {
      type: "FeatureCollection",
      features: grids.map((g, i) => ({
        type: "Feature",
        properties: { code: g.code, name: "ignored" },
        geometry: rect(w + i * step, s, i === grids.length - 1 ? e : w + (i + 1) * step, n),
      })),
    };
    const r = await put(fc);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ updated: grids.length });
    // Vertical strips now: the middle of the last strip is the last grid.
    const hit = await gridAt(t.ctx, e - step / 2, (s + n) / 2);
    expect(hit?.id).toBe(grids[grids.length - 1].id);
  });

  it("refuses a malformed import naming the feature and the rule, and stores nothing", async () => {
    const before = await boundaries();
    const [w, s, e, n] = community.box;
    const mid = (w + e) / 2;
    const cases: [unknown, string, string][] = [
      [
        {
          type: "FeatureCollection",
          features: [
            {
              type: "Feature",
              properties: { code: grids[0].code },
              geometry: {
                type: "Polygon",
                coordinates: [
                  [
                    [w, s],
                    [mid, s],
                    [mid, n],
                    [w, n],
                  ],
                ],
              },
            },
          ],
        },
        grids[0].code,
        "ring_not_closed",
      ],
      [
        {
          type: "FeatureCollection",
          features: [
            {
              type: "Feature",
              properties: { code: grids[0].code },
              geometry: rect(w, s, mid + (e - w) / 4, n),
            },
            { type: "Feature", properties: { code: grids[1].code }, geometry: rect(mid, s, e, n) },
          ],
        },
        grids[0].code,
        "overlap",
      ],
      [
        {
          type: "FeatureCollection",
          features: [
            { type: "Feature", properties: { code: grids[0].code }, geometry: rect(w - 0.05, s, mid, n) },
          ],
        },
        grids[0].code,
        "outside_parent",
      ],
      [
        {
          type: "FeatureCollection",
          features: [
            { type: "Feature", properties: { code: "320613001001-G01" }, geometry: rect(w, s, mid, n) },
          ],
        },
        "320613001001-G01",
        "unknown_unit",
      ],
    ];
    for (const [body, feature, rule] of cases) {
      const r = await put(body);
      expect(r.statusCode, `${rule}: ${r.body}`).toBe(400);
      const fields = r.json().error.details.fields;
      expect(fields, rule).toContainEqual(expect.objectContaining({ field: feature, rule }));
      expect(r.json().error.message).toContain(feature);
      // Said in Chinese after the feature's code, as every field error of the app.
      for (const f of fields) expect(f.message, rule).toMatch(/: .*[\u4e00-\u9fff]/);
    }
    expect(await boundaries()).toEqual(before);
  });

  it("is for the district and street command, inside their subtree", async () => {
    const fc = {
      type: "FeatureCollection",
      features: [{ type: "Feature", properties: { code: grids[0].code }, geometry: rect(...community.box) }],
    };
    expect((await put(fc, await t.login("demo-community"))).statusCode).toBe(403);
    // A grid is not a unit one imports children's areas for.
    expect((await put(fc, commander, grids[0].id)).statusCode).toBe(400);
  });
});
