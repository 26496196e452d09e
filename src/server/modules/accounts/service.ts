import type { Database } from "../../../db/client.ts";
import type { Principal } from "../../context.ts";
import { scopeWhere, systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { ROLES } from "../../platform/roles.ts";
import { hashPassword, passwordProblems } from "../auth/index.ts";
import { accountPolicy } from "./policy.ts";

/** Accounts are made from the command line or by the demo loader: the system, named in the audit log. */
export const ACCOUNT_ADMIN = systemPrincipal("accounts", "系统（账号管理）");

export interface NewAccount {
  username: string;
  displayName: string;
  role: string;
  org: string; // org unit code
  password: string;
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
  const [row] = await database.query<{ id: number }>(
    "insert into accounts (username, display_name, password_hash, role, org_unit_id) values ($1, $2, $3, $4, $5) returning id",
    [a.username, a.displayName, await hashPassword(a.password), a.role, org.id],
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
