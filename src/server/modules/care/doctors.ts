import { sql } from "drizzle-orm";
import { overlappingContract, validateContract } from "../../../domain/care/contracts.ts";
import {
  applyReferralAction,
  type Hospital,
  REFERRAL_ACTIONS,
  type ReferralAction,
  type ReferralError,
  requestReferral,
} from "../../../domain/care/referrals.ts";
import { inScope, subtreePattern } from "../../../domain/org/scope.ts";
import type { Actor, AppContext } from "../../context.ts";
import { scopeWhere } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { AppError, Conflict, Forbidden, Invalid, NotFound, Unprocessable } from "../../platform/errors.ts";
import * as notifications from "../notifications/index.ts";
import { getOrgUnit } from "../orgs/index.ts";
import * as residents from "../residents/index.ts";
import {
  auditHealthRead,
  HOSPITALS_KEY,
  invalidFields,
  liaisonHospital,
  loadHospitals,
  residentInScope,
  rows,
  type Tx,
} from "./common.ts";
import { carePolicy, healthPolicy, readsAsHospital, referralPolicy, signsForSelf } from "./policy.ts";
import {
  type AlertRow,
  CONSULTATION_MODES,
  type ConsultationRow,
  type ContractRow,
  presentAlert,
  presentConsultation,
  presentContract,
  presentReferral,
  presentReferralEvent,
  presentVisit,
  type ReferralEventRow,
  type ReferralRow,
  referralToDomain,
  type VisitRow,
} from "./presenter.ts";
import { ALERT_COLUMNS, ackAlertTx, loadAlert, VISIT_COLUMNS } from "./visits.ts";

// ——— sign-up contracts 家庭医生签约 ———

const CONTRACT_COLUMNS = `c.id, c.resident_id as "residentId", c.org_path as "orgPath", c.doctor_id as "doctorId",
  d.display_name as "doctorName", c.service_package as "servicePackage", c.start_date::text as "start",
  c.end_date::text as "end", c.created_at as "createdAt"`;

