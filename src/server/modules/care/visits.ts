import { sql } from "drizzle-orm";
import {
  type CarePlanConfig,
  FREQUENCY_LABELS,
  planFrequency,
  planVisitStatus,
  VISIT_FREQUENCIES,
  type VisitFrequency,
} from "../../../domain/care/plans.ts";
import {
  type Visit,
  validateVisit,
  visitAlert,
  visitFingerprint,
  visitIdempotencyKey,
} from "../../../domain/care/visits.ts";
import { VITAL_LEVEL_LABELS, type VitalLevel } from "../../../domain/care/vitals.ts";
import { inScope, subtreePattern } from "../../../domain/org/scope.ts";
import { KEY_TAGS, type KeyTag } from "../../../domain/people/generate.ts";
import { shanghaiDate } from "../../../domain/sla/index.ts";
import type { Actor, AppContext } from "../../context.ts";
import { scopeWhere, systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import * as notifications from "../notifications/index.ts";
import { getOrgUnit } from "../orgs/index.ts";
import * as workOrders from "../workOrders/index.ts";
import {
  auditHealthRead,
  communityCodeOf,
  gridCodeOf,
  invalidFields,
  isKeyTag,
  pgArray,
  planConfigs,
  residentInScope,
  rows,
  type Tx,
  tagLabel,
} from "./common.ts";
import { carePolicy, claimsAlerts, healthPolicy } from "./policy.ts";
import {
  type AlertRow,
  type PlanRow,
  type PlanState,
  presentAlert,
  presentDue,
  presentPlan,
  presentVisit,
  type VisitLocation,
  type VisitRow,
} from "./presenter.ts";

// ——— plans and the due list ———

const PLAN_COLUMNS = `r.id as "residentId", r.name, r.address, r.org_path as "orgPath", r.tags, r.created_at as "createdAt",
  p.frequency_override as "frequencyOverride", p.started_at as "startedAt", p.last_visit_at as "lastVisitAt",
  p.assigned_worker_id as "assignedWorkerId", coalesce(p.doctor_id, r.family_doctor_id) as "doctorId", p.warned_due_by as "warnedDueBy"`;

/** The domain decides: frequency from tags (community config), or the plan's override; status from the last visit. */
export function planState(row: PlanRow, config: CarePlanConfig, now: Date): PlanState | null {
  const derived = planFrequency(row.tags.filter(isKeyTag), config);
  const override = (VISIT_FREQUENCIES as readonly string[]).includes(row.frequencyOverride ?? "")
    ? (row.frequencyOverride as VisitFrequency)
    : null;
  const frequency = override ?? derived?.frequency;
  if (!frequency) return null;
  const status = planVisitStatus(
    {
      frequency,
      startedAt: new Date(row.startedAt ?? row.createdAt),
      lastVisitAt: row.lastVisitAt ? new Date(row.lastVisitAt) : null,
    },
    now,
    config,
  );
  return {
    frequency,
    frequencyLabel: override ? `${FREQUENCY_LABELS[override]}（已调整）` : derived!.label,
    overridden: override !== null,
    status,
  };
}

const STATE_RANK: Record<string, number> = { overdue: 0, due: 1, due_soon: 2, scheduled: 3 };

/**
 * A unit's due and overdue visits ("today's visits" on the worker's phone), most urgent first:
 * overdue by days overdue, then today, then soon; within a day the more frequent plan first.
 */
export async function dueVisits(
  ctx: AppContext,
  actor: Actor,
  f: { org?: number; state?: string; mine?: boolean; limit: number },
  now = new Date(),
) {
  carePolicy.authorize(actor, "read");
  const unit =
    f.org === undefined ? { path: actor.orgPath, id: actor.orgUnitId } : await getOrgUnit(ctx, actor, f.org);
  const items = [];
  const counts = { overdue: 0, due: 0, due_soon: 0, scheduled: 0 };
  for (const { row, s } of await planStates(ctx, unit.path, now, f.mine ? actor.id : undefined)) {
    counts[s.status.state]++;
    const wanted = f.state
      ? f.state === "all" || s.status.state === f.state
      : s.status.state !== "scheduled" || s.status.windowOpen;
    if (wanted) items.push(presentDue(row, s, gridCodeOf(row.orgPath)));
  }
  items.sort(
    (a, b) =>
      a.daysLeft - b.daysLeft ||
      STATE_RANK[a.state] - STATE_RANK[b.state] ||
      VISIT_FREQUENCIES.indexOf(a.frequency) - VISIT_FREQUENCIES.indexOf(b.frequency) ||
      a.residentId - b.residentId,
  );
  return { counts, total: items.length, items: items.slice(0, f.limit) };
}

/**
 * Every key resident's plan under a unit (or one worker's) with the state it is in now. The caller has
 * already checked who may read them and that the unit is in its scope.
 */
export async function planStates(ctx: AppContext, unitPath: string, now: Date, assigneeId?: number) {
  const params: unknown[] = [subtreePattern(unitPath)];
  let where = `r.org_path like $1 and r.tags <> '{}'`;
  if (assigneeId !== undefined) where += ` and p.assigned_worker_id = $${params.push(assigneeId)}`;
  const [list, configs] = await Promise.all([
    ctx.database.query<PlanRow>(
      `select ${PLAN_COLUMNS} from residents r left join care_plans p on p.resident_id = r.id where ${where}`,
      params,
    ),
    planConfigs(ctx, unitPath),
  ]);
  return list.flatMap((row) => {
    const s = planState(row, configs.get(communityCodeOf(row.orgPath) ?? "") ?? {}, now);
    return s ? [{ row, s }] : [];
  });
}

async function planRow(ctx: AppContext, residentId: number): Promise<PlanRow> {
  const [row] = await ctx.database.query<PlanRow>(
    `select ${PLAN_COLUMNS} from residents r left join care_plans p on p.resident_id = r.id where r.id = $1`,
    [residentId],
  );
  return row;
}

async function planView(ctx: AppContext, residentId: number, now: Date) {
  const row = await planRow(ctx, residentId);
  const configs = await planConfigs(ctx, row.orgPath);
  const s = planState(row, configs.get(communityCodeOf(row.orgPath) ?? "") ?? {}, now);
  const names = await ctx.database.query<{ id: number; displayName: string; workPhone: string | null }>(
    `select id, display_name as "displayName", work_phone as "workPhone" from accounts where id = any($1::int[])`,
    [[row.assignedWorkerId, row.doctorId].filter((x) => x !== null)],
  );
  return presentPlan(
    row,
    s,
    (id) => names.find((n) => n.id === id)?.displayName ?? null,
    (id) => names.find((n) => n.id === id)?.workPhone ?? null,
  );
}

export async function getPlan(ctx: AppContext, actor: Actor, residentId: number, now = new Date()) {
  carePolicy.authorize(actor, "read");
  await residentInScope(ctx, actor, residentId);
  return planView(ctx, residentId, now);
}

/** An account may serve a resident when it has the role and the resident lies in its subtree. */
async function staffFor(
  ctx: AppContext,
  id: number,
  roles: string[],
  residentPath: string,
  field: string,
  label: string,
) {
  const [a] = await ctx.database.query<{ role: string; path: string }>(
    `select a.role, o.path from accounts a join org_units o on o.id = a.org_unit_id where a.id = $1 and not a.disabled`,
    [id],
  );
  if (!a || !roles.includes(a.role))
    throw Invalid(`${label}不存在`, [{ field, message: `${label}: 不存在或角色不符` }]);
  if (!inScope(a.path, residentPath))
    throw Invalid(`${label}不负责该居民所在区域`, [{ field, message: `${label}: 不负责该居民所在区域` }]);
}

export async function updatePlan(
  ctx: AppContext,
  actor: Actor,
  residentId: number,
  input: { frequencyOverride?: string | null; assignedWorkerId?: number | null; doctorId?: number | null },
  now = new Date(),
) {
  carePolicy.authorize(actor, "write");
  // Who looks after whom is the community's and the grid head's call, not the assignee's own.
  if (input.assignedWorkerId !== undefined || input.doctorId !== undefined)
    carePolicy.authorize(actor, "assign");
  const r = await residentInScope(ctx, actor, residentId);
  if (
    input.frequencyOverride !== undefined &&
    input.frequencyOverride !== null &&
    !(VISIT_FREQUENCIES as readonly string[]).includes(input.frequencyOverride)
  )
    throw Invalid("走访频次无效", [
      {
        field: "frequencyOverride",
        message: `走访频次应为 ${Object.values(FREQUENCY_LABELS).join("、")} 之一`,
      },
    ]);
  if (input.assignedWorkerId)
    await staffFor(
      ctx,
      input.assignedWorkerId,
      ["grid_worker", "grid_head"],
      r.orgPath,
      "assignedWorkerId",
      "责任网格员",
    );
  if (input.doctorId) await staffFor(ctx, input.doctorId, ["doctor"], r.orgPath, "doctorId", "家庭医生");
  const before = await planView(ctx, residentId, now);
  await ctx.database.db.transaction(async (tx) => {
    await tx.execute(sql`insert into care_plans (resident_id, org_path, started_at) values (${r.id}, ${r.orgPath}, ${r.createdAt})
      on conflict (resident_id) do nothing`);
    const sets = [];
    if (input.frequencyOverride !== undefined)
      sets.push(sql`frequency_override = ${input.frequencyOverride}`);
    if (input.assignedWorkerId !== undefined) sets.push(sql`assigned_worker_id = ${input.assignedWorkerId}`);
    if (input.doctorId !== undefined) sets.push(sql`doctor_id = ${input.doctorId}`);
    if (sets.length)
      await tx.execute(
        sql`update care_plans set ${sql.join(sets, sql`, `)}, updated_at = now() where resident_id = ${r.id}`,
      );
    await audit.record(tx as any, actor, {
      action: "update",
      entity: "care_plan",
      entityId: r.id,
      orgPath: r.orgPath,
      before: {
        frequency: before.frequency,
        assignedWorkerId: before.assignedWorkerId,
        doctorId: before.doctorId,
      },
      after: input,
    });
  });
  return planView(ctx, residentId, now);
}

// ——— community config ———

export async function getCareConfig(ctx: AppContext, actor: Actor, communityId: number) {
  carePolicy.authorize(actor, "read");
  const unit = await getOrgUnit(ctx, actor, communityId);
  if (unit.kind !== "community") throw Invalid("请选择社区", [{ field: "communityId", message: "须为社区" }]);
  const [row] = await ctx.database.query<{ value: CarePlanConfig }>(
    "select value from care_settings where community_id = $1",
    [unit.id],
  );
  const config = row?.value ?? {};
  return {
    communityId: unit.id,
    config,
    effective: Object.fromEntries(
      KEY_TAGS.map((t) => {
        const f = planFrequency([t], config)!.frequency;
        return [t, { frequency: f, label: FREQUENCY_LABELS[f] }];
      }),
    ) as Record<KeyTag, { frequency: string; label: string }>,
  };
}

export async function setCareConfig(
  ctx: AppContext,
  actor: Actor,
  communityId: number,
  input: CarePlanConfig,
) {
  carePolicy.authorize(actor, "manage");
  const unit = await getOrgUnit(ctx, actor, communityId);
  if (unit.kind !== "community") throw Invalid("请选择社区", [{ field: "communityId", message: "须为社区" }]);
  const fields = [];
  for (const [tag, f] of Object.entries(input.frequencies ?? {})) {
    if (!isKeyTag(tag)) fields.push({ field: `frequencies.${tag}`, message: `未知的人群标签 ${tag}` });
    else if (!(VISIT_FREQUENCIES as readonly string[]).includes(f as string))
      fields.push({ field: `frequencies.${tag}`, message: `${tagLabel(tag)}的走访频次无效` });
  }
  for (const [f, d] of Object.entries(input.dueSoonDays ?? {})) {
    if (!(VISIT_FREQUENCIES as readonly string[]).includes(f))
      fields.push({ field: `dueSoonDays.${f}`, message: `未知的走访频次 ${f}` });
    else if (!Number.isInteger(d) || (d as number) < 0 || (d as number) > 60)
      fields.push({ field: `dueSoonDays.${f}`, message: "提前提醒天数应为 0–60 的整数" });
  }
  if (fields.length) invalidFields(fields);
  const value = { frequencies: input.frequencies ?? {}, dueSoonDays: input.dueSoonDays ?? {} };
  await ctx.database.db.transaction(async (tx) => {
    await tx.execute(sql`insert into care_settings (community_id, value, updated_by) values (${unit.id}, ${JSON.stringify(value)}::jsonb, ${actor.id})
      on conflict (community_id) do update set value = excluded.value, updated_by = excluded.updated_by, updated_at = now()`);
    await audit.record(tx as any, actor, {
      action: "update",
      entity: "care_settings",
      entityId: unit.id,
      orgPath: unit.path,
      after: value,
    });
  });
  return getCareConfig(ctx, actor, communityId);
}

// ——— overdue sweep ———

const SWEEP_LOCK = 0x67_6b_63; // "gkc"

/**
 * Warns each grid's head about plans that went overdue, once per missed period (the plan remembers
 * the due date it warned for). Runs in one transaction under a transaction-scoped advisory lock, so
 * two server processes sweeping at once do not both warn. Callable from a timer or a test.
 */
export async function sweepOverdueVisits(ctx: AppContext, now = new Date()) {
  return ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Tx;
    const [lock] = await rows<{ ok: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK}) as ok`,
    );
    if (!lock.ok) return { skipped: true, warned: 0, grids: 0 };
    const communities = await rows<{ id: number; code: string; path: string; config: CarePlanConfig | null }>(
      tx,
      sql`select o.id, o.code, o.path, s.value as config from org_units o left join care_settings s on s.community_id = o.id
        where o.kind = 'community' and exists (select 1 from residents r where r.org_path like o.path || '%' and r.tags <> '{}')`,
    );
    const byGrid = new Map<string, { count: number; maxOverdue: number }>();
    let warned = 0;
    for (const c of communities) {
      const list = await rows<PlanRow>(
        tx,
        sql`select ${sql.raw(PLAN_COLUMNS)} from residents r left join care_plans p on p.resident_id = r.id
          where r.org_path like ${subtreePattern(c.path)} and r.tags <> '{}'`,
      );
      for (const row of list) {
        const s = planState(row, c.config ?? {}, now);
        if (s?.status.state !== "overdue" || row.warnedDueBy === s.status.dueBy) continue;
        await tx.execute(sql`insert into care_plans (resident_id, org_path, started_at, warned_due_by)
          values (${row.residentId}, ${row.orgPath}, ${row.startedAt ?? row.createdAt}, ${s.status.dueBy})
          on conflict (resident_id) do update set warned_due_by = excluded.warned_due_by, updated_at = now()`);
        const grid = gridCodeOf(row.orgPath) ?? c.code;
        const g = byGrid.get(grid) ?? { count: 0, maxOverdue: 0 };
        g.count++;
        g.maxOverdue = Math.max(g.maxOverdue, s.status.daysOverdue);
        byGrid.set(grid, g);
        warned++;
      }
    }
    if (byGrid.size) {
      const grids = await rows<{ id: number; code: string; name: string; path: string }>(
        tx,
        sql`select id, code, name, path from org_units where code = any(${pgArray([...byGrid.keys()])}::text[])`,
      );
      const heads = await rows<{ id: number; orgUnitId: number }>(
        tx,
        sql`select id, org_unit_id as "orgUnitId" from accounts where role = 'grid_head' and not disabled
          and org_unit_id = any(${pgArray(grids.map((g) => g.id))}::int[])`,
      );
      for (const g of grids) {
        const n = byGrid.get(g.code)!;
        const message = {
          kind: "care_overdue",
          recipientOrgId: g.id,
          orgPath: g.path,
          title: `${g.name}：${n.count} 位重点人群走访已逾期`,
          body: `最长已逾期 ${n.maxOverdue} 天，请查看「今日走访」清单并安排走访`,
        };
        const mine = heads.filter((h) => h.orgUnitId === g.id);
        if (mine.length)
          for (const h of mine) await notifications.enqueue(tx, { ...message, recipientAccountId: h.id });
        else await notifications.enqueue(tx, message);
      }
    }
    return { skipped: false, warned, grids: byGrid.size };
  });
}

// ——— visits ———

export const VISIT_COLUMNS = `v.id, v.resident_id as "residentId", v.org_path as "orgPath", v.kind, v.visited_at as "visitedAt",
  v.duration_minutes as "durationMinutes", v.findings, v.needs, v.vitals, v.findings_flags as "findingsFlags", v.level,
  v.visitor_id as "visitorId", v.visitor_name as "visitorName", v.work_order_id as "workOrderId", v.fingerprint,
  v.created_at as "createdAt", v.location,
  array(select p.id from care_visit_photos p where p.visit_id = v.id order by p.id) as "photoIds"`;

async function visitByKey(ctx: AppContext, key: string): Promise<VisitRow | undefined> {
  const [v] = await ctx.database.query<VisitRow>(
    `select ${VISIT_COLUMNS} from care_visits v where v.idempotency_key = $1`,
    [key],
  );
  return v;
}

async function alertOfVisit(ctx: AppContext, visitId: number) {
  const [a] = await ctx.database.query<{
    id: number;
    level: VitalLevel;
    reasons: string[];
    workOrderId: number | null;
  }>(`select id, level, reasons, work_order_id as "workOrderId" from care_alerts where visit_id = $1`, [
    visitId,
  ]);
  return a ?? null;
}

/** The doctor an alert goes to: the active contract's doctor, else the plan's, else the registry's. */
async function doctorOf(tx: Tx, residentId: number, on: Date): Promise<number | null> {
  const day = shanghaiDate(on);
  const [c] = await rows<{ doctorId: number | null }>(
    tx,
    sql`select coalesce(
      (select doctor_id from doctor_contracts where resident_id = ${residentId} and start_date <= ${day} and end_date >= ${day} order by id desc limit 1),
      (select doctor_id from care_plans where resident_id = ${residentId}),
      (select family_doctor_id from residents where id = ${residentId})) as "doctorId"`,
  );
  return c?.doctorId ?? null;
}

/** Care raises urgent orders as the system doing its duty (the visitor may be a doctor who cannot file orders). */
const CARE_ALERTS = systemPrincipal("care_alert", "系统（走访预警）");

async function orderRef(ctx: AppContext, id: number | null) {
  if (!id) return null;
  const [o] = await ctx.database.query<{ id: number; number: string; state: string }>(
    "select id, number, state from work_orders where id = $1",
    [id],
  );
  return o ?? null;
}

async function visitResponse(ctx: AppContext, v: VisitRow, replay: boolean) {
  const alert = await alertOfVisit(ctx, v.id);
  return {
    replay,
    visit: presentVisit(v),
    alert: alert ? { id: alert.id, level: alert.level, reasons: alert.reasons } : null,
    workOrder: await orderRef(ctx, v.workOrderId),
  };
}

/** The optional check-in of a visit body (its ranges are checked by the route's schema). */
function checkIn(input: unknown): VisitLocation | null {
  const l = (input as { location?: { lat: number; long: number; accuracy?: number } } | null)?.location;
  return l ? { lat: l.lat, long: l.long, accuracy: l.accuracy ?? null } : null;
}

/**
 * Records a visit from a phone. The same submission retried is stored once and answered with the
 * first one (200, replay: true); the same client id with different content is a client bug (409).
 */
export async function recordVisit(ctx: AppContext, actor: Actor, input: unknown, now = new Date()) {
  carePolicy.authorize(actor, "write");
  const checked = validateVisit(input, now);
  if (!checked.ok) invalidFields(checked.error);
  const visit: Visit = checked.value;
  const location = checkIn(input);
  const r = await residentInScope(ctx, actor, visit.residentId);
  const key = visitIdempotencyKey(actor.id, visit.clientId);
  const fingerprint = visitFingerprint(visit);
  const alert = visitAlert(visit);

  const replay = async (existing: VisitRow) => {
    if (existing.fingerprint !== fingerprint)
      throw Conflict("该提交编号已用于另一条走访记录，请重新生成后提交", {
        fields: [{ field: "clientId", message: "提交编号已被使用" }],
        visitId: existing.id,
      });
    return { status: 200, body: await visitResponse(ctx, (await visitByKey(ctx, key))!, true) };
  };
  const existing = await visitByKey(ctx, key);
  if (existing) return replay(existing);

  // Read and routed before the transaction; written inside it, so the visit, its alert and its order
  // commit together or not at all (a retry finds either everything or nothing).
  const urgent = alert.careUrgentOrder
    ? await workOrders.prepareCareUrgent(ctx, CARE_ALERTS, { residentId: r.id, level: alert.level }, now)
    : null;
  const inserted = await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Tx;
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into care_visits (idempotency_key, fingerprint, resident_id, org_path, kind, visited_at, duration_minutes,
          findings, needs, vitals, findings_flags, level, visitor_id, visitor_name, location)
        values (${key}, ${fingerprint}, ${r.id}, ${r.orgPath}, ${visit.kind}, ${visit.visitedAt}, ${visit.durationMinutes},
          ${visit.findings}, ${JSON.stringify(visit.needs)}::jsonb, ${JSON.stringify(visit.vitals)}::jsonb,
          ${JSON.stringify(alert.flagged)}::jsonb, ${alert.level}, ${actor.id}, ${actor.displayName},
          ${location ? JSON.stringify(location) : null}::jsonb)
        on conflict (idempotency_key) do nothing returning id`,
    );
    if (!row) return null; // a concurrent retry won; answer as a replay below
    const order = urgent ? await workOrders.raiseCareUrgent(tx, urgent) : null;
    if (order) await tx.execute(sql`update care_visits set work_order_id = ${order.id} where id = ${row.id}`);
    await tx.execute(sql`insert into care_plans (resident_id, org_path, started_at, last_visit_at)
      values (${r.id}, ${r.orgPath}, ${r.createdAt}, ${visit.visitedAt})
      on conflict (resident_id) do update set last_visit_at = greatest(care_plans.last_visit_at, excluded.last_visit_at),
        warned_due_by = null, updated_at = now()`);
    if (alert.alertDoctor) {
      const doctorId = await doctorOf(tx, r.id, now);
      const [a] = await rows<{ id: number }>(
        tx,
        sql`insert into care_alerts (visit_id, resident_id, org_path, doctor_id, level, reasons, work_order_id)
          values (${row.id}, ${r.id}, ${r.orgPath}, ${doctorId}, ${alert.level}, ${JSON.stringify(alert.reasons)}::jsonb,
            ${order?.id ?? null}) returning id`,
      );
      // The message names no one and carries no readings (an outbox row is read by dispatchers and
      // commanders too); the health record behind the link opens only for care roles in scope.
      await notifications.enqueue(tx, {
        kind: "care_alert",
        recipientAccountId: doctorId,
        recipientOrgId: doctorId ? null : r.orgUnitId,
        orgPath: r.orgPath,
        title: `走访预警（${VITAL_LEVEL_LABELS[alert.level]}）`,
        body: `预警 #${a.id}，详见关爱档案 /care/residents/${r.id}`,
      });
    }
    await audit.record(tx, actor, {
      action: "create",
      entity: "care_visit",
      entityId: row.id,
      orgPath: r.orgPath,
      after: { residentId: r.id, kind: visit.kind, level: alert.level, alertDoctor: alert.alertDoctor },
    });
    return row.id;
  });
  const stored = (await visitByKey(ctx, key))!;
  if (inserted === null) return replay(stored);
  return { status: 201, body: await visitResponse(ctx, (await visitByKey(ctx, key))!, false) };
}

