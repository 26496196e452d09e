import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";

// The audit log as its readers meet it: only their own area (another street's entries are simply not there),
// 403 for a role that answers for nothing, and health facts in an entry only for those who may read them.

describe.each(DB_KINDS)("audit log on %s", (kind) => {
  let t: TestApp;
  let community: Headers; // 苏阳社区
  let commander: Headers; // the district
  let grid: Headers;
  let suyang: string;
  let elsewhere: string;
  const tag = `t${Date.now()}`;

  beforeAll(async () => {
    t = await createTestApp(kind);
    [community, commander, grid] = await Promise.all(
      ["demo-community", "demo-commander", "demo-grid"].map((u) => t.login(u)),
    );
    const q = t.ctx.database.query.bind(t.ctx.database);
    [{ path: suyang }] = await q<{ path: string }>("select path from org_units where code = '320613019010'");
    [{ path: elsewhere }] = await q<{ path: string }>("select path from org_units where code = '320613001'");
    const sys = systemPrincipal("audit_test", "系统（测试）");
    const db = t.ctx.database.db;
    await audit.record(db, sys, {
      action: "update",
      entity: "resident",
      entityId: `${tag}-in`,
      orgPath: suyang,
      after: { name: "内" },
    });
    await audit.record(db, sys, {
      action: "update",
      entity: "resident",
      entityId: `${tag}-out`,
      orgPath: elsewhere,
      after: { name: "外" },
    });
    await audit.record(db, sys, {
      action: "create",
      entity: "care_visit",
      entityId: `${tag}-visit`,
      orgPath: suyang,
      after: { level: "critical" },
    });
  });
  afterAll(() => t?.close());

  const read = (h: Headers, query: string) => t.app.inject({ url: `/api/audit?${query}`, headers: h });

  it("a reader sees their own area only: another street's entry is not there, as if it never was", async () => {
    const inside = (await read(community, `entityId=${tag}-in`)).json();
    expect(inside.items).toHaveLength(1);
    expect(inside.items[0]).toMatchObject({
      username: "system:audit_test",
      after: { name: "内" },
      detailsWithheld: false,
    });
    expect((await read(community, `entityId=${tag}-out`)).json().items).toEqual([]);
    expect((await read(commander, `entityId=${tag}-out`)).json().items).toHaveLength(1);
  });

  it("403 for a role that answers for nothing; 400 for a filter that is not one", async () => {
    expect((await read(grid, "limit=5")).statusCode).toBe(403);
    expect((await read(community, "orgPath=%2F")).statusCode).toBe(400);
    expect((await read(community, "limit=500")).statusCode).toBe(400);
  });

  it("health facts stay with those who may read health data", async () => {
    const forCommander = (await read(commander, `entityId=${tag}-visit`)).json().items[0];
    expect(forCommander).toMatchObject({
      entity: "care_visit",
      before: null,
      after: null,
      detailsWithheld: true,
    });
    const forCommunity = (await read(community, `entityId=${tag}-visit`)).json().items[0];
    expect(forCommunity).toMatchObject({ after: { level: "critical" }, detailsWithheld: false });
    expect(Object.keys(forCommunity).sort()).toEqual(
      [
        "action",
        "after",
        "at",
        "before",
        "detailsWithheld",
        "entity",
        "entityId",
        "id",
        "reason",
        "username",
      ].sort(),
    );
  });
});
