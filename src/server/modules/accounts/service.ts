import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { normalisePhone } from "../../../domain/mask/mask.ts";
import type { AppContext, Principal } from "../../context.ts";
import { canSee, scopeWhere, systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { Forbidden, Invalid, NotFound } from "../../platform/errors.ts";
import { authorize, permits } from "../../platform/policy.ts";
import { ROLES } from "../../platform/roles.ts";
import { hashPassword, passwordProblems } from "../auth/index.ts";
import { accountPolicy } from "./policy.ts";
import { maskWorkPhone } from "./presenter.ts";

/** Accounts are made from the command line or by the demo loader: the system, named in the audit log. */
export const ACCOUNT_ADMIN = systemPrincipal("accounts", "系统（账号管理）");

export interface NewAccount {
  username: string;
  displayName: string;
  role: string;
  org: string; // org unit code
  password: string;
  /** The post's work phone (mobile or landline), printed on contact cards and duty lists. */
  workPhone?: string;
}

/** A work phone as stored: normalised (138…, 0513-…); the message names what is accepted. */
export function cleanWorkPhone(raw: string): string {
  const p = normalisePhone(raw);
  if (!p)
    throw Invalid("工作电话格式不正确", [
      { field: "workPhone", message: "工作电话: 应为手机号或带区号的固定电话（如 0513-85123456）" },
    ]);
  return p;
}

/** Creates an account scoped to an org unit (used by the CLI and the demo loader). */
export async function addAccount(
  database: Database,
  a: NewAccount,
  who: Principal = ACCOUNT_ADMIN,
): Promise<number> {
  if (!/^[a-zA-Z0-9._-]{3,40}$/.test(a.username)) throw new Error("用户名须为 3–40 位字母、数字或 ._-");
  if (!(ROLES as readonly string[]).includes(a.role))
    throw new Error(`未知角色 ${a.role}，可选：${ROLES.join(", ")}`);
  const problem = passwordProblems(a.password);
  if (problem) throw new Error(problem);
  // A unit outside the creator's subtree is answered as one that does not exist (the system sees all).
  const params: unknown[] = [a.org];
  const [org] = await database.query<{ id: number; path: string }>(
    `select id, path from org_units o where o.code = $1 and ${scopeWhere(who, "o.path", params)}`,
    params,
  );
  if (!org) throw new Error(`组织代码 ${a.org} 不存在`);
  accountPolicy.authorize(who, "create", { role: a.role, orgPath: org.path });
  const [dup] = await database.query("select 1 from accounts where username = $1", [a.username]);
  if (dup) throw new Error(`用户名 ${a.username} 已存在`);
  const workPhone = a.workPhone ? cleanWorkPhone(a.workPhone) : null;
  const [row] = await database.query<{ id: number }>(
    "insert into accounts (username, display_name, password_hash, role, org_unit_id, work_phone) values ($1, $2, $3, $4, $5, $6) returning id",
    [a.username, a.displayName, await hashPassword(a.password), a.role, org.id, workPhone],
  );
  await audit.record(database.db, who, {
    action: "create",
    entity: "account",
    entityId: row.id,
    orgPath: org.path,
    after: { username: a.username, role: a.role, org: a.org },
  });
  return row.id;
}

interface PhoneRow {
  id: number;
  orgPath: string;
  workPhone: string | null;
}

async function loadForPhone(ctx: AppContext, id: number): Promise<PhoneRow | null> {
  const [row] = await ctx.database.query<PhoneRow>(
    `select a.id, u.path as "orgPath", a.work_phone as "workPhone"
       from accounts a join org_units u on u.id = a.org_unit_id where a.id = $1`,
    [id],
  );
  return row ?? null;
}

/** Sets (or clears, with "") a staff account's work phone; audited with the masked numbers. */
export async function setWorkPhone(ctx: AppContext, who: Principal, id: number, raw: string) {
  // The role first (403), then the row: outside the caller's subtree an account is answered as missing.
  if (!permits(who, "account.manage") && !permits(who, "care.manage"))
    throw Forbidden("只有社区或系统管理员可以设置工作人员的工作电话");
  const row = await loadForPhone(ctx, id);
  if (!row || !canSee(who, row.orgPath)) throw NotFound("工作人员不存在");
  accountPolicy.authorize(who, "setWorkPhone", row);
  const workPhone = raw.trim() ? cleanWorkPhone(raw) : null;
  await ctx.database.db.transaction(async (tx) => {
    await tx.execute(sql`update accounts set work_phone = ${workPhone}, updated_at = now() where id = ${id}`);
    await audit.record(tx, who, {
      action: "update",
      entity: "account",
      entityId: id,
      orgPath: row.orgPath,
      before: { workPhone: row.workPhone && maskWorkPhone(row.workPhone) },
      after: { workPhone: workPhone && maskWorkPhone(workPhone) },
    });
  });
  return { id, workPhoneMasked: workPhone && maskWorkPhone(workPhone) };
}

/** The full work phone of a colleague, with the stated reason in the audit log. */
export async function revealWorkPhone(ctx: AppContext, who: Principal, id: number, reason: string) {
  authorize(who, "resident.reveal");
  const row = await loadForPhone(ctx, id);
  if (!row || !accountPolicy.can(who, "revealWorkPhone", row)) throw NotFound("工作人员不存在");
  if (!row.workPhone) throw NotFound("该工作人员没有登记工作电话");
  await audit.record(ctx.database.db, who, {
    action: "reveal",
    entity: "account",
    entityId: id,
    orgPath: row.orgPath,
    reason,
    after: { field: "workPhone" },
  });
  return { field: "workPhone" as const, value: row.workPhone };
}
