import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneIdempotencyKeys } from "../../src/server/platform/idempotency.ts";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../helpers/app.ts";

// Idempotent writes (platform/idempotency.ts): a retried write runs once, whoever retries and whenever.

describe.each(DB_KINDS)("Idempotency-Key on %s", (kind) => {
  let t: TestApp;
  let agent: Headers;
  let grid: Headers;
  let community: Headers;
  let residentId: number;
  const key = () => crypto.randomUUID();
  const post = (url: string, h: Headers, payload: unknown, k?: string) =>
    t.app.inject({
      method: "POST",
      url,
      headers: { ...h, ...(k ? { "idempotency-key": k } : {}) },
      payload: payload as any,
    });
  const q = <T = any>(text: string, params?: unknown[]) => t.ctx.database.query<T>(text, params);
  const ordersLike = async (text: string) =>
    (await q<{ n: number }>("select count(*)::int as n from work_orders where description = $1", [text]))[0]
      .n;
  const order = (description: string) => ({
    channel: "hotline_12345",
    categoryCode: "sanitation",
    description,
    residentId,
  });

  beforeAll(async () => {
    t = await createTestApp(kind);
    [agent, grid, community] = await Promise.all([
      t.login("demo-agent"),
      t.login("demo-grid"),
      t.login("demo-community"),
    ]);
    [{ id: residentId }] = await q<{ id: number }>(
      "select id from residents where org_path like '%/320613019010-G01/%' order by id limit 1",
    );
  });
  afterAll(() => t?.close());

  it("a retried create answers the first order again, marked as replayed, and files one order", async () => {
    const k = key();
    const first = await post("/api/orders", agent, order("重试一：楼道灯不亮"), k);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    const again = await post("/api/orders", agent, order("重试一：楼道灯不亮"), k);
    expect(again.statusCode).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.headers["content-type"]).toContain("application/json");
    expect(again.json()).toEqual(first.json());
    expect(await ordersLike("重试一：楼道灯不亮")).toBe(1);
    // Without a key nothing changes: two posts are two orders.
    await post("/api/orders", agent, order("无键：两次"));
    await post("/api/orders", agent, order("无键：两次"));
    expect(await ordersLike("无键：两次")).toBe(2);
  });

  it("the same key with another body is 422 and files nothing; a bad key is 400", async () => {
    const k = key();
    expect((await post("/api/orders", agent, order("二：原请求"), k)).statusCode).toBe(201);
    const other = await post("/api/orders", agent, order("二：换了内容"), k);
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe("idempotency_key_reused");
    expect(await ordersLike("二：换了内容")).toBe(0);
    const bad = await post("/api/orders", agent, order("二：坏键"), "有中文的键");
    expect(bad.statusCode).toBe(400);
    expect(await ordersLike("二：坏键")).toBe(0);
  });

  it("keys are per caller: the same key from two accounts is two requests", async () => {
    const k = key();
    const a = await post("/api/orders", agent, order("三：各自的键"), k);
    const b = await post("/api/orders", community, order("三：各自的键"), k);
    expect(a.statusCode, a.body).toBe(201);
    expect(b.statusCode, b.body).toBe(201);
    expect(b.headers["idempotent-replayed"]).toBeUndefined();
    expect(b.json().id).not.toBe(a.json().id);
  });

  it("ten copies sent at once file one order; every answer is that order (or 409 in flight)", async () => {
    const k = key();
    const rs = await Promise.all(
      Array.from({ length: 10 }, () => post("/api/orders", agent, order("四：同时十次"), k)),
    );
    expect(await ordersLike("四：同时十次")).toBe(1);
    const created = rs.filter((r) => r.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.json().id)).size).toBe(1);
    for (const r of rs) expect([201, 409]).toContain(r.statusCode);
    expect(created.filter((r) => r.headers["idempotent-replayed"] !== "true")).toHaveLength(1);
  });

  it("a timeout then a retry: the retry waits for the first and gets its answer", async () => {
    const k = key();
    // The first request is still in flight when the client gives up and sends the same again.
    const firstP = post("/api/orders", agent, order("五：超时后重试"), k);
    const retryP = post("/api/orders", agent, order("五：超时后重试"), k);
    const [first, retry] = await Promise.all([firstP, retryP]);
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).toBe(first.json().id);
    expect(await ordersLike("五：超时后重试")).toBe(1);
  });

  it("a transition and a care visit retried with their keys act once", async () => {
    const created = await post("/api/orders", agent, order("六：流转重试"));
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const detail = (await t.app.inject({ url: `/api/orders/${id}`, headers: grid })).json().order;
    const action = detail.allowedActions.find((a: any) => a.action === "accept")?.action ?? "accept";
    const k = key();
    const one = await post(`/api/orders/${id}/actions/${action}`, grid, { version: detail.version }, k);
    expect(one.statusCode, one.body).toBe(200);
    const two = await post(`/api/orders/${id}/actions/${action}`, grid, { version: detail.version }, k);
    expect(two.statusCode).toBe(200);
    expect(two.headers["idempotent-replayed"]).toBe("true");
    const events = await q<{ n: number }>(
      "select count(*)::int as n from work_order_events where order_id = $1 and action = $2",
      [id, action],
    );
    expect(events[0].n).toBe(1);

    const visits = async () => (await q<{ n: number }>("select count(*)::int as n from care_visits"))[0].n;
    const before = await visits();
    const visit = {
      clientId: key(),
      residentId,
      kind: "door",
      visitedAt: new Date(Date.now() - 60_000).toISOString(),
      durationMinutes: 20,
      findings: "精神状态良好",
    };
    const vk = key();
    const v1 = await post("/api/care/visits", grid, visit, vk);
    const v2 = await post("/api/care/visits", grid, visit, vk);
    expect(v1.statusCode, v1.body).toBe(201);
    expect(v2.statusCode).toBe(201);
    expect(v2.json()).toEqual(v1.json());
    expect(await visits()).toBe(before + 1);
  });

  it("a volunteer's claim retried with its key is one claim", async () => {
    const volunteer = await t.login("demo-volunteer");
    const [{ id: communityId }] = await q<{ id: number }>(
      "select id from org_units where code = '320613019010'",
    );
    const at = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
    const task = await post("/api/volunteers/tasks", community, {
      kind: "task",
      title: "楼道消杀（重试）",
      place: "苏阳社区 3幢楼道",
      orgUnitId: communityId,
      startsAt: at(60),
      endsAt: at(120),
      capacity: 5,
      requiredSkills: [],
    });
    expect(task.statusCode, task.body).toBe(201);
    const id = task.json().id;
    const k = key();
    const one = await post(`/api/volunteers/tasks/${id}/claim`, volunteer, {}, k);
    const two = await post(`/api/volunteers/tasks/${id}/claim`, volunteer, {}, k);
    expect(one.statusCode, one.body).toBeLessThan(300);
    expect(two.statusCode).toBe(one.statusCode);
    expect(two.headers["idempotent-replayed"]).toBe("true");
    expect(two.json()).toEqual(one.json());
    const [{ n }] = await q<{ n: number }>(
      "select count(*)::int as n from volunteer_claims where task_id = $1",
      [id],
    );
    expect(n).toBe(1);
  });

  it("after a crash: an uncommitted claim is run by the retry, a committed one is never run twice", async () => {
    const owner = `a:${(await q<{ id: number }>("select id from accounts where username = 'demo-agent'"))[0].id}`;
    // A process died holding this key before its write committed: the lease ran out, the retry runs it.
    const k1 = key();
    const body1 = order("七：进程崩溃前未提交");
    const first = await post("/api/orders", agent, body1, k1);
    const row = (await q("select method, path, request_hash from idempotency_keys where key = $1", [k1]))[0];
    await q("delete from idempotency_keys where key = $1", [k1]);
    await q("delete from work_orders where id = $1", [first.json().id]).catch(() => {});
    const k2 = key();
    await q(
      `insert into idempotency_keys (actor, key, method, path, request_hash, lease_until, committed)
       values ($1, $2, $3, $4, $5, now() - interval '1 second', false)`,
      [owner, k2, row.method, row.path, row.request_hash],
    );
    const body2 = order("七：进程崩溃前未提交");
    const retry = await post("/api/orders", agent, body2, k2);
    expect(retry.statusCode, retry.body).toBe(201);
    // A process died after committing, before answering: the retry is told so, and nothing is filed again.
    const k3 = key();
    await q(
      `insert into idempotency_keys (actor, key, method, path, request_hash, lease_until, committed)
       values ($1, $2, $3, $4, $5, now() - interval '1 second', true)`,
      [owner, k3, row.method, row.path, row.request_hash],
    );
    const before = await ordersLike("七：进程崩溃前未提交");
    const lost = await post("/api/orders", agent, body2, k3);
    expect(lost.statusCode).toBe(409);
    expect(lost.json().error.code).toBe("idempotency_outcome_unknown");
    expect(await ordersLike("七：进程崩溃前未提交")).toBe(before);
    // A claim still held by a live process (lease not over) makes the retry wait, then 409.
    const k4 = key();
    await q(
      `insert into idempotency_keys (actor, key, method, path, request_hash, lease_until)
       values ($1, $2, $3, $4, $5, now() + interval '1 minute')`,
      [owner, k4, row.method, row.path, row.request_hash],
    );
    const busy = await post("/api/orders", agent, body2, k4);
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error.code).toBe("idempotency_in_flight");
    expect(busy.headers["retry-after"]).toBe("1");
  });

  it("the write marks its key committed in its own transaction; a failed write frees its key", async () => {
    const k = key();
    const r = await post("/api/orders", agent, order("八：提交标记"), k);
    expect(r.statusCode).toBe(201);
    const [row] = await q("select state, committed, status from idempotency_keys where key = $1", [k]);
    expect(row).toMatchObject({ state: "done", committed: true, status: 201 });
    // A refused write (404 outside scope) is kept as its answer; a request that failed validation never claims.
    const k2 = key();
    const missing = await post("/api/orders/999999999/actions/accept", grid, { version: 1 }, k2);
    expect(missing.statusCode).toBe(404);
    const [kept] = await q("select state, committed, status from idempotency_keys where key = $1", [k2]);
    expect(kept).toMatchObject({ state: "done", committed: false, status: 404 });
  });

  it("keys are kept a day: the sweep drops older ones", async () => {
    const k = key();
    await post("/api/orders", agent, order("九：过期"), k);
    await q("update idempotency_keys set created_at = now() - interval '25 hours' where key = $1", [k]);
    expect(await pruneIdempotencyKeys(t.ctx.database)).toBeGreaterThanOrEqual(1);
    expect(await q("select 1 from idempotency_keys where key = $1", [k])).toHaveLength(0);
  });
});
