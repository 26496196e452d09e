import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import {
  AreaIndex,
  type BoundaryProblem,
  checkGeometry,
  checkLayout,
  type Geometry,
} from "../../../domain/geo/boundaries.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { readThrough } from "../../platform/cache.ts";
import { AppError, Invalid } from "../../platform/errors.ts";
import { definePolicy, permits } from "../../platform/policy.ts";
import { IdParams, Line, stdErrors, Type } from "../../platform/schemas.ts";
import { getOrgUnit } from "./service.ts";

// Areas of org units: a street's communities or a community's grids are imported as GeoJSON, checked
// (shape, overlaps, inside the parent) and stored on the units; a point is routed to the grid that holds it.

export const areaPolicy = definePolicy<{ import: undefined }>(
  { import: (who) => permits(who, "org.area") },
  { import: "当前角色不能导入网格边界" },
);

export interface GridHit {
  id: number;
  path: string;
  name: string;
}

// One index per database; a change in this process forgets it, others see it within the TTL.
const indexes = readThrough<"grids", { index: AreaIndex<GridHit> }>({ max: 1, ttlMs: 60_000 });

async function gridIndex(ctx: AppContext): Promise<AreaIndex<GridHit>> {
  const hit = await indexes.get(ctx.database, "grids", async () => {
    const rows = await ctx.database.query<GridHit & { boundary: Geometry }>(
      "select id, path, name, boundary from org_units where kind = 'grid' and boundary is not null order by id",
    );
    return { index: new AreaIndex(rows.map(({ boundary, ...g }) => ({ value: g, geometry: boundary }))) };
  });
  return hit!.index;
}

/** The grid whose area holds the point (WGS-84), or null when none does (or none has an area). */
export async function gridAt(ctx: AppContext, long: number, lat: number): Promise<GridHit | null> {
  return (await gridIndex(ctx)).find(long, lat);
}

/** Forget the cached index (after an import). */
export function forgetAreas(ctx: AppContext) {
  indexes.forget(ctx.database);
}

const CHILD_KIND: Record<string, string> = { street: "community", community: "grid" };

interface FeatureIn {
  type?: string;
  properties?: { code?: unknown } | null;
  geometry?: unknown;
}

/**
 * Replaces the areas of some children of a street (its communities) or a community (its grids). Every
 * feature names a child by `properties.code`; all rules are checked before anything is written, and a
 * refusal names each feature and rule (400), nothing stored.
 */
export async function importAreas(
  ctx: AppContext,
  actor: Actor,
  unitId: number,
  body: { type: string; features: FeatureIn[] },
): Promise<{ updated: number }> {
  areaPolicy.authorize(actor, "import");
  const parent = await getOrgUnit(ctx, actor, unitId);
  const childKind = CHILD_KIND[parent.kind];
  if (!childKind)
    throw Invalid("只能为街道（社区边界）或社区（网格边界）导入", [
      { field: "id", message: "组织: 须为街道或社区" },
    ]);
  const children = await ctx.database.query<{
    id: number;
    code: string;
    path: string;
    boundary: Geometry | null;
  }>("select id, code, path, boundary from org_units where parent_id = $1 and kind = $2 order by id", [
    parent.id,
    childKind,
  ]);
  const byCode = new Map(children.map((c) => [c.code, c]));
  const problems: BoundaryProblem[] = [];
  const seen = new Set<string>();
  const incoming: { code: string; geometry: Geometry }[] = [];
  body.features.forEach((f, i) => {
    const code = typeof f.properties?.code === "string" ? f.properties.code : null;
    const name = code ?? `#${i + 1}`;
    if (f.type !== "Feature")
      problems.push({
        feature: name,
        rule: "feature",
        message: `${name}: 每一项须为 GeoJSON Feature`,
      });
    if (!code || !byCode.has(code)) {
      problems.push({
        feature: name,
        rule: "unknown_unit",
        message: `${name}: properties.code 须为${parent.name}下的${childKind === "grid" ? "网格" : "社区"}编码`,
      });
      return;
    }
    if (seen.has(code)) {
      problems.push({ feature: name, rule: "duplicate", message: `${name}: 重复出现` });
      return;
    }
    seen.add(code);
    const shape = checkGeometry(name, f.geometry);
    problems.push(...shape);
    if (!shape.length) incoming.push({ code, geometry: f.geometry as Geometry });
  });
  if (!problems.length) {
    const others = children
      .filter((c) => c.boundary && !seen.has(c.code))
      .map((c) => ({ code: c.code, geometry: c.boundary! }));
    const [p] = await ctx.database.query<{ boundary: Geometry | null }>(
      "select boundary from org_units where id = $1",
      [parent.id],
    );
    problems.push(
      ...checkLayout(incoming, others, p.boundary ? { code: parent.code, geometry: p.boundary } : null),
    );
  }
  if (problems.length)
    throw new AppError(400, "invalid", `边界不合格：${problems[0].message}`, {
      fields: problems.map((p) => ({ field: p.feature, message: p.message, rule: p.rule })),
    });
  await ctx.database.db.transaction(async (tx) => {
    for (const f of incoming) {
      const c = byCode.get(f.code)!;
      await tx.execute(
        sql`update org_units set boundary = ${JSON.stringify(f.geometry)}::jsonb, updated_at = now() where id = ${c.id}`,
      );
    }
    await audit.record(tx, actor, {
      action: "import_areas",
      entity: "org_unit",
      entityId: parent.id,
      orgPath: parent.path,
      after: { codes: incoming.map((f) => f.code) },
    });
  });
  forgetAreas(ctx);
  return { updated: incoming.length };
}

export async function areaRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 3 });
  app.put(
    "/api/orgs/:id/areas",
    {
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        tags: ["orgs"],
        summary: "导入下级边界（GeoJSON：街道导入社区边界，社区导入网格边界）",
        params: IdParams,
        body: Type.Object(
          {
            type: Type.Literal("FeatureCollection"),
            features: Type.Array(
              Type.Object({
                type: Line({ maxLength: 20 }),
                properties: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
                geometry: Type.Object(
                  {
                    type: Line({ maxLength: 20 }),
                    coordinates: Type.Array(
                      Type.Union([
                        Type.Array(Position, { maxItems: 20_000 }),
                        Type.Array(Type.Array(Position, { maxItems: 20_000 }), { maxItems: 100 }),
                      ]),
                      { maxItems: 100 },
                    ),
                  },
                  { additionalProperties: true },
                ),
              }),
              { minItems: 1, maxItems: 500 },
            ),
            // What GIS tools write beside the features (QGIS: name and crs); anything else is refused.
            name: Type.Optional(Line({ maxLength: 200 })),
            crs: Type.Optional(Type.Object({}, { additionalProperties: true })),
            bbox: Type.Optional(Type.Array(Type.Number(), { maxItems: 6 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ updated: Type.Integer() }), ...stdErrors },
      },
    },
    async (req) =>
      importAreas(ctx, req.actor, req.params.id, req.body as { type: string; features: FeatureIn[] }),
  );
}

/** A unit's own area and its children's (the command map), for a unit the caller has found in its scope. */
export async function unitAreas(ctx: AppContext, unit: { id: number }) {
  const rows = await ctx.database.query<{
    id: number;
    code: string;
    name: string;
    kind: string;
    self: boolean;
    boundary: Geometry | null;
  }>(
    `select id, code, name, kind, id = $1 as self, boundary from org_units where id = $1 or parent_id = $1
     order by code`,
    [unit.id],
  );
  return {
    self: rows.find((r) => r.self)?.boundary ?? null,
    children: rows.filter((r) => !r.self),
  };
}
