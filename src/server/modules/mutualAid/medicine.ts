import { sql } from "drizzle-orm";
import {
  addDays,
  DISPENSE_MESSAGES,
  EXPIRY_WARN_DAYS,
  expiryStatus,
  medicineKey,
} from "../../../domain/mutualAid/medicine.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import { inTx, reachWhere, rows, type Tx, today } from "./common.ts";
import { mutualAidPolicy } from "./policy.ts";

// Shared medicine boxes 共享药箱: boxes at service points, stock by batch, donations in, dispensing out,
// disposal of expired batches. Stock changes only by conditional UPDATEs (… where quantity >= n and the
// batch is in date), so concurrent dispensing never overdraws and an expired batch never leaves the box.

export interface BoxRow {
  id: number;
  name: string;
  orgPath: string;
  servicePointId: number;
  servicePointName: string;
  address: string;
  active: boolean;
  batches: number;
  units: number;
  expiring: number;
  expired: number;
}

const BOX_COLS = (
  day: string,
  warn: string,
) => `b.id, b.name, b.org_path as "orgPath", b.service_point_id as "servicePointId",
  p.name as "servicePointName", p.address, b.active,
  (select count(*)::int from medicine_stock s where s.box_id = b.id and s.quantity > 0) as batches,
  (select coalesce(sum(s.quantity), 0)::int from medicine_stock s where s.box_id = b.id and s.expires_on >= '${day}') as units,
  (select count(*)::int from medicine_stock s where s.box_id = b.id and s.quantity > 0 and s.expires_on >= '${day}' and s.expires_on <= '${warn}') as expiring,
  (select count(*)::int from medicine_stock s where s.box_id = b.id and s.quantity > 0 and s.expires_on < '${day}') as expired`;

export async function listBoxes(ctx: AppContext, who: Principal, now = new Date()) {
  mutualAidPolicy.authorize(who, "read");
  const day = today(now);
  const params: unknown[] = [];
  return ctx.database.query<BoxRow>(
    `select ${BOX_COLS(day, addDays(day, EXPIRY_WARN_DAYS))} from medicine_boxes b join service_points p on p.id = b.service_point_id
     where ${reachWhere(who, "b.org_path", params)} order by b.org_path, b.id limit 500`,
    params,
  );
}

export interface StockRow {
  id: number;
  boxId: number;
  orgPath: string;
  medicineName: string;
  spec: string;
  batch: string;
  expiresOn: string;
  quantity: number;
  prescription: boolean;
}
const STOCK_COLS = `s.id, s.box_id as "boxId", s.org_path as "orgPath", s.medicine_name as "medicineName", s.spec, s.batch,
  s.expires_on::text as "expiresOn", s.quantity, s.prescription`;

export const withExpiry = (s: StockRow, day: string) => ({ ...s, expiry: expiryStatus(s.expiresOn, day) });

async function loadBox(ctx: AppContext, who: Principal, id: number, now: Date) {
  const day = today(now);
  const params: unknown[] = [id];
  const [b] = await ctx.database.query<BoxRow>(
    `select ${BOX_COLS(day, addDays(day, EXPIRY_WARN_DAYS))} from medicine_boxes b join service_points p on p.id = b.service_point_id
     where b.id = $1 and ${reachWhere(who, "b.org_path", params)}`,
    params,
  );
  if (!b) throw NotFound("药箱不存在");
  return b;
}

export async function boxDetail(ctx: AppContext, who: Principal, id: number, now = new Date()) {
  mutualAidPolicy.authorize(who, "read");
  const box = await loadBox(ctx, who, id, now);
  const stock = await ctx.database.query<StockRow>(
    `select ${STOCK_COLS} from medicine_stock s where s.box_id = $1 and s.quantity > 0 order by s.medicine_name, s.expires_on, s.id`,
    [id],
  );
  const movements = await ctx.database.query<{
    id: number;
    kind: string;
    quantity: number;
    medicineName: string;
    batch: string;
    actorName: string;
    note: string | null;
    createdAt: Date;
  }>(
    `select m.id, m.kind, m.quantity, s.medicine_name as "medicineName", s.batch, m.actor_name as "actorName", m.note,
       m.created_at as "createdAt"
     from medicine_movements m join medicine_stock s on s.id = m.stock_id where m.box_id = $1 order by m.id desc limit 50`,
    [id],
  );
  const day = today(now);
  return { box, stock: stock.map((s) => withExpiry(s, day)), movements };
}

