import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import type { Actor } from "../../context.ts";
import { addAccount } from "./index.ts";

// Accounts as the system and a sysadmin make them, and as sign-in treats them: another subtree's unit is one
// that does not exist, a role without account.manage is refused, a disabled account neither signs in nor
// keeps its session, and a login body that tries to name a role or an org is refused whole.

describe.each(DB_KINDS)("accounts and sign-in on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  const principal = async (username: string): Promise<Actor> => {
    const [a] = await t.ctx.database.query<Actor>(
      `select 'account' as kind, a.id, a.username, a.display_name as "displayName", a.role,
         a.org_unit_id as "orgUnitId", o.path as "orgPath", o.name as "orgName", o.kind as "orgKind"
       from accounts a join org_units o on o.id = a.org_unit_id where a.username = $1`,
      [username],
    );
    return a;
  };
  const count = async (username: string) =>
    (
      await t.ctx.database.query<{ n: number }>(
        "select count(*)::int as n from accounts where username = $1",
        [username],
      )
    )[0].n;

  it("the system makes accounts anywhere, audited as itself with the unit's place", async () => {
    const id = await addAccount(t.ctx.database, {
      username: "acc-sys",
      displayName: "系统建",
      role: "grid_worker",
      org: "320613019010-G01",
      password: "Worker123",
    });
    const [ev] = await t.ctx.database.query<{ username: string; org_path: string }>(
      "select username, org_path from audit_events where entity = 'account' and entity_id = $1",
      [String(id)],
    );
    expect(ev.username).toBe("system:accounts");
    expect(ev.org_path).toContain("/320613019010-G01/");
  });

  it("a sysadmin's unit outside their subtree does not exist; a role without account.manage is refused", async () => {
    // A sysadmin of 苏阳社区 (made by the system), then acting as themselves.
    await addAccount(t.ctx.database, {
      username: "acc-admin",
      displayName: "社区系统管理员",
      role: "sysadmin",
      org: "320613019010",
      password: "Admin1234",
    });
    const admin = await principal("acc-admin");
    const outside = {
      username: "acc-outside",
      displayName: "越界",
      role: "grid_worker",
      org: "320613001",
      password: "Worker123",
    };
    await expect(addAccount(t.ctx.database, outside, admin)).rejects.toThrow("组织代码 320613001 不存在");
    await expect(addAccount(t.ctx.database, { ...outside, org: "no-such-unit" }, admin)).rejects.toThrow(
      "组织代码 no-such-unit 不存在",
    );
    expect(await count("acc-outside")).toBe(0);
    await addAccount(t.ctx.database, { ...outside, username: "acc-inside", org: "320613019010-G02" }, admin);
    expect(await count("acc-inside")).toBe(1);
    const community = await principal("demo-community");
    await expect(
      addAccount(
        t.ctx.database,
        { ...outside, username: "acc-by-community", org: "320613019010-G02" },
        community,
      ),
    ).rejects.toMatchObject({ status: 403 });
    expect(await count("acc-by-community")).toBe(0);
  });

  it("a disabled account neither signs in nor keeps its session, and answers like a wrong password", async () => {
    const h = await t.login("acc-sys", "Worker123");
    expect((await t.app.inject({ url: "/api/me", headers: h })).statusCode).toBe(200);
    await t.ctx.database.query("update accounts set disabled = true where username = 'acc-sys'");
    const login = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "acc-sys", password: "Worker123" },
    });
    const wrong = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "acc-inside", password: "Wrong12345" },
    });
    expect(login.statusCode).toBe(401);
    expect(login.json().error.message).toBe(wrong.json().error.message);
    // The session ends within the session cache's few seconds.
    await expect
      .poll(async () => (await t.app.inject({ url: "/api/me", headers: h })).statusCode, {
        timeout: 10_000,
        interval: 500,
      })
      .toBe(401);
  });

  it("a login body naming a role, an org or an account id is refused whole", async () => {
    for (const extra of [{ role: "sysadmin" }, { orgUnitId: 1 }, { id: 1 }]) {
      const r = await t.app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { username: "acc-inside", password: "Worker123", ...extra },
      });
      expect(r.statusCode, JSON.stringify(extra)).toBe(400);
      expect(r.headers["set-cookie"]).toBeUndefined();
    }
    const ok = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "acc-inside", password: "Worker123" },
    });
    expect(ok.json()).toMatchObject({ role: "grid_worker", org: { kind: "grid" } });
  });
});