export async function listVisits(ctx: AppContext, actor: Actor, residentId: number, limit: number) {
  healthPolicy.authorize(actor, "read");
  const r = await residentInScope(ctx, actor, residentId);
  const list = await ctx.database.query<VisitRow>(
    `select ${VISIT_COLUMNS} from care_visits v where v.resident_id = $1 order by v.visited_at desc, v.id desc limit ${limit}`,
    [r.id],
  );
  await auditHealthRead(ctx, actor, "care_visit", null, r.orgPath, { residentId: r.id, count: list.length });
  return { items: list.map(presentVisit) };
}

// ——— alerts ———

export const ALERT_COLUMNS = `a.id, a.visit_id as "visitId", a.resident_id as "residentId", r.name as "residentName", r.address,
  a.org_path as "orgPath", a.doctor_id as "doctorId", a.level, a.reasons, a.state, a.work_order_id as "workOrderId",
  a.ack_by as "ackBy", a.ack_at as "ackAt", a.ack_note as "ackNote", a.created_at as "createdAt"`;

/** A doctor sees alerts addressed to them or to nobody yet; care staff see every alert in scope. */
export async function listAlerts(
  ctx: AppContext,
  actor: Actor,
  f: { state?: string; org?: number; limit: number; handledSince?: string },
) {
  healthPolicy.authorize(actor, "read");
  const unit = f.org === undefined ? { path: actor.orgPath } : await getOrgUnit(ctx, actor, f.org);
  const params: unknown[] = [subtreePattern(unit.path)];
  let where = "a.org_path like $1";
  // A follow-up closes its alert, but the day's list keeps it in view (marked handled), so the doctor
  // can still refer from it or see what was done.
  if (f.state === "open" && f.handledSince)
    where += ` and (a.state = 'open' or a.ack_at >= $${params.push(new Date(f.handledSince))})`;
  else if (f.state) where += ` and a.state = $${params.push(f.state)}`;
  if (!healthPolicy.can(actor, "seeEveryAlert"))
    where += ` and (a.doctor_id = $${params.push(actor.id)} or a.doctor_id is null)`;
  const list = await ctx.database.query<AlertRow>(
    `select ${ALERT_COLUMNS} from care_alerts a join residents r on r.id = a.resident_id where ${where}
     order by (a.state = 'open') desc, case a.level when 'critical' then 0 when 'abnormal' then 1 else 2 end, a.id desc
     limit ${f.limit}`,
    params,
  );
  await auditHealthRead(ctx, actor, "care_alert", null, unit.path, {
    ids: list.map((a) => a.id).slice(0, 200),
  });
  return { items: list.map(presentAlert) };
}

