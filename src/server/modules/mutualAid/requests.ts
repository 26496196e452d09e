import { sql } from "drizzle-orm";
import {
  fromStates,
  medicineKey,
  pickBatch,
  type RequestAction,
  type RequestState,
  requestClock,
  requestSla,
} from "../../../domain/mutualAid/medicine.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import { dutyOf } from "../care/index.ts";
import * as notifications from "../notifications/index.ts";
import { actorId, communityPathOf, inTx, pattern, rows, type Tx, today } from "./common.ts";
import { movement, type StockRow, takeFromStock } from "./medicine.ts";
import { mutualAidPolicy, type RequestFacts } from "./policy.ts";

// Medicine requests: filed for a resident by a grid worker or the hotline (or by the resident in the app),
// matched to a box in the resident's community that has the medicine in date (first expiring first out),
// claimed by the care team on duty or a volunteer, delivered (the stock leaves the box in the same
// transaction) and confirmed, on the care-urgent clock: at the door within the hour.

export interface RequestRow extends RequestFacts {
  id: number;
  source: string;
  residentId: number | null;
  residentAccountId: number | null;
  residentName: string | null;
  address: string | null;
  orgUnitId: number;
  orgPath: string;
  medicineName: string;
  quantity: number;
  note: string | null;
  boxId: number | null;
  boxName: string | null;
  servicePointName: string | null;
  stockId: number | null;
  batch: string | null;
  approvedBy: number | null;
  approvedByName: string | null;
  claimedByName: string | null;
  claimedAt: Date | null;
  deliveredAt: Date | null;
  confirmedAt: Date | null;
  dueAt: Date;
  createdAt: Date;
  createdByName: string;
}

export const REQUEST_COLS = `r.id, r.source, r.resident_id as "residentId", r.resident_account_id as "residentAccountId",
  rs.name as "residentName", rs.address, r.org_unit_id as "orgUnitId", r.org_path as "orgPath", r.medicine_name as "medicineName",
  r.quantity, r.note, r.state, r.box_id as "boxId", b.name as "boxName", p.name as "servicePointName", r.stock_id as "stockId",
  s.batch, r.prescription, r.approved_at as "approvedAt", r.approved_by as "approvedBy", r.approved_by_name as "approvedByName", r.claimed_by as "claimedBy",
  r.claimed_by_name as "claimedByName", r.claimed_at as "claimedAt", r.delivered_at as "deliveredAt",
  r.confirmed_at as "confirmedAt", r.due_at as "dueAt", r.created_at as "createdAt", r.created_by as "createdBy",
  r.created_by_name as "createdByName"`;
export const REQUEST_FROM = `medicine_requests r left join residents rs on rs.id = r.resident_id
  left join medicine_boxes b on b.id = r.box_id left join service_points p on p.id = b.service_point_id
  left join medicine_stock s on s.id = r.stock_id`;

/** A request's clock: its deadline, its status now, and whether it was delivered in time. */
export function requestClockOf(r: Pick<RequestRow, "state" | "createdAt" | "deliveredAt">, now = new Date()) {
  const createdAt = new Date(r.createdAt);
  const deliveredAt = r.deliveredAt ? new Date(r.deliveredAt) : null;
  const clock = requestClock(createdAt, deliveredAt, now);
  return {
    dueAt: clock.deadline,
    sla: r.state === "cancelled" ? ("ok" as const) : requestSla(createdAt, deliveredAt, now),
    onTime: deliveredAt ? deliveredAt <= clock.deadline : null,
  };
}

/** A request as it leaves: with its clock (deadline and status now). */
export function withClock(r: RequestRow, now = new Date()) {
  return { ...r, ...requestClockOf(r, now) };
}

/** In-date batches of the medicine in the community's boxes, for matching (FEFO is chosen in domain). */
async function candidates(db: Tx, communityPath: string, name: string, day: string) {
  return rows<StockRow>(
    db,
    sql`select s.id, s.box_id as "boxId", s.org_path as "orgPath", s.medicine_name as "medicineName", s.spec, s.batch,
        s.expires_on::text as "expiresOn", s.quantity, s.prescription
      from medicine_stock s join medicine_boxes b on b.id = s.box_id
      where s.org_path like ${subtreePattern(communityPath)} and b.active and s.quantity > 0 and s.expires_on >= ${day}
        and replace(lower(s.medicine_name), ' ', '') = ${medicineKey(name)}`,
  );
}

