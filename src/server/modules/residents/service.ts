import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { residents } from "../../../db/schema/index.ts";
import { ID_ERROR_ZH, parseIdCard } from "../../../domain/idcard/idcard.ts";
import { normalisePhone } from "../../../domain/mask/mask.ts";
import { KEY_TAGS, LIVING_ARRANGEMENTS } from "../../../domain/people/generate.ts";
import { nameInitials } from "../../../domain/people/pinyin.ts";
import { classifyQuery, escapeLike } from "../../../domain/people/query.ts";
import type { Actor, AppContext } from "../../context.ts";
import { scopeWhere } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, type FieldError, Invalid, NotFound } from "../../platform/errors.ts";
import { getOrgUnit } from "../orgs/index.ts";
import { residentPolicy } from "./policy.ts";
import { presentResident, type ResidentRow } from "./presenter.ts";
import { insertResident, sealResident } from "./writes.ts";

export const RESIDENT_COLUMNS = `r.id, r.household_id as "householdId", r.building_id as "buildingId", r.org_unit_id as "orgUnitId",
  r.org_path as "orgPath", r.name, r.gender, r.birth_date::text as "birthDate", r.id_cipher as "idCipher",
  r.phone_cipher as "phoneCipher", r.address, r.relation_to_head as "relationToHead",
  r.living_arrangement as "livingArrangement", r.tags, r.version`;

/** Counts stop here: a community's list counts exactly; above it "1000+" says enough and costs little. */
export const TOTAL_CAP = { community: 10_000, wide: 1_000 };

export interface ResidentFilter {
  q?: string;
  org?: number;
  tag?: string;
}

/**
 * Builds the WHERE clause of a resident search. Scope is always the first condition: the caller's
 * subtree, or a narrower org unit inside it (outside it → 403 before any row is read).
 */
async function searchWhere(
  ctx: AppContext,
  actor: Actor,
  f: ResidentFilter,
): Promise<{ where: string; params: unknown[]; scopePath: string; inCommunity: boolean }> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  let scopePath = actor.orgPath;
  if (f.org !== undefined) scopePath = (await getOrgUnit(ctx, actor, f.org)).path;
  // The scope is $1: the address search below narrows buildings with it too.
  const conds = [scopeWhere({ orgPath: scopePath }, "r.org_path", params, { collate: "C" })];
  // Inside a community the scope index alone narrows to a few thousand rows; a district-wide tag or name
  // index would only add work there, so those tests are written in a form no index serves.
  const inCommunity = scopePath.split("/").filter(Boolean).length >= 3;
  const tagsCol = inCommunity ? "(r.tags || '{}'::text[])" : "r.tags";
  const nameCol = inCommunity ? "(r.name || '')" : "r.name";
  if (f.tag) {
    if (!(KEY_TAGS as readonly string[]).includes(f.tag))
      throw Invalid("未知的人群标签", [{ field: "tag", message: "标签: 未知的人群标签" }]);
    conds.push(`${tagsCol} @> array[${p(f.tag)}]::text[]`);
  }
  const q = f.q ? classifyQuery(f.q) : null;
  if (q) {
    switch (q.kind) {
      case "tail":
        conds.push(`(r.phone_tail = ${p(q.value)} or r.id_tail = ${p(q.value)})`);
        break;
      case "phone":
        conds.push(`r.phone_hash = ${p(ctx.crypto.hash(q.value))}`);
        break;
      case "id_number":
        conds.push(`r.id_hash = ${p(ctx.crypto.hash(q.value))}`);
        break;
      case "initials":
        conds.push(`r.name_initials like ${p(`${q.value}%`)}`);
        break;
      case "text": {
        // Name prefix, or an address: first narrow to the buildings the text names (a small table),
        // then match the full address within them, so a district-wide search never scans every resident.
        // `= any(array(…))` lets the planner OR the name and building indexes instead of testing each row.
        // A bare building name ("12幢") names one building only inside a community; above that it would
        // match one in every community, so there the text must carry the community too.
        const like = p(`%${escapeLike(q.value)}%`);
        const text = p(q.value);
        conds.push(`(${nameCol} like ${p(`${escapeLike(q.value)}%`)} or (r.building_id = any(array(
          select b.id from buildings b where b.org_path like $1
            and (b.address like ${like} or ${text} like '%' || b.address || '%'${inCommunity ? ` or ${text} like '%' || b.name || '%'` : ""})))
          and r.address like ${like}))`);
        break;
      }
    }
  }
  return { where: conds.join(" and "), params, scopePath, inCommunity };
}