export async function loadAlert(ctx: AppContext, actor: Actor, id: number): Promise<AlertRow> {
  const params: unknown[] = [id];
  const [a] = await ctx.database.query<AlertRow>(
    `select ${ALERT_COLUMNS} from care_alerts a join residents r on r.id = a.resident_id
     where a.id = $1 and ${scopeWhere(actor, "a.org_path", params)}`,
    params,
  );
  if (!a) throw NotFound("预警不存在");
  return a;
}

export async function acknowledgeAlert(
  ctx: AppContext,
  actor: Actor,
  id: number,
  note: string | null,
  now = new Date(),
) {
  healthPolicy.authorize(actor, "write");
  const a = await loadAlert(ctx, actor, id);
  healthPolicy.authorize(actor, "actOn", a);
  await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Tx;
    await ackAlertTx(tx, actor, a, note, now);
  });
  return presentAlert(await loadAlert(ctx, actor, id));
}

export async function ackAlertTx(
  tx: Tx,
  actor: Actor,
  a: { id: number; orgPath: string; residentId: number },
  note: string | null,
  now: Date,
) {
  const done = await rows<{ id: number }>(
    tx,
    sql`update care_alerts set state = 'acknowledged', ack_by = ${actor.id}, ack_at = ${now}, ack_note = ${note},
      doctor_id = coalesce(doctor_id, ${claimsAlerts(actor) ? actor.id : null}), updated_at = now()
      where id = ${a.id} and state = 'open' returning id`,
  );
  if (!done.length) throw Conflict("该预警已处理");
  await audit.record(tx, actor, {
    action: "acknowledge",
    entity: "care_alert",
    entityId: a.id,
    orgPath: a.orgPath,
    after: { residentId: a.residentId, note },
  });
}