export async function createContract(
  ctx: AppContext,
  actor: Actor,
  input: { residentId: number; doctorId?: number; servicePackage: string; start: string; end: string },
  now = new Date(),
) {
  healthPolicy.authorize(actor, "write");
  const doctorId = input.doctorId ?? (signsForSelf(actor) ? actor.id : undefined);
  const checked = validateContract({ ...input, doctorId });
  if (!checked.ok) invalidFields(checked.error);
  const c = checked.value;
  healthPolicy.authorize(actor, "signAs", { doctorId: c.doctorId });
  const r = await residentInScope(ctx, actor, c.residentId);
  const [doctor] = await ctx.database.query<{ role: string; path: string }>(
    "select a.role, o.path from accounts a join org_units o on o.id = a.org_unit_id where a.id = $1 and not a.disabled",
    [c.doctorId],
  );
  if (doctor?.role !== "doctor")
    throw Invalid("签约医生不存在", [{ field: "doctorId", message: "签约医生: 不存在或不是家庭医生账号" }]);
  if (!inScope(doctor.path, r.orgPath))
    throw Invalid("该医生不负责此居民所在区域", [
      { field: "doctorId", message: "签约医生: 不负责该居民所在区域" },
    ]);
  const id = await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Tx;
    // Lock the resident so two sign-ups at once cannot both pass the overlap check.
    await residents.lockResident(tx, r.id);
    const existing = await rows<{ id: number; residentId: number; start: string; end: string }>(
      tx,
      sql`select id, resident_id as "residentId", start_date::text as "start", end_date::text as "end"
        from doctor_contracts where resident_id = ${r.id}`,
    );
    const clash = overlappingContract(existing, c);
    if (clash)
      throw Conflict(`该居民在 ${clash.start} 至 ${clash.end} 已有签约，签约期不能重叠`, {
        contractId: clash.id,
        fields: [{ field: "start", message: "签约期与已有签约重叠" }],
      });
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into doctor_contracts (resident_id, org_path, doctor_id, service_package, start_date, end_date, created_by)
        values (${r.id}, ${r.orgPath}, ${c.doctorId}, ${c.servicePackage}, ${c.start}, ${c.end}, ${actor.id}) returning id`,
    );
    await residents.setFamilyDoctor(tx, r.id, c.doctorId);
    await tx.execute(
      sql`update care_plans set doctor_id = ${c.doctorId}, updated_at = now() where resident_id = ${r.id}`,
    );
    await audit.record(tx, actor, {
      action: "create",
      entity: "doctor_contract",
      entityId: row.id,
      orgPath: r.orgPath,
      after: {
        residentId: r.id,
        doctorId: c.doctorId,
        servicePackage: c.servicePackage,
        start: c.start,
        end: c.end,
      },
    });
    return row.id;
  });
  const [row] = await ctx.database.query<ContractRow>(
    `select ${CONTRACT_COLUMNS} from doctor_contracts c left join accounts d on d.id = c.doctor_id where c.id = $1`,
    [id],
  );
  return presentContract(row, now);
}

// ——— consultations ———

const CONSULTATION_COLUMNS = `id, resident_id as "residentId", doctor_id as "doctorId", doctor_name as "doctorName", mode,
  summary, advice, alert_id as "alertId", at`;

/** A doctor's follow-up; naming an open alert of the same resident closes it in the same transaction. */
export async function recordConsultation(
  ctx: AppContext,
  actor: Actor,
  input: { residentId: number; mode: string; summary: string; advice?: string; alertId?: number },
  now = new Date(),
) {
  healthPolicy.authorize(actor, "write");
  const fields = [];
  if (!(CONSULTATION_MODES as readonly string[]).includes(input.mode))
    fields.push({ field: "mode", message: "随访方式应为 电话、线上 或 上门" });
  const summary = input.summary.trim();
  if (summary.length < 2 || summary.length > 1000)
    fields.push({ field: "summary", message: "随访情况应为 2–1000 字" });
  if ((input.advice ?? "").length > 1000) fields.push({ field: "advice", message: "医嘱不能超过 1000 字" });
  if (fields.length) invalidFields(fields);
  const r = await residentInScope(ctx, actor, input.residentId);
  healthPolicy.authorize(actor, "actOn", r);
  const alert = input.alertId ? await loadAlert(ctx, actor, input.alertId) : null;
  if (alert && alert.residentId !== r.id)
    throw Invalid("预警不属于该居民", [{ field: "alertId", message: "预警: 不属于该居民" }]);
  const id = await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Tx;
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into care_consultations (resident_id, org_path, doctor_id, doctor_name, mode, summary, advice, alert_id, at)
        values (${r.id}, ${r.orgPath}, ${actor.id}, ${actor.displayName}, ${input.mode}, ${summary}, ${input.advice?.trim() || null},
          ${alert?.id ?? null}, ${now}) returning id`,
    );
    if (alert?.state === "open") await ackAlertTx(tx, actor, alert, `随访：${summary.slice(0, 100)}`, now);
    await audit.record(tx, actor, {
      action: "create",
      entity: "care_consultation",
      entityId: row.id,
      orgPath: r.orgPath,
      after: { residentId: r.id, mode: input.mode, alertId: alert?.id ?? null },
    });
    return row.id;
  });
  const [row] = await ctx.database.query<ConsultationRow>(
    `select ${CONSULTATION_COLUMNS} from care_consultations where id = $1`,
    [id],
  );
  return presentConsultation(row);
}

// ——— hospitals ———

export async function listHospitals(ctx: AppContext, actor: Actor) {
  carePolicy.authorize(actor, "read");
  return { items: await loadHospitals(ctx) };
}

