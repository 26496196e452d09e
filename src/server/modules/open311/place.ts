import type { AppContext, ClientPrincipal, SystemPrincipal } from "../../context.ts";
import { canSee, scopeWhere } from "../../platform/access.ts";
import * as orgs from "../orgs/index.ts";

/**
 * Where a request from outside lands, inside the caller's area (an api key's, or an upstream link's): the
 * building an address names (`address_id` or `address_string`), else the grid whose area holds the point.
 * Neither: undefined both, and the caller falls back (属地兜底) or refuses, as its rules say.
 */
export async function placeOf(
  ctx: AppContext,
  who: ClientPrincipal | SystemPrincipal,
  at: { addressId?: number; addressString?: string; lat: number | null; long: number | null },
): Promise<{ buildingId?: number; gridId?: number; addressIdUnknown?: boolean }> {
  let buildingId: number | undefined;
  if (at.addressId) {
    const params: unknown[] = [at.addressId];
    const [bl] = await ctx.database.query<{ id: number }>(
      `select id from buildings where id = $1 and ${scopeWhere(who, "org_path", params)}`,
      params,
    );
    if (!bl) return { addressIdUnknown: true };
    buildingId = bl.id;
  } else if (at.addressString) {
    const addr = at.addressString.replace(/\s+/g, " ");
    const params: unknown[] = [addr];
    const [bl] = await ctx.database.query<{ id: number }>(
      `select id from buildings where ${scopeWhere(who, "org_path", params)} and $1 like '%' || address || '%'
       order by length(address) desc limit 1`,
      params,
    );
    buildingId = bl?.id;
  }
  if (buildingId) return { buildingId };
  // No building: the grid whose area holds the point, when it is the caller's to send to.
  if (at.lat !== null && at.long !== null) {
    const grid = await orgs.gridAt(ctx, at.long, at.lat);
    if (grid && canSee(who, grid.path)) return { gridId: grid.id };
  }
  return {};
}
