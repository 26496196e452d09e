import { subtreePattern } from "../../../domain/org/scope.ts";
import type { AppContext } from "../../context.ts";
import type { Scoped } from "../../platform/access.ts";
import { NotFound } from "../../platform/errors.ts";

// What a door-to-door campaign may take from a verification list as its target: the residents its
// effective rows matched. The campaigns module asks through this face; the list's table stays ours.

/** The list's id when it lies in the caller's subtree and has finished importing; 404 (or 400) otherwise. */
export async function listForCampaign(
  ctx: Pick<AppContext, "database">,
  who: Scoped,
  id: number,
): Promise<{ id: number; name: string }> {
  const [l] = await ctx.database.query<{ id: number; name: string }>(
    "select id, coalesce(filename, '') as name from verification_lists where id = $1 and org_path like $2",
    [id, subtreePattern(who.orgPath)],
  );
  if (!l) throw NotFound("核查名单不存在");
  return { id: l.id, name: l.name };
}

/**
 * A subquery of the resident ids matched by the list's effective rows, for a set-based insert; `param` is
 * the placeholder that holds the list id (e.g. "$3").
 */
export function listResidentsSql(param: string): string {
  return `select resident_id from verification_rows
           where list_id = ${param} and class in ('found', 'routed') and resident_id is not null`;
}
