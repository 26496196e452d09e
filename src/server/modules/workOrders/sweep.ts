import { sql } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import { enqueue } from "../notifications/service.ts";

/**
 * The SLA sweep: marks orders whose running deadline has passed as overdue (and warns those nearing it),
 * writes an event and a notification for each. Rows are claimed with FOR UPDATE SKIP LOCKED inside one
 * transaction, so two server processes sweeping at once never handle the same order twice.
 */
export async function sweepSla(ctx: AppContext, now = new Date(), batch = 5000) {
  return ctx.database.db.transaction(async (tx) => {
    const db = tx as any;
    const overdue =
      (await db.execute(sql`select o.id, o.number, o.state, o.org_unit_id as "orgUnitId", o.org_path as "orgPath"
        from work_orders o where o.next_due_at <= ${now} and o.overdue_at is null
        order by o.next_due_at limit ${batch} for update skip locked`)) as { rows: any[] };
    for (const o of overdue.rows) {
      await db.execute(
        sql`update work_orders set overdue_at = ${now}, updated_at = now() where id = ${o.id}`,
      );
      await db.execute(sql`insert into work_order_events (order_id, action, from_state, to_state, actor_name, at, note)
        values (${o.id}, 'overdue', ${o.state}, ${o.state}, '系统', ${now}, '超过办理时限')`);
      await enqueue(db, {
        kind: "overdue",
        orderId: o.id,
        recipientOrgId: o.orgUnitId,
        orgPath: o.orgPath,
        title: `工单 ${o.number} 已超时`,
        body: "请尽快办理，已同步上级督办",
      });
    }
    const warn =
      (await db.execute(sql`select o.id, o.number, o.state, o.org_unit_id as "orgUnitId", o.org_path as "orgPath"
        from work_orders o where o.next_warn_at <= ${now} and o.warned_at is null and o.overdue_at is null
        order by o.next_warn_at limit ${batch} for update skip locked`)) as { rows: any[] };
    for (const o of warn.rows) {
      await db.execute(sql`update work_orders set warned_at = ${now}, updated_at = now() where id = ${o.id}`);
      await enqueue(db, {
        kind: "warning",
        orderId: o.id,
        recipientOrgId: o.orgUnitId,
        orgPath: o.orgPath,
        title: `工单 ${o.number} 即将超时`,
        body: "距办理时限不足 20%",
      });
    }
    return { overdue: overdue.rows.length, warned: warn.rows.length };
  });
}
