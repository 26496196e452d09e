import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";

// The key admin page: a key needs a real name; revoking one shuts its door at once.
describe.each(DB_KINDS)("Open311 key admin on %s", (kind) => {
  let t: TestApp;
  let community: number;
  beforeAll(async () => {
    t = await createTestApp(kind);
    [{ id: community }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010'",
    );
  });
  afterAll(() => t?.close());

  it("refuses a blank name with the field named, trims a real one, and revokes", async () => {
    const commander = await t.login("demo-commander");
    const create = (name: string) =>
      t.app.inject({
        method: "POST",
        url: "/api/open311/keys",
        headers: commander,
        payload: { name, orgUnitId: community },
      });
    const blank = await create("   ");
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.details.fields).toEqual([{ field: "name", message: "名称: 不能为空" }]);

    const made = await create("  社区小程序 ");
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({ name: "社区小程序", orgUnitId: community });
    const { id, key } = made.json();
    const list = (await t.app.inject({ url: "/api/open311/keys", headers: commander })).json().items;
    expect(list).toEqual([
      expect.objectContaining({
        id,
        name: "社区小程序",
        keyPrefix: key.slice(0, 8),
        orgName: "苏阳社区",
        revokedAt: null,
      }),
    ]);

    const post = () =>
      t.app.inject({
        method: "POST",
        url: "/open311/v2/requests.json",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams({
          api_key: key,
          service_code: "sanitation",
          lat: "32.03",
          long: "120.91",
          description: "垃圾桶满溢",
        }).toString(),
      });
    expect((await post()).statusCode).toBe(201);
    const revoked = await t.app.inject({
      method: "DELETE",
      url: `/api/open311/keys/${id}`,
      headers: commander,
    });
    expect(revoked.statusCode).toBe(204);
    expect((await post()).statusCode).toBe(403);
    const after = (await t.app.inject({ url: "/api/open311/keys", headers: commander })).json().items;
    expect(after[0].revokedAt).toEqual(expect.any(String));
  });
});