export async function createBox(
  ctx: AppContext,
  who: Principal,
  input: { servicePointId: number; name: string },
) {
  mutualAidPolicy.authorize(who, "stock");
  const params: unknown[] = [input.servicePointId];
  const [p] = await ctx.database.query<{ id: number; orgUnitId: number; orgPath: string }>(
    `select id, org_unit_id as "orgUnitId", org_path as "orgPath" from service_points where id = $1 and ${reachWhere(who, "org_path", params)}`,
    params,
  );
  if (!p)
    throw Invalid("服务阵地不存在", [{ field: "servicePointId", message: "服务阵地不存在或不在您的辖区" }]);
  return inTx(ctx, async (tx) => {
    const [b] = await rows<{ id: number }>(
      tx,
      sql`insert into medicine_boxes (service_point_id, name, org_unit_id, org_path)
        values (${p.id}, ${input.name.trim()}, ${p.orgUnitId}, ${p.orgPath}) returning id`,
    );
    await audit.record(tx, who, {
      action: "create",
      entity: "medicine_box",
      entityId: b.id,
      orgPath: p.orgPath,
      after: input,
    });
    return b;
  });
}

export interface Donation {
  medicineName: string;
  spec: string;
  batch: string;
  expiresOn: string;
  quantity: number;
  prescription: boolean;
  note?: string;
}

/** A donation in: the batch's quantity grows (a new batch row the first time). An expired batch is refused. */
export async function donate(ctx: AppContext, who: Principal, boxId: number, d: Donation, now = new Date()) {
  mutualAidPolicy.authorize(who, "stock");
  const box = await loadBox(ctx, who, boxId, now);
  if (expiryStatus(d.expiresOn, today(now)) === "expired")
    throw Invalid("过期药品不能入箱", [{ field: "expiresOn", message: "有效期已过" }]);
  return inTx(ctx, async (tx) => {
    const [s] = await rows<{ id: number; quantity: number; prescription: boolean }>(
      tx,
      sql`insert into medicine_stock (box_id, org_path, medicine_name, spec, batch, expires_on, quantity, prescription)
        values (${boxId}, ${box.orgPath}, ${d.medicineName.trim()}, ${d.spec.trim()}, ${d.batch.trim()}, ${d.expiresOn}, ${d.quantity}, ${d.prescription})
        on conflict (box_id, medicine_name, spec, batch) do update set quantity = medicine_stock.quantity + excluded.quantity,
          updated_at = now()
          where medicine_stock.expires_on = excluded.expires_on and medicine_stock.prescription = excluded.prescription
        returning id, quantity, prescription`,
    );
    if (!s) throw Conflict("同一批号已登记为不同的有效期或处方类别，请核对");
    await movement(tx, who, {
      stockId: s.id,
      boxId,
      orgPath: box.orgPath,
      kind: "donation",
      quantity: d.quantity,
      note: d.note,
    });
    await audit.record(tx, who, {
      action: "donate",
      entity: "medicine_stock",
      entityId: s.id,
      orgPath: box.orgPath,
      after: { ...d, total: s.quantity },
    });
    return { id: s.id, quantity: s.quantity };
  });
}

export async function movement(
  tx: Tx,
  who: Principal,
  m: {
    stockId: number;
    boxId: number;
    orgPath: string;
    kind: "donation" | "dispense" | "disposal";
    quantity: number;
    requestId?: number | null;
    approvedBy?: number | null;
    note?: string | null;
  },
) {
  await tx.execute(sql`insert into medicine_movements (stock_id, box_id, org_path, kind, quantity, request_id, approved_by, note, actor_name)
    values (${m.stockId}, ${m.boxId}, ${m.orgPath}, ${m.kind}, ${m.quantity}, ${m.requestId ?? null}, ${m.approvedBy ?? null},
      ${m.note?.trim() || null}, ${who.displayName})`);
}

/**
 * Takes `quantity` from a batch in one conditional UPDATE: in date and enough left, checked under the row's
 * lock, so two dispensers at once never take more than there is. 409 with the reason otherwise.
 */
export async function takeFromStock(tx: Tx, stockId: number, quantity: number, day: string) {
  const [s] = await rows<{ id: number; quantity: number; boxId: number; orgPath: string }>(
    tx,
    sql`update medicine_stock set quantity = quantity - ${quantity}, updated_at = now()
      where id = ${stockId} and quantity >= ${quantity} and expires_on >= ${day}
      returning id, quantity, box_id as "boxId", org_path as "orgPath"`,
  );
  if (s) return s;
  const [cur] = await rows<{ expiresOn: string; quantity: number }>(
    tx,
    sql`select expires_on::text as "expiresOn", quantity from medicine_stock where id = ${stockId}`,
  );
  if (!cur) throw NotFound("库存批次不存在");
  throw Conflict(
    cur.expiresOn < day
      ? DISPENSE_MESSAGES.expired
      : `${DISPENSE_MESSAGES.insufficient}（现有 ${cur.quantity}）`,
    { available: cur.quantity, expiresOn: cur.expiresOn },
  );
}