export async function searchResidents(
  ctx: AppContext,
  actor: Actor,
  f: ResidentFilter & { page: number; pageSize: number },
) {
  residentPolicy.authorize(actor, "read");
  const { where, params, inCommunity } = await searchWhere(ctx, actor, f);
  const offset = (f.page - 1) * f.pageSize;
  const cap = inCommunity ? TOTAL_CAP.community : TOTAL_CAP.wide;
  // Counting is capped: "10000+" is all a list needs, and an exact district count would cost seconds.
  // A short page already tells the total; beyond page one the count runs alongside the page.
  const count = () =>
    ctx.database.query<{ n: number }>(
      `select count(*)::int as n from (select 1 from residents r where ${where} limit ${cap + 1}) s`,
      params,
    );
  const counting = offset > 0 ? count() : null;
  const rows = await ctx.database.query<ResidentRow>(
    `select ${RESIDENT_COLUMNS} from residents r where ${where} order by r.org_path collate "C", r.id limit ${f.pageSize} offset ${offset}`,
    params,
  );
  const short = rows.length < f.pageSize && (rows.length > 0 || offset === 0);
  const n = short ? offset + rows.length : (await (counting ?? count()))[0].n;
  return {
    items: rows.map((r) => presentResident(r, ctx.crypto)),
    total: Math.min(n, cap),
    totalCapped: n > cap,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** Rows for export, streamed in registry order a page at a time (keyset on path and id) so memory stays flat. */
export async function* exportResidents(ctx: AppContext, actor: Actor, f: ResidentFilter) {
  residentPolicy.authorize(actor, "export");
  const { where, params, scopePath } = await searchWhere(ctx, actor, f);
  const n = params.length;
  // Start the keyset at the scope itself, so the first page seeks straight to it.
  let after: [string, number] = [scopePath, 0];
  let count = 0;
  for (;;) {
    const rows = await ctx.database.query<ResidentRow>(
      `select ${RESIDENT_COLUMNS} from residents r where ${where}
         and (r.org_path collate "C", r.id) > ($${n + 1}::text collate "C", $${n + 2}::int)
       order by r.org_path collate "C", r.id limit 2000`,
      [...params, ...after],
    );
    for (const r of rows) yield presentResident(r, ctx.crypto);
    count += rows.length;
    if (rows.length < 2000) break;
    const last = rows[rows.length - 1];
    after = [last.orgPath, last.id];
  }
  await audit.record(ctx.database.db, actor, {
    action: "export",
    entity: "resident",
    orgPath: actor.orgPath,
    after: { filter: { q: f.q ? "(已提供)" : undefined, org: f.org, tag: f.tag }, count },
  });
}

/** A resident in the actor's subtree; 404 when absent or outside it. */
async function loadRow(ctx: AppContext, actor: Actor, id: number): Promise<ResidentRow> {
  const params: unknown[] = [id];
  const [row] = await ctx.database.query<ResidentRow>(
    `select ${RESIDENT_COLUMNS} from residents r where r.id = $1 and ${scopeWhere(actor, "r.org_path", params, { collate: "C" })}`,
    params,
  );
  if (!row) throw NotFound("居民不存在");
  return row;
}

export async function getResident(ctx: AppContext, actor: Actor, id: number) {
  residentPolicy.authorize(actor, "read");
  const row = await loadRow(ctx, actor, id);
  return { row, resident: presentResident(row, ctx.crypto) };
}

export async function revealResidentField(
  ctx: AppContext,
  actor: Actor,
  id: number,
  field: "idNumber" | "phone",
  reason: string,
) {
  residentPolicy.authorize(actor, "reveal");
  const row = await loadRow(ctx, actor, id);
  const cipher = field === "idNumber" ? row.idCipher : row.phoneCipher;
  if (!cipher) throw NotFound("该居民没有登记手机号");
  await audit.record(ctx.database.db, actor, {
    action: "reveal",
    entity: "resident",
    entityId: id,
    orgPath: row.orgPath,
    reason,
    after: { field },
  });
  return { field, value: ctx.crypto.decrypt(cipher) };
}

export interface ResidentInput {
  name?: string;
  idNumber?: string;
  phone?: string | null;
  householdId?: number;
  tags?: string[];
  livingArrangement?: string | null;
  relationToHead?: string | null;
}

function validate(input: ResidentInput, creating: boolean) {
  const errors: FieldError[] = [];
  const out: Record<string, unknown> = {};
  if (input.name !== undefined || creating) {
    const name = (input.name ?? "").trim();
    if (!/^[\u4e00-\u9fa5·A-Za-z\s]{1,30}$/.test(name))
      errors.push({ field: "name", message: "姓名: 应为 1–30 个汉字或字母" });
    else out.name = name;
  }
  if (input.idNumber !== undefined || creating) {
    const r = parseIdCard(input.idNumber ?? "");
    if (!r.ok) errors.push({ field: "idNumber", message: `身份证号: ${ID_ERROR_ZH[r.error]}` });
    else out.id = r.info;
  }
  if (input.phone !== undefined && input.phone !== null && input.phone !== "") {
    const phone = normalisePhone(input.phone);
    if (!phone) errors.push({ field: "phone", message: "手机号: 应为 11 位中国大陆手机号" });
    else out.phone = phone;
  } else if (input.phone === null || input.phone === "") out.phone = null;
  if (input.tags) {
    const bad = input.tags.filter((t) => !(KEY_TAGS as readonly string[]).includes(t));
    if (bad.length) errors.push({ field: "tags", message: `标签: 未知的人群标签 ${bad.join(",")}` });
    else out.tags = [...new Set(input.tags)];
  }
  if (
    input.livingArrangement &&
    !(LIVING_ARRANGEMENTS as readonly string[]).includes(input.livingArrangement)
  ) {
    errors.push({ field: "livingArrangement", message: "居住状况: 取值无效" });
  }
  if (errors.length) throw Invalid(errors.map((e) => e.message).join("；"), errors);
  return out as {
    name?: string;
    id?: { id: string; birthDate: string; gender: string };
    phone?: string | null;
    tags?: string[];
  };
}

async function householdInScope(ctx: AppContext, actor: Actor, householdId: number) {
  const params: unknown[] = [householdId];
  const [h] = await ctx.database.query<{
    id: number;
    buildingId: number;
    orgUnitId: number;
    orgPath: string;
    address: string;
  }>(
    `select id, building_id as "buildingId", org_unit_id as "orgUnitId", org_path as "orgPath", address from households h
     where h.id = $1 and ${scopeWhere(actor, "h.org_path", params)}`,
    params,
  );
  // A household outside the subtree is answered exactly as a missing one (400 on the field, it names a record).
  if (!h) throw Invalid("户不存在", [{ field: "householdId", message: "户: 不存在" }]);
  return h;
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.code === "23505" || err?.cause?.code === "23505";
}

const duplicateId = () =>
  Conflict("身份证号已登记在另一位居民名下", {
    fields: [{ field: "idNumber", message: "身份证号: 已被其他居民使用" }],
  });

export async function createResident(ctx: AppContext, actor: Actor, input: ResidentInput) {
  residentPolicy.authorize(actor, "write");
  const v = validate(input, true);
  if (!input.householdId) throw Invalid("请选择所属户", [{ field: "householdId", message: "户: 必填" }]);
  const h = await householdInScope(ctx, actor, input.householdId);
  const c = ctx.crypto;
  try {
    return await ctx.database.db.transaction(async (tx) => {
      const row = await insertResident(
        tx as unknown as Db,
        h,
        sealResident(c, {
          name: v.name!,
          id: v.id!,
          phone: v.phone ?? null,
          relationToHead: input.relationToHead ?? null,
          livingArrangement: input.livingArrangement ?? null,
          tags: v.tags ?? [],
        }),
      );
      const id = row.id;
      const presented = presentResident(row, c);
      await audit.record(tx as any, actor, {
        action: "create",
        entity: "resident",
        entityId: id,
        orgPath: h.orgPath,
        after: presented,
      });
      return presented;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateId();
    throw e;
  }
}

export async function updateResident(
  ctx: AppContext,
  actor: Actor,
  id: number,
  version: number,
  input: ResidentInput,
) {
  residentPolicy.authorize(actor, "write");
  const v = validate(input, false);
  const before = await loadRow(ctx, actor, id);
  const h =
    input.householdId && input.householdId !== before.householdId
      ? await householdInScope(ctx, actor, input.householdId)
      : null;
  const c = ctx.crypto;
  const changes: Partial<typeof residents.$inferInsert> = {};
  if (v.name) Object.assign(changes, { name: v.name, nameInitials: nameInitials(v.name) });
  if (v.id) {
    Object.assign(changes, {
      idCipher: c.encrypt(v.id.id),
      idHash: c.hash(v.id.id),
      idTail: v.id.id.slice(-4),
      gender: v.id.gender,
      birthDate: v.id.birthDate,
    });
  }
  if (v.phone !== undefined) {
    Object.assign(changes, {
      phoneCipher: v.phone ? c.encrypt(v.phone) : null,
      phoneHash: v.phone ? c.hash(v.phone) : null,
      phoneTail: v.phone ? v.phone.slice(-4) : null,
    });
  }
  if (v.tags) changes.tags = v.tags;
  if (input.livingArrangement !== undefined) changes.livingArrangement = input.livingArrangement;
  if (input.relationToHead !== undefined) changes.relationToHead = input.relationToHead;
  if (h) {
    Object.assign(changes, {
      householdId: h.id,
      buildingId: h.buildingId,
      orgUnitId: h.orgUnitId,
      orgPath: h.orgPath,
      address: h.address,
    });
  }
  const beforePresented = presentResident(before, c);
  if (Object.keys(changes).length === 0) return beforePresented;
  try {
    return await ctx.database.db.transaction(async (tx) => {
      // Optimistic concurrency: the row changes only if nobody saved it since the caller read it.
      const updated = await tx
        .update(residents)
        .set({ ...changes, version: sql`${residents.version} + 1`, updatedAt: new Date() })
        .where(and(eq(residents.id, id), eq(residents.version, version)))
        .returning({ id: residents.id });
      if (updated.length === 0) {
        throw Conflict("该居民信息已被他人修改，请刷新后重试", { currentVersion: before.version });
      }
      const [row] = ((await tx.execute(rawSelect(id))) as any).rows as ResidentRow[];
      const after = presentResident(row, c);
      await audit.record(tx as any, actor, {
        action: "update",
        entity: "resident",
        entityId: id,
        orgPath: row.orgPath,
        before: beforePresented,
        after,
      });
      return after;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateId();
    throw e;
  }
}

function rawSelect(id: number): SQL {
  return sql`select ${sql.raw(RESIDENT_COLUMNS)} from residents r where r.id = ${id}`;
}
