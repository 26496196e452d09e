import { sql } from "drizzle-orm";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { NotFound } from "../../platform/errors.ts";
import { inTx, pattern, rows, type Settings, settingsOf, type Tx } from "./common.ts";
import { volunteerPolicy } from "./policy.ts";

// A community's rules 积分规则 (issue 13, points 5 and 6): points per confirmed hour, per fulfilled wish, per finished
// 点单, and the quarterly minimum of service hours the reminders hold members to. The community sets its own; the
// street and the district those below them. Awards read them when they post (settingsOf), the reminders when they
// sweep, so a change applies from the next award on and never rewrites what was posted.

async function communityIn(db: Tx, who: Principal, id: number) {
  const [c] = await rows<{ id: number; name: string; path: string }>(
    db,
    sql`select id, name, path from org_units where id = ${id} and kind = 'community' and path like ${pattern(who)}`,
  );
  if (!c) throw NotFound("社区不存在");
  return c;
}

async function present(db: Tx, c: { id: number; name: string }) {
  const [row] = await rows<{ updatedAt: Date }>(
    db,
    sql`select updated_at as "updatedAt" from volunteer_settings where community_id = ${c.id}`,
  );
  return {
    communityId: c.id,
    communityName: c.name,
    ...(await settingsOf(db, c.id)),
    updatedAt: row?.updatedAt ?? null,
  };
}

export async function rulesOf(ctx: AppContext, who: Principal, communityId: number) {
  volunteerPolicy.authorize(who, "read");
  const db = ctx.database.db as unknown as Tx;
  return present(db, await communityIn(db, who, communityId));
}

export async function setRules(ctx: AppContext, who: Principal, communityId: number, next: Settings) {
  volunteerPolicy.authorize(who, "govern");
  return inTx(ctx, async (tx) => {
    const c = await communityIn(tx, who, communityId);
    // The row, locked, so two editors' before/after follow each other.
    await tx.execute(
      sql`insert into volunteer_settings (community_id, org_path) values (${c.id}, ${c.path}) on conflict do nothing`,
    );
    await tx.execute(sql`select 1 from volunteer_settings where community_id = ${c.id} for update`);
    const before = await settingsOf(tx, c.id);
    await tx.execute(
      sql`update volunteer_settings set points_per_hour = ${next.pointsPerHour}, points_per_wish = ${next.pointsPerWish},
        points_per_request = ${next.pointsPerRequest}, quarterly_min_hours = ${next.quarterlyMinHours}, updated_at = now()
        where community_id = ${c.id}`,
    );
    const after = {
      pointsPerHour: next.pointsPerHour,
      pointsPerWish: next.pointsPerWish,
      pointsPerRequest: next.pointsPerRequest,
      quarterlyMinHours: next.quarterlyMinHours,
    };
    await audit.record(tx, who, {
      action: "update",
      entity: "volunteer_settings",
      entityId: c.id,
      orgPath: c.path,
      before: { ...before },
      after,
    });
    return present(tx, c);
  });
}