async function loadStock(ctx: AppContext, who: Principal, id: number) {
  const params: unknown[] = [id];
  const [s] = await ctx.database.query<StockRow>(
    `select ${STOCK_COLS} from medicine_stock s where s.id = $1 and ${reachWhere(who, "s.org_path", params)}`,
    params,
  );
  if (!s) throw NotFound("库存批次不存在");
  return s;
}

/** Dispensing at the box (a walk-in at the service point). Prescription medicine only by a doctor. */
export async function dispense(
  ctx: AppContext,
  who: Principal,
  stockId: number,
  input: { quantity: number; note?: string },
  now = new Date(),
) {
  mutualAidPolicy.authorize(who, "stock");
  const s = await loadStock(ctx, who, stockId);
  if (s.prescription) mutualAidPolicy.authorize(who, "dispensePrescription");
  return inTx(ctx, async (tx) => {
    const left = await takeFromStock(tx, stockId, input.quantity, today(now));
    await movement(tx, who, {
      stockId,
      boxId: s.boxId,
      orgPath: s.orgPath,
      kind: "dispense",
      quantity: input.quantity,
      approvedBy: s.prescription && who.kind === "account" ? who.id : null,
      note: input.note,
    });
    await audit.record(tx, who, {
      action: "dispense",
      entity: "medicine_stock",
      entityId: stockId,
      orgPath: s.orgPath,
      after: { quantity: input.quantity, left: left.quantity },
    });
    return { id: stockId, quantity: left.quantity };
  });
}

/** Disposal of every expired batch left in a box 过期处置: quantities to zero, one movement per batch. */
export async function disposeExpired(ctx: AppContext, who: Principal, boxId: number, now = new Date()) {
  mutualAidPolicy.authorize(who, "stock");
  const box = await loadBox(ctx, who, boxId, now);
  const day = today(now);
  return inTx(ctx, async (tx) => {
    const gone = await rows<{ id: number; quantity: number }>(
      tx,
      sql`update medicine_stock s set quantity = 0, updated_at = now()
        from (select id, quantity from medicine_stock where box_id = ${boxId} and expires_on < ${day} and quantity > 0 for update) old
        where s.id = old.id returning s.id, old.quantity`,
    );
    for (const g of gone)
      await movement(tx, who, {
        stockId: g.id,
        boxId,
        orgPath: box.orgPath,
        kind: "disposal",
        quantity: g.quantity,
        note: "过期处置",
      });
    const units = gone.reduce((a, g) => a + g.quantity, 0);
    await audit.record(tx, who, {
      action: "dispose_expired",
      entity: "medicine_box",
      entityId: boxId,
      orgPath: box.orgPath,
      after: { batches: gone.length, units },
    });
    return { batches: gone.length, units };
  });
}

const SEARCH_COLS = `${STOCK_COLS}, b.name as "boxName", p.name as "servicePointName", p.address`;

/** Batches expiring within `days` (and those already expired but not yet disposed of), soonest first. */
export async function expiring(ctx: AppContext, who: Principal, days = EXPIRY_WARN_DAYS, now = new Date()) {
  mutualAidPolicy.authorize(who, "read");
  const day = today(now);
  const params: unknown[] = [addDays(day, days)];
  const items = await ctx.database.query<
    StockRow & { boxName: string; servicePointName: string; address: string }
  >(
    `select ${SEARCH_COLS} from medicine_stock s join medicine_boxes b on b.id = s.box_id join service_points p on p.id = b.service_point_id
     where ${reachWhere(who, "s.org_path", params)} and s.quantity > 0 and s.expires_on <= $1 order by s.expires_on, s.id limit 500`,
    params,
  );
  return items.map((s) => withExpiry(s, day));
}

/** Escapes LIKE's wildcards in a search word. */
const likeWord = (q: string) => `%${medicineKey(q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Medicine search across the boxes in scope: in-date batches with stock whose name or specification holds
 * the word, first expiring first.
 */
export async function searchMedicine(
  ctx: AppContext,
  who: Pick<Principal, "orgPath">,
  q: string,
  now = new Date(),
) {
  const day = today(now);
  const params: unknown[] = [day, likeWord(q)];
  const items = await ctx.database.query<
    StockRow & { boxName: string; servicePointName: string; address: string }
  >(
    `select ${SEARCH_COLS} from medicine_stock s join medicine_boxes b on b.id = s.box_id join service_points p on p.id = b.service_point_id
     where ${reachWhere(who, "s.org_path", params)} and s.quantity > 0 and s.expires_on >= $1 and b.active
       and s.search_key like $2
     order by s.medicine_name, s.expires_on, s.id limit 100`,
    params,
    { name: "ma_medicine_search" },
  );
  return items.map((s) => withExpiry(s, day));
}

export async function search(ctx: AppContext, who: Principal, q: string, now = new Date()) {
  mutualAidPolicy.authorize(who, "read");
  return searchMedicine(ctx, who, q, now);
}