export interface NewRequest {
  source: "grid" | "hotline" | "app";
  residentId: number;
  residentAccountId?: number | null;
  orgUnitId: number;
  orgPath: string;
  medicineName: string;
  quantity: number;
  note?: string;
}

/** Files a request and matches it at once when a box in the resident's community has the medicine. */
export async function fileRequest(ctx: AppContext, who: Principal, n: NewRequest, now = new Date()) {
  const community = (await communityPathOf(ctx, n.orgPath)) ?? n.orgPath;
  const day = today(now);
  const clock = requestClock(now, null, now);
  return inTx(ctx, async (tx) => {
    const batch = pickBatch(await candidates(tx, community, n.medicineName, day), n.quantity, day);
    const [r] = await rows<{ id: number; state: RequestState }>(
      tx,
      sql`insert into medicine_requests (source, resident_id, resident_account_id, org_unit_id, org_path, medicine_name, quantity, note,
          state, box_id, stock_id, prescription, due_at, created_by, created_by_name, created_at, updated_at)
        values (${n.source}, ${n.residentId}, ${n.residentAccountId ?? null}, ${n.orgUnitId}, ${n.orgPath}, ${n.medicineName.trim()},
          ${n.quantity}, ${n.note?.trim() || null}, ${batch ? "matched" : "requested"}, ${batch?.boxId ?? null}, ${batch?.id ?? null},
          ${batch?.prescription ?? false}, ${clock.deadline}, ${actorId(who)}, ${who.displayName}, ${now}, ${now})
        returning id, state`,
    );
    await audit.record(tx, who, {
      action: "create",
      entity: "medicine_request",
      entityId: r.id,
      orgPath: n.orgPath,
      after: {
        medicine: n.medicineName,
        quantity: n.quantity,
        source: n.source,
        state: r.state,
        stockId: batch?.id ?? null,
      },
    });
    // The care team of the community hears of it at once (the outbox; on-duty phones come through care).
    await notifications.enqueue(tx, {
      kind: "medicine.request",
      recipientOrgId: n.orgUnitId,
      orgPath: n.orgPath,
      title: `药品申请：${n.medicineName.trim()} ×${n.quantity}`,
      body: batch ? "已匹配到共享药箱，请值班人员认领配送（1小时内送达）" : "暂无药箱有货，请协调",
    });
    return r;
  });
}

export async function createRequest(
  ctx: AppContext,
  who: Principal,
  input: { residentId: number; medicineName: string; quantity: number; note?: string },
  now = new Date(),
) {
  mutualAidPolicy.authorize(who, "request");
  const [res] = await ctx.database.query<{ id: number; orgUnitId: number; orgPath: string }>(
    `select id, org_unit_id as "orgUnitId", org_path as "orgPath" from residents where id = $1 and org_path like $2`,
    [input.residentId, pattern(who)],
  );
  if (!res) throw Invalid("居民不存在", [{ field: "residentId", message: "居民不存在或不在您的辖区" }]);
  const source = who.kind === "account" && who.role === "agent" ? "hotline" : "grid";
  const r = await fileRequest(
    ctx,
    who,
    { ...input, source, residentId: res.id, orgUnitId: res.orgUnitId, orgPath: res.orgPath },
    now,
  );
  return getRequest(ctx, who, r.id, now);
}

export async function loadRequest(ctx: AppContext, who: Pick<Principal, "orgPath">, id: number) {
  const [r] = await ctx.database.query<RequestRow>(
    `select ${REQUEST_COLS} from ${REQUEST_FROM} where r.id = $1 and r.org_path like $2`,
    [id, pattern(who)],
  );
  if (!r) throw NotFound("药品申请不存在");
  return r;
}

