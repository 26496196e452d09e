import { sql } from "drizzle-orm";
import {
  nextFallback,
  ROUTING_LEVEL_LABELS,
  type RoutingLevel,
  territoryOf,
  unclaimedTooLong,
} from "../../../domain/workflow/index.ts";
import type { AppContext } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { AppError } from "../../platform/errors.ts";
import { insertNotificationsSelect } from "../notifications/index.ts";
import { policyOf, toDomain } from "./flow.ts";
import { transitionOrder } from "./service.ts";

/** The sweep acts as the system on its own duty; order timelines name it. */
export const SLA_SWEEP = systemPrincipal("sla_sweep", "系统（时限巡检）");

/**
 * The SLA sweep: marks orders whose running deadline has passed as overdue, and warns those nearing it,
 * each with an event and an outbox message. One statement per batch claims the rows with FOR UPDATE SKIP
 * LOCKED, updates them and writes their events and messages, so two server processes sweeping at once
 * never handle an order twice; batches repeat until one comes back short, so a backlog clears in one call.
 */
export async function sweepSla(ctx: AppContext, now = new Date(), batch = 5000) {
  const db = ctx.database.db;
  const fallen = await fallUnclaimed(ctx, now);
  let overdue = 0;
  let warned = 0;
  for (;;) {
    const r = (await db.execute(sql`
      with due as (
        select id from work_orders where next_due_at <= ${now} and overdue_at is null
        order by next_due_at limit ${batch} for update skip locked
      ), marked as (
        update work_orders o set overdue_at = ${now}, updated_at = now() from due where o.id = due.id
        returning o.id, o.number, o.state, o.org_unit_id, o.org_path
      ), events as (
        insert into work_order_events (order_id, action, from_state, to_state, actor_name, at, note)
        select id, 'overdue', state, state, ${SLA_SWEEP.displayName}, ${now}, '超过办理时限' from marked
      )
      ${sql.raw(
        insertNotificationsSelect(
          `select 'overdue', id, org_unit_id, org_path, '工单 ' || number || ' 已超时', '请尽快办理，已同步上级督办' from marked`,
        ),
      )}
      returning order_id`)) as { rows: unknown[] };
    overdue += r.rows.length;
    if (r.rows.length < batch) break;
  }
  for (;;) {
    const r = (await db.execute(sql`
      with due as (
        select id from work_orders where next_warn_at <= ${now} and warned_at is null and overdue_at is null
        order by next_warn_at limit ${batch} for update skip locked
      ), marked as (
        update work_orders o set warned_at = ${now}, updated_at = now() from due where o.id = due.id
        returning o.id, o.number, o.org_unit_id, o.org_path
      )
      ${sql.raw(
        insertNotificationsSelect(
          `select 'warning', id, org_unit_id, org_path, '工单 ' || number || ' 即将超时', '距办理时限不足 20%' from marked`,
        ),
      )}
      returning order_id`)) as { rows: unknown[] };
    warned += r.rows.length;
    if (r.rows.length < batch) break;
  }
  return { overdue, warned, fallen };
}

/**
 * 属地兜底: an order its grid has not accepted within the acceptance clock falls to its community, and one its
 * community has not accepted within a fresh window falls to the street (the street cannot decline). Each
 * fall is a reassignment by the sweep, in the timeline with its reason; the deadlines still count from the
 * first dispatch, so the order stays overdue where it lands. Two sweeps at once: the version check lets one
 * move an order and the other skip it. At most `limit` per run; the next run takes the rest.
 */
export async function fallUnclaimed(ctx: AppContext, now = new Date(), limit = 200) {
  const candidates = await ctx.database.query<{
    id: number;
    state: string;
    version: number;
    flow: unknown;
    slaPolicy: string;
    orgPath: string;
    routedLevel: RoutingLevel;
    routedAt: Date;
  }>(
    `select o.id, o.state, o.version, o.flow, o.sla_policy as "slaPolicy", o.org_path as "orgPath",
       o.routed_level as "routedLevel",
       (select max(e.at) from work_order_events e where e.order_id = o.id and e.action in ('dispatch', 'reassign')) as "routedAt"
     from work_orders o
     where o.state = 'dispatched' and o.next_due_at <= $1 and o.routed_level in ('grid', 'community')
     order by o.next_due_at limit $2`,
    [now, limit],
  );
  let fallen = 0;
  for (const c of candidates) {
    if (
      !c.routedAt ||
      !unclaimedTooLong(policyOf(c.slaPolicy), new Date(c.routedAt), toDomain(c).pauses, now)
    )
      continue;
    const territory = territoryOf(c.orgPath);
    const here = c.routedLevel === "grid" ? territory.gridId : territory.communityId;
    const next = here ? nextFallback(territory, { level: c.routedLevel, orgUnitId: here }) : null;
    if (!next) continue;
    const [unit] = await ctx.database.query<{ id: number }>("select id from org_units where code = $1", [
      next.orgUnitId,
    ]);
    if (!unit) continue;
    try {
      await transitionOrder(
        ctx,
        SLA_SWEEP,
        c.id,
        "reassign",
        {
          version: c.version,
          orgUnitId: unit.id,
          note: `超时未签收，属地兜底转至${ROUTING_LEVEL_LABELS[next.level]}`,
        },
        { now },
      );
      fallen++;
    } catch (e) {
      // Someone acted on it meanwhile (accepted, or another sweep moved it): nothing to do.
      if (!(e instanceof AppError && e.status === 409)) throw e;
    }
  }
  return fallen;
}
