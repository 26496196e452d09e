import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { addAccount } from "../accounts/index.ts";

// A care team member may be linked to an account: only a live account on the community's line.

describe.each(DB_KINDS)("care team members' accounts on %s", (kind) => {
  let t: TestApp;
  let community: Awaited<ReturnType<TestApp["login"]>>;
  let communityId: number;
  const accountId = async (username: string) =>
    (await t.ctx.database.query<{ id: number }>("select id from accounts where username = $1", [username]))[0]
      .id;

  beforeAll(async () => {
    t = await createTestApp(kind);
    community = await t.login("demo-community");
    [{ id: communityId }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010'",
    );
  });
  afterAll(() => t?.close());

  const add = (accountId: unknown) =>
    t.app.inject({
      method: "POST",
      url: `/api/care/teams/${communityId}/members`,
      headers: community,
      payload: { teamRole: "doctor", name: "李医生", phone: "0513-85551234", accountId },
    });

  it("links an account of the street above or of the community itself", async () => {
    expect((await add(await accountId("demo-doctor"))).statusCode).toBe(201);
    expect((await add(await accountId("demo-grid"))).statusCode).toBe(201);
  });

  it("refuses an account that does not exist, is disabled or serves another community, naming the field", async () => {
    const [other] = await t.ctx.database.query<{ code: string }>(
      "select code from org_units where kind = 'community' and code like '320613019%' and code <> '320613019010' order by code limit 1",
    );
    await addAccount(t.ctx.database, {
      username: "other-community",
      password: "Other12345",
      role: "community_admin",
      org: other.code,
      displayName: "别的社区",
    });
    const disabled = await accountId("demo-volunteer");
    await t.ctx.database.query("update accounts set disabled = true where id = $1", [disabled]);
    for (const id of [999_999, await accountId("other-community"), disabled]) {
      const r = await add(id);
      expect(r.statusCode, String(id)).toBe(400);
      expect(r.json().error.details.fields.map((f: any) => f.field)).toEqual(["accountId"]);
    }
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from care_team_members where account_id = any($1::int[])",
      [[999_999, disabled]],
    );
    expect(n).toBe(0);
  });
});
