// Verification tasks at the door: the effective rows of every list, on their resident's grid. A grid worker
// sees their grid's tasks (the query carries the scope: another grid's task is 404) and records one of the
// outcome codes with a note; every outcome is audited.
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { OUTCOME_LABELS, type Outcome } from "../../../domain/verification/match.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import { verificationPolicy } from "./policy.ts";
import { presentRow, type RowRecord } from "./presenter.ts";

const TASK_COLUMNS = `v.id, v.n, v.name, v.id_tail as "idTail", v.id_status as "idStatus", v.phone_tail as "phoneTail",
  v.address, v.stated_community as "statedCommunity", v.class, v.reasons, v.match_by as "matchBy", v.score,
  v.street_code as "streetCode", v.community_code as "communityCode", v.grid_path as "gridPath",
  g.name as "gridName", v.outcome, v.outcome_note as "outcomeNote", v.outcome_at as "outcomeAt",
  v.outcome_by_name as "outcomeByName", v.original_cipher as "originalCipher", v.id_cipher as "idCipher",
  v.phone_cipher as "phoneCipher", l.title as "listTitle", l.deadline::text as deadline, v.list_id as "listId"`;

/** The caller's tasks: open ones first by deadline, then the done ones of the last days. */
export async function listTasks(ctx: AppContext, actor: Actor, q: { open?: boolean; list?: number }) {
  verificationPolicy.authorize(actor, "task");
  const params: unknown[] = [subtreePattern(actor.orgPath)];
  const where = ["v.grid_path like $1", "l.state = 'succeeded'"];
  if (q.open) where.push("v.outcome is null");
  if (q.list) where.push(`v.list_id = $${params.push(q.list)}`);
  const rows = await ctx.database.query<RowRecord>(
    `select ${TASK_COLUMNS} from verification_rows v join verification_lists l on l.id = v.list_id
     left join org_units g on g.path = v.grid_path
     where ${where.join(" and ")}
     order by (v.outcome is not null), l.deadline nulls last, v.list_id, v.n limit 200`,
    params,
  );
  const [{ open }] = await ctx.database.query<{ open: number }>(
    `select count(*)::int as open from verification_rows v join verification_lists l on l.id = v.list_id
     where v.grid_path like $1 and l.state = 'succeeded' and v.outcome is null`,
    [params[0]],
  );
  return { open, items: rows.map((r) => presentRow(r, "staff", ctx)) };
}

/** Records what the worker found at the door. A second outcome for the same task is a conflict. */
export async function recordOutcome(
  ctx: AppContext,
  actor: Actor,
  id: number,
  body: { outcome: Outcome; note?: string },
) {
  verificationPolicy.authorize(actor, "task");
  const note = body.note?.trim() || null;
  if (body.outcome === "other" && !note)
    throw Invalid("选择「其他」时请填写说明", [{ field: "note", message: "请填写说明" }]);
  const [task] = await ctx.database.query<{
    id: number;
    gridPath: string;
    outcome: string | null;
    listId: number;
  }>(
    `select v.id, v.grid_path as "gridPath", v.outcome, v.list_id as "listId" from verification_rows v
     join verification_lists l on l.id = v.list_id
     where v.id = $1 and v.grid_path like $2 and l.state = 'succeeded'`,
    [id, subtreePattern(actor.orgPath)],
  );
  if (!task) throw NotFound("核查任务不存在");
  if (task.outcome) throw Conflict("该任务已登记核查结果", { outcome: task.outcome });
  await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const done = (await tx.execute(sql`update verification_rows set outcome = ${body.outcome},
      outcome_note = ${note}, outcome_at = now(), outcome_by = ${actor.id}, outcome_by_name = ${actor.displayName},
      updated_at = now() where id = ${id} and outcome is null returning id`)) as unknown as {
      rows: unknown[];
    };
    if (!done.rows.length) throw Conflict("该任务已登记核查结果");
    await audit.record(tx, actor, {
      action: "verify",
      entity: "verification_row",
      entityId: id,
      orgPath: task.gridPath,
      after: { listId: task.listId, outcome: body.outcome, label: OUTCOME_LABELS[body.outcome], note },
    });
  });
  const [row] = await ctx.database.query<RowRecord>(
    `select ${TASK_COLUMNS} from verification_rows v join verification_lists l on l.id = v.list_id
     left join org_units g on g.path = v.grid_path where v.id = $1`,
    [id],
  );
  return presentRow(row, "staff", ctx);
}