export async function getRequest(ctx: AppContext, who: Principal, id: number, now = new Date()) {
  mutualAidPolicy.authorize(who, "read");
  return withClock(await loadRequest(ctx, who, id), now);
}

export async function listRequests(
  ctx: AppContext,
  who: Principal,
  f: { state?: RequestState; open?: boolean },
  now = new Date(),
) {
  mutualAidPolicy.authorize(who, "read");
  const params: unknown[] = [pattern(who)];
  let where = "r.org_path like $1";
  if (f.state) where += ` and r.state = $${params.push(f.state)}`;
  if (f.open) where += " and r.state in ('requested', 'matched', 'claimed', 'delivered')";
  const items = await ctx.database.query<RequestRow>(
    `select ${REQUEST_COLS} from ${REQUEST_FROM} where ${where}
     order by (r.delivered_at is null and r.state <> 'cancelled') desc, r.due_at, r.id desc limit 200`,
    params,
  );
  return items.map((r) => withClock(r, now));
}

/** Requests of the subtree still on the clock past their hour: what the commander watches. */
export async function overdueMedicineRequests(ctx: AppContext, orgPath: string, now = new Date()) {
  const [r] = await ctx.database.query<{ open: number; overdue: number }>(
    `select count(*)::int as open, count(*) filter (where due_at < $2)::int as overdue from medicine_requests
     where org_path like $1 and delivered_at is null and state <> 'cancelled'`,
    [subtreePattern(orgPath), now],
  );
  return r;
}

/** Moves a request from one of the action's states in one conditional UPDATE: two people at once cannot both win. */
async function step(tx: Tx, id: number, action: RequestAction, set: ReturnType<typeof sql>, extra = sql``) {
  const from = fromStates(action);
  const [r] = await rows<{ id: number; state: string }>(
    tx,
    sql`update medicine_requests set ${set}, updated_at = now()
      where id = ${id} and state = any(${`{${from.join(",")}}`}::text[]) ${extra} returning id, state`,
  );
  return r;
}

const STATE_CONFLICT = "申请状态已变化，请刷新后重试";

/** Tries again to find a box for a request no box could serve. */
export async function rematch(ctx: AppContext, who: Principal, id: number, now = new Date()) {
  mutualAidPolicy.authorize(who, "request");
  const r = await loadRequest(ctx, who, id);
  if (r.state !== "requested") throw Conflict("该申请已匹配药箱");
  const community = (await communityPathOf(ctx, r.orgPath)) ?? r.orgPath;
  const day = today(now);
  await inTx(ctx, async (tx) => {
    const batch = pickBatch(await candidates(tx, community, r.medicineName, day), r.quantity, day);
    if (!batch) throw Conflict("辖区药箱中暂无该药品（或数量不足）");
    const done = await step(
      tx,
      id,
      "match",
      sql`state = 'matched', box_id = ${batch.boxId}, stock_id = ${batch.id}, prescription = ${batch.prescription}`,
    );
    if (!done) throw Conflict(STATE_CONFLICT);
    await audit.record(tx, who, {
      action: "match",
      entity: "medicine_request",
      entityId: id,
      orgPath: r.orgPath,
      after: { stockId: batch.id },
    });
  });
  // Read after the commit: on PGlite's one connection a read beside the open transaction would wait forever.
  return withClock(await loadRequest(ctx, who, id), now);
}

export async function approve(ctx: AppContext, who: Principal, id: number, now = new Date()) {
  const r = await loadRequest(ctx, who, id);
  mutualAidPolicy.authorize(who, "approve", r);
  return inTx(ctx, async (tx) => {
    const [done] = await rows<{ id: number }>(
      tx,
      sql`update medicine_requests set approved_by = ${actorId(who)}, approved_by_name = ${who.displayName}, approved_at = ${now},
        updated_at = now() where id = ${id} and approved_at is null and prescription and state in ('requested', 'matched') returning id`,
    );
    if (!done) throw Conflict(STATE_CONFLICT);
    await audit.record(tx, who, {
      action: "approve",
      entity: "medicine_request",
      entityId: id,
      orgPath: r.orgPath,
    });
    return { id, state: r.state };
  });
}