export async function setHospitals(ctx: AppContext, actor: Actor, items: Hospital[]) {
  carePolicy.authorize(actor, "manageHospitals");
  const codes = new Set<string>();
  const fields = [];
  for (const [i, h] of items.entries()) {
    if (!/^[a-z0-9-]{2,40}$/.test(h.code))
      fields.push({ field: `items[${i}].code`, message: "医院代码应为 2–40 位小写字母、数字或 -" });
    if (codes.has(h.code)) fields.push({ field: `items[${i}].code`, message: `医院代码 ${h.code} 重复` });
    codes.add(h.code);
    if (!h.name.trim()) fields.push({ field: `items[${i}].name`, message: "请填写医院名称" });
  }
  if (fields.length) invalidFields(fields);
  const value = { items: items.map((h) => ({ code: h.code, name: h.name.trim() })) };
  await ctx.database.db.transaction(async (tx) => {
    await tx.execute(sql`insert into system_settings (key, value) values (${HOSPITALS_KEY}, ${JSON.stringify(value)}::jsonb)
      on conflict (key) do update set value = excluded.value, updated_at = now()`);
    await audit.record(tx as any, actor, {
      action: "update",
      entity: "care_hospitals",
      orgPath: actor.orgPath,
      after: value,
    });
  });
  return value;
}

// ——— referrals 双向转诊 ———

const REFERRAL_COLUMNS = `f.id, f.resident_id as "residentId", r.name as "residentName", f.org_path as "orgPath",
  f.hospital_code as "hospitalCode", f.hospital_name as "hospitalName", f.department, f.reason,
  f.green_channel as "greenChannel", f.state, f.requested_by as "requestedBy", a.display_name as "requestedByName",
  f.requested_at as "requestedAt", f.appointment_at as "appointmentAt", f.version`;
const REFERRAL_FROM =
  "referrals f join residents r on r.id = f.resident_id left join accounts a on a.id = f.requested_by";

/** The domain's refusals, mapped once to DESIGN §5's statuses (400/403/409/422). */
function referralError(e: ReferralError): never {
  switch (e.code) {
    case "invalid":
      throw Invalid(e.message, e.fields);
    case "forbidden":
      throw Forbidden(e.message);
    case "invalid_transition":
      throw new AppError(409, "invalid_transition", e.message, { state: e.state, allowed: e.allowed });
    case "hospital_not_configured":
      throw Unprocessable(e.message, {
        fields: [{ field: "hospital", message: e.message }],
        configured: e.configured,
      });
  }
}

/**
 * The referrals a caller may see, as a WHERE clause: those in the caller's subtree, and for a hospital's
 * liaison only those addressed to that hospital (none when the account has no hospital).
 */
async function referralReach(ctx: AppContext, actor: Actor, params: unknown[]): Promise<string> {
  let where = scopeWhere(actor, "f.org_path", params);
  if (readsAsHospital(actor))
    where += ` and f.hospital_code = $${params.push(await liaisonHospital(ctx, actor))}`;
  return where;
}

/** A referral the caller may see; 404 when missing, outside scope or another hospital's. */
async function loadReferral(ctx: AppContext, actor: Actor, id: number): Promise<ReferralRow> {
  const params: unknown[] = [id];
  const where = await referralReach(ctx, actor, params);
  const [f] = await ctx.database.query<ReferralRow>(
    `select ${REFERRAL_COLUMNS} from ${REFERRAL_FROM} where f.id = $1 and ${where}`,
    params,
  );
  if (!f) throw NotFound("转诊记录不存在");
  return f;
}

async function insertReferralEvent(
  tx: Tx,
  referralId: number,
  e: { action: string; from: string | null; to: string; role: string; at: Date; note: string },
  actor: Actor,
) {
  await tx.execute(sql`insert into referral_events (referral_id, action, from_state, to_state, actor_id, actor_name, role, at, note)
    values (${referralId}, ${e.action}, ${e.from}, ${e.to}, ${actor.id}, ${actor.displayName}, ${e.role}, ${e.at}, ${e.note || null})`);
}

