import { sql } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { insertNotificationsSelect } from "../notifications/index.ts";

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
  return { overdue, warned };
}
