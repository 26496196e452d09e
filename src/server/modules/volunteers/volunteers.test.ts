import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { composeIdCard } from "../../../domain/idcard/idcard.ts";
import { addAccount } from "../accounts/index.ts";
import { checkLedger, claimFor } from "./index.ts";

const PNG_1x1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe.each(DB_KINDS)("volunteers on %s", (kind) => {
  let t: TestApp;
  let vol: Headers;
  let community: Headers;
  let grid: Headers;
  let communityId: number;
  let gridId: number;
  let awayId: number;
  const get = (url: string, h: Headers) => t.app.inject({ url, headers: h });
  const post = (url: string, h: Headers, payload: object = {}) =>
    t.app.inject({ method: "POST", url, headers: h, payload });
  const count = async (table: string) =>
    (await t.ctx.database.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;
  const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
  const publish = async (over: Record<string, unknown> = {}, h: Headers = community) => {
    const r = await post("/api/volunteers/tasks", h, {
      kind: "task",
      title: "楼道消杀",
      place: "苏阳社区 3幢楼道",
      orgUnitId: communityId,
      startsAt: minutesFromNow(-10),
      endsAt: minutesFromNow(50),
      capacity: 10,
      requiredSkills: [],
      ...over,
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().id as number;
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    // A volunteer who has not registered yet (the demo's own volunteer is registered with a year of history).
    await addAccount(t.ctx.database, {
      username: "vol-new",
      displayName: "新志愿者",
      role: "volunteer",
      org: "320613019010",
      password: "Demo@2026",
    });
    [vol, community, grid] = await Promise.all([
      t.login("vol-new"),
      t.login("demo-community"),
      t.login("demo-grid"),
    ]);
    const ids = await t.ctx.database.query<{ id: number; code: string }>(
      "select id, code from org_units where code in ('320613019010', '320613019010-G01', '320613001001')",
    );
    communityId = ids.find((u) => u.code === "320613019010")!.id;
    gridId = ids.find((u) => u.code === "320613019010-G01")!.id;
    awayId = ids.find((u) => u.code === "320613001001")!.id;
  });
  afterAll(() => t?.close());

  it("registers once, is confirmed by the community; the same ID again is 409", async () => {
    const before = await get("/api/volunteers/me", vol);
    expect(before.json().member).toBeNull();
    const claimEarly = await post(`/api/volunteers/tasks/${await publish()}/claim`, vol);
    expect(claimEarly.statusCode).toBe(409);
    expect(claimEarly.json().error.message).toContain("报到");
    const body = {
      kind: "party_member",
      name: "顾丽",
      idNumber: composeIdCard("320602", "1985-03-02", 111),
      phone: "13962900011",
      workUnit: "南通市市场监督管理局",
      partyBranch: "苏阳社区在职党员功能型党支部",
      skills: ["消杀", "驾驶"],
      specialties: ["legal"],
    };
    const bad = await post("/api/volunteers/me/registration", vol, {
      ...body,
      idNumber: "320602198503021112",
    });
    expect(bad.statusCode).toBe(400);
    const r = await post("/api/volunteers/me/registration", vol, body);
    expect(r.statusCode, r.body).toBe(201);
    const again = await post("/api/volunteers/me/registration", vol, body);
    expect(again.statusCode).toBe(409);
    const list = (await get("/api/volunteers/members?state=pending", community)).json().items;
    const me = list.find((m: { name: string }) => m.name === "顾丽");
    expect(me.phone).toBe("尾号 0011");
    expect(JSON.stringify(list)).not.toContain(body.idNumber);
    const noReason = await post(`/api/volunteers/members/${me.id}/decision`, community, {
      decision: "reject",
    });
    expect(noReason.statusCode).toBe(400);
    const ok = await post(`/api/volunteers/members/${me.id}/decision`, community, { decision: "confirm" });
    expect(ok.statusCode, ok.body).toBe(200);
    const twice = await post(`/api/volunteers/members/${me.id}/decision`, community, { decision: "confirm" });
    expect(twice.statusCode).toBe(409);
    expect((await get("/api/volunteers/me", vol)).json().member.state).toBe("confirmed");
    // A grid worker reads the roll but cannot confirm; a volunteer reads neither.
    expect(
      (await post(`/api/volunteers/members/${me.id}/decision`, grid, { decision: "confirm" })).statusCode,
    ).toBe(403);
    expect((await get("/api/volunteers/members", vol)).statusCode).toBe(403);
  });

  it("200 concurrent claims on a 10-place task: exactly 10 claimed, 190 waitlisted; a cancellation moves the first up", async () => {
    const taskId = await publish({
      startsAt: minutesFromNow(600),
      endsAt: minutesFromNow(720),
      title: "卡口值守",
    });
    const [c] = await t.ctx.database.query<{ path: string }>("select path from org_units where id = $1", [
      communityId,
    ]);
    const members = await t.ctx.database.query<{ id: number }>(
      `insert into volunteer_members (kind, name, id_hash, id_cipher, community_id, org_path, state, skills)
       select 'volunteer', '志愿者' || g, 'load-' || g || '-' || $3, 'x', $1, $2, 'confirmed', '{}' from generate_series(1, 200) g returning id`,
      [communityId, c.path, kind],
    );
    const who = {
      kind: "system" as const,
      name: "test",
      displayName: "测试",
      orgPath: c.path,
    };
    const results = await Promise.all(
      members.map((m) =>
        claimFor(
          t.ctx,
          who,
          {
            id: m.id,
            accountId: null,
            name: "",
            kind: "volunteer",
            state: "confirmed",
            communityId,
            orgPath: c.path,
            skills: [],
            specialties: [],
          },
          taskId,
        ),
      ),
    );
    expect(results.filter((r) => r.state === "claimed")).toHaveLength(10);
    expect(results.filter((r) => r.state === "waitlisted")).toHaveLength(190);
    const [row] = await t.ctx.database.query<{ claimed: number; n: number }>(
      "select t.claimed, (select count(*)::int from volunteer_claims c where c.task_id = t.id and c.state = 'claimed') as n from volunteer_tasks t where t.id = $1",
      [taskId],
    );
    expect(row).toEqual({ claimed: 10, n: 10 });
    // The volunteer joins the waitlist (191st), then cancels; a claimed member's cancellation promotes the first waiting.
    const mine = await post(`/api/volunteers/tasks/${taskId}/claim`, vol);
    expect(mine.json().state).toBe("waitlisted");
    expect((await post(`/api/volunteers/tasks/${taskId}/claim`, vol)).statusCode).toBe(409);
    const cancel = await post(`/api/volunteers/tasks/${taskId}/cancel`, vol);
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(cancel.json().promotedClaimId).toBeNull();
    const detail = (await get(`/api/volunteers/tasks/${taskId}`, community)).json();
    expect(detail.task.claimed).toBe(10);
    expect(detail.task.waitlisted).toBe(190);
  }, 120_000);

  it("checks in by the task's QR code inside the slot, once; hours confirmed award points once", async () => {
    const taskId = await publish({ title: "代购帮办" });
    const future = await publish({
      title: "信息采集",
      startsAt: minutesFromNow(180),
      endsAt: minutesFromNow(240),
    });
    const { qrToken } = (await get(`/api/volunteers/tasks/${taskId}`, community)).json();
    const futureToken = (await get(`/api/volunteers/tasks/${future}`, community)).json().qrToken;
    expect(qrToken).toMatch(/^VT1\./);
    expect((await get(`/api/volunteers/tasks/${taskId}`, vol)).statusCode).toBe(403);
    expect((await post(`/api/volunteers/tasks/${taskId}/claim`, vol)).json().state).toBe("claimed");
    expect((await post(`/api/volunteers/tasks/${future}/claim`, vol)).json().state).toBe("claimed");
    const forged = await post("/api/volunteers/check-in", vol, { token: `VT1.${taskId}.${"A".repeat(22)}` });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.message).toContain("二维码无效");
    const early = await post("/api/volunteers/check-in", vol, { token: futureToken });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toContain("还没到签到时间");
    expect((await post("/api/volunteers/check-out", vol, { token: qrToken })).json().error.message).toContain(
      "请先扫码签到",
    );
    const inn = await post("/api/volunteers/check-in", vol, { token: qrToken });
    expect(inn.statusCode, inn.body).toBe(200);
    const twice = await post("/api/volunteers/check-in", vol, { token: qrToken });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toBe("您已签到，请勿重复签到");
    const out = await post("/api/volunteers/check-out", vol, { token: qrToken });
    expect(out.statusCode, out.body).toBe(200);
    const claimId = out.json().claimId;
    // Too long a correction is refused; the publisher confirms 60 minutes → 10 points at 10 per hour.
    expect(
      (await post(`/api/volunteers/claims/${claimId}/confirm`, community, { minutes: 61 })).statusCode,
    ).toBe(400);
    const [a, b] = await Promise.all([
      post(`/api/volunteers/claims/${claimId}/confirm`, community, { minutes: 60 }),
      post(`/api/volunteers/claims/${claimId}/confirm`, community, { minutes: 60 }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const ledger = (await get("/api/volunteers/ledger", vol)).json();
    expect(ledger.balance).toBe(10);
    expect(ledger.minutes).toBe(60);
    const [tx] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from points_transactions where source = $1",
      [`claim:${claimId}`],
    );
    expect(tx.n).toBe(1);
    // Audited.
    const [au] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from audit_events where entity = 'volunteer_claim' and entity_id = $1",
      [String(claimId)],
    );
    expect(au.n).toBeGreaterThanOrEqual(4);
  });

  it("redeems within balance and stock; beyond either is 409 with nothing written; a reversal gives both back", async () => {
    const add = (b: object) => post("/api/volunteers/catalogue", community, { communityId, ...b });
    const fee = (await add({ kind: "property_fee", name: "物业费抵扣 10 元", cost: 10, stock: 5 })).json();
    const card = (await add({ kind: "green_card", name: "绿能卡", cost: 5, stock: 0 })).json();
    const big = (await add({ kind: "goods", name: "保温杯", cost: 1000, stock: 3 })).json();
    const snapshot = async () => [
      await count("redemptions"),
      await count("points_entries"),
      await count("points_transactions"),
      (await get("/api/volunteers/ledger", vol)).json().balance,
    ];
    const before = await snapshot();
    const poor = await post("/api/volunteers/redemptions", vol, { itemId: big.id });
    expect(poor.statusCode).toBe(409);
    expect(poor.json().error.message).toContain("积分不足");
    const none = await post("/api/volunteers/redemptions", vol, { itemId: card.id });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.message).toContain("已兑完");
    expect(await snapshot()).toEqual(before);
    const ok = await post("/api/volunteers/redemptions", vol, { itemId: fee.id });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ balance: 0, points: 10 });
    expect(ok.json().voucherCode).toMatch(/^GK[0-9A-F]{10}$/);
    expect((await post("/api/volunteers/redemptions", vol, { itemId: fee.id })).statusCode).toBe(409);
    const rev = await post(`/api/volunteers/redemptions/${ok.json().id}/reverse`, community, {
      reason: "居民退回",
    });
    expect(rev.statusCode, rev.body).toBe(200);
    expect(
      (await post(`/api/volunteers/redemptions/${ok.json().id}/reverse`, community, { reason: "再退" }))
        .statusCode,
    ).toBe(409);
    expect((await get("/api/volunteers/ledger", vol)).json().balance).toBe(10);
    const items = (await get("/api/volunteers/catalogue", vol)).json().items;
    expect(items.find((i: { id: number }) => i.id === fee.id).stock).toBe(5);
    const check = await checkLedger(t.ctx.database);
    expect(check).toMatchObject({ ok: true, mismatched: [], unbalanced: [], negative: [] });
  });

  it("a task outside the member's community is 404; publishing outside the scope is 400", async () => {
    const [{ id: away }] = await t.ctx.database.query<{ id: number }>(
      `insert into volunteer_tasks (title, place, org_unit_id, org_path, starts_at, ends_at, capacity, qr_nonce)
       select '外社区任务', '别处', id, path, now(), now() + interval '1 hour', 5, 'n' from org_units where id = $1 returning id`,
      [awayId],
    );
    expect((await post(`/api/volunteers/tasks/${away}/claim`, vol)).statusCode).toBe(404);
    expect((await get(`/api/volunteers/tasks/${away}`, community)).statusCode).toBe(404);
    const tasks = (await get("/api/volunteers/tasks", vol)).json().items;
    expect(tasks.some((x: { id: number }) => x.id === away)).toBe(false);
    const r = await post("/api/volunteers/tasks", community, {
      kind: "task",
      title: "越界",
      place: "别处",
      orgUnitId: awayId,
      startsAt: minutesFromNow(10),
      endsAt: minutesFromNow(70),
      capacity: 1,
      requiredSkills: [],
    });
    expect(r.statusCode).toBe(400);
  });

  it("a wish goes from the grid worker to the wall (masked), is claimed once, fulfilled with a photo and confirmed", async () => {
    const [res] = await t.ctx.database.query<{ id: number; name: string }>(
      "select id, name from residents where org_path like (select path from org_units where id = $1) || '%' order by id limit 1",
      [gridId],
    );
    const w = await post("/api/volunteers/wishes", grid, {
      orgUnitId: gridId,
      residentId: res.id,
      title: "想要一台收音机",
      detail: `${res.name}住 12幢 2单元 301室，电话 13962900123，眼睛不好，想听广播`,
    });
    expect(w.statusCode, w.body).toBe(201);
    const id = w.json().id;
    expect(
      (await get("/api/volunteers/wishes", vol)).json().items.some((x: { id: number }) => x.id === id),
    ).toBe(false);
    expect((await post(`/api/volunteers/wishes/${id}/claim`, vol)).statusCode).toBe(404);
    expect(
      (await post(`/api/volunteers/wishes/${id}/review`, community, { decision: "publish" })).statusCode,
    ).toBe(200);
    const wall = (await get("/api/volunteers/wishes", vol))
      .json()
      .items.find((x: { id: number }) => x.id === id);
    expect(wall.text).not.toContain(res.name);
    expect(wall.text).not.toContain("13962900123");
    expect(wall.text).not.toContain("301");
    expect(wall.text).toContain("想听广播");
    expect((await post(`/api/volunteers/wishes/${id}/claim`, vol)).statusCode).toBe(200);
    expect((await post(`/api/volunteers/wishes/${id}/claim`, vol)).statusCode).toBe(409);
    const photo = await t.app.inject({
      method: "POST",
      url: `/api/volunteers/wishes/${id}/fulfil?note=${encodeURIComponent("已送到社区党群服务中心")}`,
      headers: { ...vol, "content-type": "image/png" },
      payload: PNG_1x1,
    });
    expect(photo.statusCode, photo.body).toBe(200);
    expect((await get(`/api/volunteers/wishes/${id}/photo`, grid)).statusCode).toBe(200);
    const before = (await get("/api/volunteers/ledger", vol)).json().balance;
    expect((await post(`/api/volunteers/wishes/${id}/confirm`, grid)).statusCode).toBe(200);
    expect((await post(`/api/volunteers/wishes/${id}/confirm`, grid)).statusCode).toBe(409);
    expect((await get("/api/volunteers/ledger", vol)).json().balance).toBe(before + 20);
  });

  it("a 点单 goes resident → grid → community → the expert whose specialty fits", async () => {
    const r = await post("/api/volunteers/requests", grid, {
      orgUnitId: gridId,
      specialty: "legal",
      description: "房屋租赁合同纠纷咨询",
    });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().id;
    expect((await post(`/api/volunteers/requests/${id}/accept`, grid, {})).statusCode).toBe(200);
    const experts = (await get("/api/volunteers/experts?specialty=legal", community)).json().items;
    const me = experts.find((e: { name: string }) => e.name === "顾丽");
    expect(me).toBeTruthy();
    const medical = (await get("/api/volunteers/experts?specialty=medical", community)).json().items;
    expect(medical.some((e: { name: string }) => e.name === "顾丽")).toBe(false);
    expect(
      (await post(`/api/volunteers/requests/${id}/dispatch`, community, { memberId: me.id })).statusCode,
    ).toBe(200);
    const mine = (await get("/api/volunteers/requests", vol)).json().items;
    expect(mine.map((x: { id: number }) => x.id)).toContain(id);
    expect((await post(`/api/volunteers/requests/${id}/respond`, vol, { accept: true })).json().state).toBe(
      "taken",
    );
    expect((await post(`/api/volunteers/requests/${id}/finish`, vol, {})).json().state).toBe("done");
    expect((await post(`/api/volunteers/requests/${id}/rate`, grid, { rating: 5 })).json().state).toBe(
      "rated",
    );
  });

  it("集结号 reaches every confirmed member through the outbox; '我来了' counts once", async () => {
    const c = await post("/api/volunteers/callouts", community, {
      orgUnitId: communityId,
      title: "紧急转运",
      body: "3幢需要协助转运物资，请就近集合",
    });
    expect(c.statusCode, c.body).toBe(201);
    expect(c.json().sent).toBeGreaterThanOrEqual(1);
    const [n] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from notifications where kind = 'volunteer.call_out'",
    );
    expect(n.n).toBe(c.json().sent);
    const id = c.json().id;
    expect((await post(`/api/volunteers/callouts/${id}/respond`, vol)).json().count).toBe(1);
    expect((await post(`/api/volunteers/callouts/${id}/respond`, vol)).json().count).toBe(1);
    const view = (await get(`/api/volunteers/callouts/${id}`, community)).json();
    expect(view.count).toBe(1);
    expect(view.responders[0].name).toBe("顾丽");
  });

  it("ranks the month and writes the employer's xlsx", async () => {
    const lb = (await get("/api/volunteers/leaderboard?period=month&by=points&limit=200", community)).json();
    const mine = lb.items.find((i: { name: string }) => i.name === "顾丽");
    expect(mine).toMatchObject({ points: 60, minutes: 60 });
    expect(lb.items.map((i: { points: number }) => i.points)).toEqual(
      [...lb.items.map((i: { points: number }) => i.points)].sort((a, b) => b - a),
    );
    const q = (await get("/api/volunteers/leaderboard?period=quarter&by=hours&limit=200", vol)).json();
    const masked = q.items.find((i: { memberId: number }) => i.memberId === mine.memberId);
    expect(masked.name).toBe("顾**");
    expect(q.months).toHaveLength(3);
    const at = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const x = await get(
      `/api/volunteers/reports/work-unit?workUnit=${encodeURIComponent("南通市市场监督管理局")}&period=month&at=${at}`,
      community,
    );
    expect(x.statusCode, x.body.slice(0, 200)).toBe(200);
    expect(x.headers["content-type"]).toContain("spreadsheetml");
    const check = await checkLedger(t.ctx.database);
    expect(check.ok).toBe(true);
  });
});
