import type { Database } from "../../../db/client.ts";
import { ROLES } from "../../platform/roles.ts";
import { hashPassword, passwordProblems } from "../auth/passwords.ts";

export interface NewAccount {
  username: string;
  displayName: string;
  role: string;
  org: string; // org unit code
  password: string;
}

/** Creates an account scoped to an org unit (used by the CLI and the demo loader). */
export async function addAccount(database: Database, a: NewAccount): Promise<number> {
  if (!/^[a-zA-Z0-9._-]{3,40}$/.test(a.username)) throw new Error("用户名须为 3–40 位字母、数字或 ._-");
  if (!(ROLES as readonly string[]).includes(a.role))
    throw new Error(`未知角色 ${a.role}，可选：${ROLES.join(", ")}`);
  const problem = passwordProblems(a.password);
  if (problem) throw new Error(problem);
  const [org] = await database.query<{ id: number }>("select id from org_units where code = $1", [a.org]);
  if (!org) throw new Error(`组织代码 ${a.org} 不存在`);
  const [dup] = await database.query("select 1 from accounts where username = $1", [a.username]);
  if (dup) throw new Error(`用户名 ${a.username} 已存在`);
  const [row] = await database.query<{ id: number }>(
    "insert into accounts (username, display_name, password_hash, role, org_unit_id) values ($1, $2, $3, $4, $5) returning id",
    [a.username, a.displayName, await hashPassword(a.password), a.role, org.id],
  );
  await database.query(
    "insert into audit_events (action, entity, entity_id, after) values ('create', 'account', $1, $2)",
    [String(row.id), JSON.stringify({ username: a.username, role: a.role, org: a.org, by: "cli" })],
  );
  return row.id;
}