export async function createReferral(
  ctx: AppContext,
  actor: Actor,
  input: {
    residentId: number;
    hospital: string;
    department?: string;
    reason: string;
    greenChannel?: boolean;
  },
  now = new Date(),
) {
  healthPolicy.authorize(actor, "read");
  const r = await residentInScope(ctx, actor, input.residentId);
  referralPolicy.authorize(actor, "request", r);
  const hospitals = await loadHospitals(ctx);
  const step = requestReferral(input, { id: actor.id, role: actor.role }, hospitals, now);
  if (!step.ok) referralError(step.error);
  const { referral, event } = step.value;
  const hospital = hospitals.find((h) => h.code === referral.hospitalCode)!;
  const id = await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Tx;
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into referrals (resident_id, org_path, hospital_code, hospital_name, department, reason, green_channel, state,
          requested_by, requested_at, version)
        values (${r.id}, ${r.orgPath}, ${hospital.code}, ${hospital.name}, ${referral.department}, ${referral.reason},
          ${referral.greenChannel}, ${referral.state}, ${actor.id}, ${now}, ${referral.version}) returning id`,
    );
    await insertReferralEvent(tx, row.id, event, actor);
    await audit.record(tx, actor, {
      action: "create",
      entity: "referral",
      entityId: row.id,
      orgPath: r.orgPath,
      after: { residentId: r.id, hospital: hospital.code, greenChannel: referral.greenChannel },
    });
    return row.id;
  });
  return presentReferral(await loadReferral(ctx, actor, id), actor);
}

export async function actOnReferral(
  ctx: AppContext,
  actor: Actor,
  id: number,
  action: string,
  input: { version?: number; appointmentAt?: string; note?: string },
  now = new Date(),
) {
  referralPolicy.authorize(actor, "read");
  if (!(REFERRAL_ACTIONS as readonly string[]).includes(action))
    throw Invalid("未知的转诊操作", [
      { field: "action", message: `操作应为 ${REFERRAL_ACTIONS.join(", ")}` },
    ]);
  const f = await loadReferral(ctx, actor, id);
  if (input.version !== undefined && input.version !== f.version)
    throw Conflict("该转诊已被他人更新，请刷新后重试", { currentVersion: f.version });
  const step = applyReferralAction(
    referralToDomain(f),
    { action: action as ReferralAction, appointmentAt: input.appointmentAt, note: input.note },
    { id: actor.id, role: actor.role },
    now,
  );
  if (!step.ok) referralError(step.error);
  const { referral: next, event } = step.value;
  await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Tx;
    const done = await rows<{ id: number }>(
      tx,
      sql`update referrals set state = ${next.state}, appointment_at = ${next.appointmentAt}, version = ${next.version},
        updated_at = now() where id = ${id} and version = ${f.version} returning id`,
    );
    if (!done.length) throw Conflict("该转诊已被他人更新，请刷新后重试");
    await insertReferralEvent(tx, id, event, actor);
    if (next.state === "returned_to_community" || next.state === "declined") {
      const [res] = await rows<{ orgUnitId: number; doctorId: number | null }>(
        tx,
        sql`select r.org_unit_id as "orgUnitId", coalesce(p.doctor_id, r.family_doctor_id) as "doctorId"
          from residents r left join care_plans p on p.resident_id = r.id where r.id = ${f.residentId}`,
      );
      const returned = next.state === "returned_to_community";
      await notifications.enqueue(tx, {
        kind: returned ? "referral_returned" : "referral_declined",
        recipientAccountId: f.requestedBy,
        recipientOrgId: res?.orgUnitId ?? null,
        orgPath: f.orgPath,
        title: `${f.residentName} 的转诊${returned ? "已回转社区，请安排随访" : "被医院拒绝"}`,
        body: `${f.hospitalName}：${event.note}`.slice(0, 200),
      });
    }
    await audit.record(tx, actor, {
      action: `referral_${action}`,
      entity: "referral",
      entityId: id,
      orgPath: f.orgPath,
      before: { state: f.state },
      after: { state: next.state, appointmentAt: next.appointmentAt },
    });
  });
  return presentReferral(await loadReferral(ctx, actor, id), actor);
}

/** The referral board: green channel first, then first come first served (the domain's order). */
export async function listReferrals(
  ctx: AppContext,
  actor: Actor,
  f: { state?: string; org?: number; limit: number },
) {
  referralPolicy.authorize(actor, "read");
  const unit = f.org === undefined ? { path: actor.orgPath } : await getOrgUnit(ctx, actor, f.org);
  const params: unknown[] = [subtreePattern(unit.path)];
  let where = `f.org_path like $1 and ${await referralReach(ctx, actor, params)}`;
  if (f.state) where += ` and f.state = $${params.push(f.state)}`;
  const list = await ctx.database.query<ReferralRow>(
    `select ${REFERRAL_COLUMNS} from ${REFERRAL_FROM} where ${where}
     order by f.green_channel desc, f.requested_at asc, f.id asc limit ${f.limit}`,
    params,
  );
  await auditHealthRead(ctx, actor, "referral", null, unit.path, {
    ids: list.map((x) => x.id).slice(0, 200),
  });
  return { items: list.map((x) => presentReferral(x, actor)) };
}

export async function getReferral(ctx: AppContext, actor: Actor, id: number) {
  referralPolicy.authorize(actor, "read");
  const f = await loadReferral(ctx, actor, id);
  const events = await ctx.database.query<ReferralEventRow>(
    `select id, action, from_state as "fromState", to_state as "toState", actor_name as "actorName", role, at, note
     from referral_events where referral_id = $1 order by id`,
    [id],
  );
  await auditHealthRead(ctx, actor, "referral", id, f.orgPath);
  return { referral: presentReferral(f, actor), events: events.map(presentReferralEvent) };
}

// ——— the resident's health timeline ———

export async function healthTimeline(ctx: AppContext, actor: Actor, residentId: number, now = new Date()) {
  healthPolicy.authorize(actor, "read");
  const r = await residentInScope(ctx, actor, residentId);
  const [visits, alerts, consultations, refs, contracts] = await Promise.all([
    ctx.database.query<VisitRow>(
      `select ${VISIT_COLUMNS} from care_visits v where v.resident_id = $1 order by v.visited_at desc limit 100`,
      [r.id],
    ),
    ctx.database.query<AlertRow>(
      `select ${ALERT_COLUMNS} from care_alerts a join residents r on r.id = a.resident_id
       where a.resident_id = $1 order by a.id desc limit 100`,
      [r.id],
    ),
    ctx.database.query<ConsultationRow>(
      `select ${CONSULTATION_COLUMNS} from care_consultations where resident_id = $1 order by at desc limit 100`,
      [r.id],
    ),
    ctx.database.query<ReferralRow>(
      `select ${REFERRAL_COLUMNS} from ${REFERRAL_FROM} where f.resident_id = $1 order by f.id desc`,
      [r.id],
    ),
    ctx.database.query<ContractRow>(
      `select ${CONTRACT_COLUMNS} from doctor_contracts c left join accounts d on d.id = c.doctor_id
       where c.resident_id = $1 order by c.start_date desc`,
      [r.id],
    ),
  ]);
  await auditHealthRead(ctx, actor, "resident_health", r.id, r.orgPath);
  const events = [
    ...visits.map((v) => ({ type: "visit" as const, at: v.visitedAt, id: v.id })),
    ...alerts.map((a) => ({ type: "alert" as const, at: a.createdAt, id: a.id })),
    ...consultations.map((c) => ({ type: "consultation" as const, at: c.at, id: c.id })),
    ...refs.map((f) => ({ type: "referral" as const, at: f.requestedAt, id: f.id })),
  ].sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime());
  return {
    residentId: r.id,
    name: r.name,
    visits: visits.map(presentVisit),
    alerts: alerts.map(presentAlert),
    consultations: consultations.map(presentConsultation),
    referrals: refs.map((f) => presentReferral(f, actor)),
    contracts: contracts.map((c) => presentContract(c, now)),
    events,
  };
}
