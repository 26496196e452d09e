import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { addAccount } from "../accounts/index.ts";

// The order policy's rules, each as a person meets it: a doctor works only medical orders of residents they
// are the family doctor of; once accepted, an order is the assignee's (or a supervisor's); nobody files an
// order about a resident or place outside their subtree; fields a caller may not set are refused.

describe.each(DB_KINDS)("order policy on %s", (kind) => {
  let t: TestApp;
  let agent: Headers;
  let grid: Headers;
  let gridB: Headers;
  let head: Headers;
  let doctor: Headers;
  let volunteer: Headers;
  let doctorId: number;
  let g1: { id: number };
  let mine: { id: number; building_id: number };
  let elsewhere: { id: number; building_id: number };

  const q = <T>(text: string, params: unknown[] = []) => t.ctx.database.query<T>(text, params);
  const post = (url: string, headers: Headers, payload: unknown) =>
    t.app.inject({ method: "POST", url, headers, payload: payload as object });
  const act = async (id: number, action: string, headers: Headers, body: Record<string, unknown> = {}) => {
    const [{ version }] = await q<{ version: number }>("select version from work_orders where id = $1", [id]);
    return post(`/api/orders/${id}/actions/${action}`, headers, { version, ...body });
  };
  const file = async (body: Record<string, unknown>) => {
    const r = await post("/api/orders", agent, {
      channel: "hotline_12345",
      description: "测试诉求内容",
      ...body,
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: number };
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    for (const a of [
      { username: "worker-b", displayName: "第1网格 网格员乙", role: "grid_worker" },
      { username: "head-g01", displayName: "第1网格 网格长", role: "grid_head" },
    ])
      await addAccount(t.ctx.database, { ...a, org: "320613019010-G01", password: "Worker123" });
    [agent, grid, gridB, head, doctor, volunteer] = await Promise.all([
      t.login("demo-agent"),
      t.login("demo-grid"),
      t.login("worker-b", "Worker123"),
      t.login("head-g01", "Worker123"),
      t.login("demo-doctor"),
      t.login("demo-volunteer"),
    ]);
    [{ id: doctorId }] = await q<{ id: number }>("select id from accounts where username = 'demo-doctor'");
    [g1] = await q<{ id: number }>("select id from org_units where code = '320613019010-G01'");
    [mine] = await q<{ id: number; building_id: number }>(
      "select id, building_id from residents where org_path like '%/320613019010-G01/%' order by id limit 1",
    );
    [elsewhere] = await q<{ id: number; building_id: number }>(
      "select id, building_id from residents where org_path like '%/320613019010-G02/%' order by id limit 1",
    );
  });
  afterAll(() => t?.close());

  it("a doctor works medical orders of their own signed residents, not sanitation or someone else's patient", async () => {
    const sanitation = await file({ categoryCode: "sanitation", residentId: mine.id });
    const refused = await act(sanitation.id, "accept", doctor);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toContain("非本专业");

    const [other] = await q<{ id: number }>(
      "select id from residents where org_path like '%/320613019010-G01/%' and id <> $1 order by id limit 1",
      [mine.id],
    );
    await q("update residents set family_doctor_id = $1 where id = $2", [doctorId, mine.id]);
    await q("update residents set family_doctor_id = null where id = $1", [other.id]);
    const notTheirs = await file({ categoryCode: "medical", residentId: other.id });
    expect((await act(notTheirs.id, "accept", doctor)).statusCode).toBe(403);
    const theirs = await file({ categoryCode: "medical", residentId: mine.id });
    const detail = (await t.app.inject({ url: `/api/orders/${theirs.id}`, headers: doctor })).json().order;
    expect(detail.allowedActions.map((a: { action: string }) => a.action)).toContain("accept");
    expect((await act(theirs.id, "accept", doctor)).statusCode).toBe(200);
    // The refused order does not even offer the step.
    const s = (await t.app.inject({ url: `/api/orders/${sanitation.id}`, headers: doctor })).json().order;
    expect(s.allowedActions.map((a: { action: string }) => a.action)).not.toContain("accept");
  });

  it("once accepted, only the assignee or the grid head works the order", async () => {
    const o = await file({ categoryCode: "municipal", orgUnitId: g1.id });
    expect((await act(o.id, "accept", grid)).statusCode).toBe(200);
    const other = await act(o.id, "arrive", gridB);
    expect(other.statusCode).toBe(403);
    expect(other.json().error.message).toContain("签收人");
    const [{ state }] = await q<{ state: string }>("select state from work_orders where id = $1", [o.id]);
    expect(state).toBe("accepted");
    expect((await act(o.id, "arrive", head)).statusCode).toBe(200);
    expect((await act(o.id, "resolve", grid, { note: "已修复" })).statusCode).toBe(200);
  });

  it("a volunteer, who may not read orders, gets 403 on an order's duplicates as on the order", async () => {
    const o = await file({ categoryCode: "sanitation", residentId: mine.id });
    expect((await t.app.inject({ url: `/api/orders/${o.id}`, headers: volunteer })).statusCode).toBe(403);
    expect(
      (await t.app.inject({ url: `/api/orders/${o.id}/duplicates`, headers: volunteer })).statusCode,
    ).toBe(403);
  });

  it("no order about a resident or building outside the caller's subtree, and nothing is written", async () => {
    const count = async () => (await q<{ n: number }>("select count(*)::int as n from work_orders"))[0].n;
    const before = await count();
    const base = { channel: "grid_patrol", categoryCode: "sanitation", description: "楼道堆物" };
    const r1 = await post("/api/orders", grid, { ...base, residentId: elsewhere.id, orgUnitId: g1.id });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().error.details.fields[0]).toEqual({ field: "residentId", message: "居民: 不存在" });
    const r2 = await post("/api/orders", grid, { ...base, buildingId: elsewhere.building_id });
    expect(r2.statusCode).toBe(400);
    expect(r2.json().error.details.fields[0].field).toBe("buildingId");
    expect(await count()).toBe(before);
  });

  it("refuses fields a caller may not set, in a create and in an action, and changes nothing", async () => {
    for (const extra of [{ state: "closed" }, { assigneeId: 1 }, { orgPath: "/" }, { version: 9 }]) {
      const r = await post("/api/orders", agent, {
        channel: "hotline_12345",
        categoryCode: "sanitation",
        description: "楼道堆物",
        orgUnitId: g1.id,
        ...extra,
      });
      expect(r.statusCode, JSON.stringify(extra)).toBe(400);
    }
    const o = await file({ categoryCode: "municipal", orgUnitId: g1.id });
    for (const extra of [{ state: "closed" }, { assigneeId: 1 }, { orgPath: "/" }]) {
      const r = await act(o.id, "accept", grid, extra);
      expect(r.statusCode, JSON.stringify(extra)).toBe(400);
    }
    const [{ state }] = await q<{ state: string }>("select state from work_orders where id = $1", [o.id]);
    expect(state).toBe("dispatched");
  });

  it("caps an extension at 90 days instead of accepting 1e308", async () => {
    const o = await file({ categoryCode: "municipal", orgUnitId: g1.id });
    expect((await act(o.id, "accept", grid)).statusCode).toBe(200);
    const huge = await act(o.id, "request_extension", grid, {
      reason: "等配件",
      extra: { amount: 1e308, unit: "days" },
    });
    expect(huge.statusCode).toBe(400);
    const long = await act(o.id, "request_extension", grid, {
      reason: "等配件",
      extra: { amount: 91, unit: "days" },
    });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.details.fields[0].field).toBe("extra");
    const ok = await act(o.id, "request_extension", grid, {
      reason: "等配件",
      extra: { amount: 3, unit: "days" },
    });
    expect(ok.statusCode).toBe(200);
  });
});