/** Claiming: a volunteer, or a member of the care team on duty (anyone of the care roles when no roster is kept). */
export async function claim(ctx: AppContext, who: Principal, id: number, now = new Date()) {
  const r = await loadRequest(ctx, who, id);
  mutualAidPolicy.authorize(who, "claim", r);
  if (mutualAidPolicy.can(who, "dutyBound")) {
    const duty = await dutyOf(ctx, actorId(who)!, (await communityPathOf(ctx, r.orgPath)) ?? r.orgPath, now);
    if (duty.rostered && !duty.onDuty) throw Conflict("您不在本班次的爱心专班值班表上，请由值班人员认领");
  }
  return inTx(ctx, async (tx) => {
    const done = await step(
      tx,
      id,
      "claim",
      sql`state = 'claimed', claimed_by = ${actorId(who)}, claimed_by_name = ${who.displayName}, claimed_at = ${now}`,
      sql`and (not prescription or approved_at is not null)`,
    );
    if (!done) throw Conflict(r.state === "claimed" ? "该申请已被他人认领" : STATE_CONFLICT);
    await audit.record(tx, who, {
      action: "claim",
      entity: "medicine_request",
      entityId: id,
      orgPath: r.orgPath,
    });
    return { id, state: "claimed" };
  });
}

/** Delivered at the door: the medicine leaves its box in the same transaction (409 if it ran out or expired). */
export async function deliver(ctx: AppContext, who: Principal, id: number, now = new Date()) {
  const r = await loadRequest(ctx, who, id);
  mutualAidPolicy.authorize(who, "deliver", { request: r, accountId: actorId(who) });
  if (!r.stockId || !r.boxId) throw Conflict("该申请尚未匹配药箱");
  return inTx(ctx, async (tx) => {
    const done = await step(
      tx,
      id,
      "deliver",
      sql`state = 'delivered', delivered_at = ${now}`,
      sql`and claimed_by = ${actorId(who)}`,
    );
    if (!done) throw Conflict(STATE_CONFLICT);
    await takeFromStock(tx, r.stockId!, r.quantity, today(now));
    await movement(tx, who, {
      stockId: r.stockId!,
      boxId: r.boxId!,
      orgPath: r.orgPath,
      kind: "dispense",
      quantity: r.quantity,
      requestId: id,
      approvedBy: r.prescription ? (r.approvedBy ?? null) : null,
    });
    const onTime = now <= requestClock(new Date(r.createdAt), null, now).deadline;
    await audit.record(tx, who, {
      action: "deliver",
      entity: "medicine_request",
      entityId: id,
      orgPath: r.orgPath,
      after: { onTime },
    });
    return { id, state: "delivered" };
  });
}

/** Receipt confirmed (by the staff who follow it up, or by the resident in the app). */
export async function confirmIn(tx: Tx, who: Principal, r: RequestRow, now: Date) {
  const done = await step(tx, r.id, "confirm", sql`state = 'confirmed', confirmed_at = ${now}`);
  if (!done) throw Conflict("药品尚未送达，不能确认");
  await audit.record(tx, who, {
    action: "confirm",
    entity: "medicine_request",
    entityId: r.id,
    orgPath: r.orgPath,
  });
  return { id: r.id, state: "confirmed" };
}

export async function confirm(ctx: AppContext, who: Principal, id: number, now = new Date()) {
  const r = await loadRequest(ctx, who, id);
  mutualAidPolicy.authorize(who, "confirm", r);
  return inTx(ctx, (tx) => confirmIn(tx, who, r, now));
}

export async function cancel(ctx: AppContext, who: Principal, id: number, reason: string) {
  const r = await loadRequest(ctx, who, id);
  mutualAidPolicy.authorize(who, "cancel", r);
  return inTx(ctx, async (tx) => {
    const done = await step(tx, id, "cancel", sql`state = 'cancelled'`);
    if (!done) throw Conflict(STATE_CONFLICT);
    await audit.record(tx, who, {
      action: "cancel",
      entity: "medicine_request",
      entityId: id,
      orgPath: r.orgPath,
      reason,
    });
    return { id, state: "cancelled" };
  });
}
