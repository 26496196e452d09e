import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { addAccount } from "../accounts/index.ts";
import { inTx } from "./common.ts";
import { checkLedger, memberLedger } from "./index.ts";
import { award } from "./ledger.ts";

// Rankings by tasks (任务数: one per award, from the same rollups as points and hours) and the community desk's
// reversal of an award (hours recorded by mistake): one balanced transaction, idempotent, never below zero, audited,
// 404 outside the desk's scope; the rollups stay equal to the entries throughout.

interface Row {
  rank: number;
  memberId: number;
  points: number;
  minutes: number;
  tasks: number;
}

describe.each(DB_KINDS)("award reversal and rankings by tasks on %s", (kind) => {
  let t: TestApp;
  let community: Headers;
  let unit: { id: number; path: string };
  let away: { id: number; path: string };
  /** Many small services (9 awards of 5 points, 30 minutes) against one big one (200 points, 600 minutes). */
  let busy: number;
  let big: number;
  let outsider: number;
  const q = <T>(text: string, params: unknown[] = []) => t.ctx.database.query<T>(text, params);
  const member = async (name: string, c: { id: number; path: string }) =>
    (
      await q<{ id: number }>(
        `insert into volunteer_members (kind, name, id_hash, id_cipher, community_id, org_path, state)
         values ('volunteer', $1, $2, 'x', $3, $4, 'confirmed') returning id`,
        [name, `reversal-test-${name}`, c.id, c.path],
      )
    )[0].id;
  const give = (
    memberId: number,
    c: { id: number; path: string },
    points: number,
    minutes: number,
    source: string,
  ) =>
    inTx(t.ctx, (tx) =>
      award(tx, systemPrincipal("reversal-test", "撤销测试", c.path), {
        memberId,
        community: c,
        points,
        minutes,
        source,
        memo: `撤销测试 ${source}`,
      }),
    );
  const txOf = async (source: string) =>
    (await q<{ id: number }>("select id from points_transactions where source = $1", [source]))[0].id;
  const board = async (by: string) => {
    const r = await t.app.inject({
      url: `/api/volunteers/leaderboard?period=month&by=${by}&org=${unit.id}&limit=200`,
      headers: community,
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json().items as Row[];
  };
  const reverse = (id: number, reason: string, h: Headers = community) =>
    t.app.inject({
      method: "POST",
      url: `/api/volunteers/awards/${id}/reverse`,
      headers: h,
      payload: { reason },
    });
  const month = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
  const monthly = async (memberId: number) =>
    (
      await q<{ points: number; minutes: number; tasks: number }>(
        `select r.points, r.minutes, r.tasks from points_monthly r join points_accounts a on a.id = r.account_id
         where a.kind = 'member' and a.member_id = $1 and r.month = $2`,
        [memberId, month()],
      )
    )[0];

  beforeAll(async () => {
    t = await createTestApp(kind);
    community = await t.login("demo-community");
    [unit] = await q<{ id: number; path: string }>(
      "select id, path from org_units where code = '320613019010'",
    );
    [away] = await q<{ id: number; path: string }>(
      "select id, path from org_units where kind = 'community' and path not like $1 order by id limit 1",
      [`${unit.path}%`],
    );
    busy = await member("任务多", unit);
    big = await member("积分多", unit);
    outsider = await member("外街道", away);
    for (let i = 1; i <= 9; i++) expect(await give(busy, unit, 5, 30, `reversal-test:busy:${i}`)).toBe(true);
    expect(await give(big, unit, 200, 600, "reversal-test:big")).toBe(true);
    expect(await give(outsider, away, 10, 60, "reversal-test:away")).toBe(true);
  });
  afterAll(() => t?.close());

  it("ranks a month by tasks from the rollup: many small services above one big one, the reverse by points", async () => {
    const byTasks = await board("tasks");
    const tasks = byTasks.map((i) => i.tasks);
    expect(tasks).toEqual([...tasks].sort((a, b) => b - a));
    expect(tasks.every((n) => n > 0)).toBe(true);
    const b = byTasks.find((i) => i.memberId === busy)!;
    expect(b).toMatchObject({ points: 45, minutes: 270, tasks: 9 });
    // Ties share a rank; a rank is one more than the number ranked strictly above.
    expect(b.rank).toBe(byTasks.filter((i) => i.tasks > 9).length + 1);
    const g = byTasks.find((i) => i.memberId === big);
    if (g) expect(g.rank).toBeGreaterThan(b.rank);
    const byPoints = await board("points");
    const gp = byPoints.find((i) => i.memberId === big)!;
    const bp = byPoints.find((i) => i.memberId === busy)!;
    expect(gp.rank).toBeLessThan(bp.rank);
    // The quarter's board ranks by tasks too; an unknown measure is a 400.
    const quarter = await t.app.inject({
      url: `/api/volunteers/leaderboard?period=quarter&by=tasks&org=${unit.id}&limit=200`,
      headers: community,
    });
    expect(quarter.statusCode).toBe(200);
    expect(quarter.json().items.find((i: Row) => i.memberId === busy)).toMatchObject({ tasks: 9 });
    const bad = await t.app.inject({
      url: "/api/volunteers/leaderboard?period=month&by=wishes",
      headers: community,
    });
    expect(bad.statusCode).toBe(400);
  });

  it("the desk reads a member's ledger in scope, each award with its transaction; outside it is 404", async () => {
    const r = await t.app.inject({ url: `/api/volunteers/members/${busy}/ledger`, headers: community });
    expect(r.statusCode, r.body).toBe(200);
    const l = r.json();
    expect(l).toMatchObject({ member: { id: busy, name: "任务多" }, balance: 45, earned: 45, minutes: 270 });
    expect(l.entries).toHaveLength(9);
    expect(l.entries[0]).toMatchObject({ kind: "award", amount: 5, minutes: 30, reversed: false });
    expect(l.entries[0].transactionId).toBeGreaterThan(0);
    const out = await t.app.inject({ url: `/api/volunteers/members/${outsider}/ledger`, headers: community });
    expect(out.statusCode).toBe(404);
  });

  it("reverses an award with its reason: one balanced transaction, rollups and ranking follow, a replay writes nothing", async () => {
    const id = await txOf("reversal-test:busy:3");
    const before = await count();
    const r = await reverse(id, "工时登记错误，该志愿者当天未到岗");
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ id, state: "reversed", replayed: false });
    expect(await memberLedger(t.ctx.database, busy)).toMatchObject({ balance: 40, earned: 40, minutes: 240 });
    expect(await monthly(busy)).toEqual({ points: 40, minutes: 240, tasks: 8 });
    const [rev] = await q<{ kind: string; memo: string; reversalOf: number; sum: number; legs: number }>(
      `select x.kind, x.memo, x.reversal_of as "reversalOf", sum(e.amount)::int as sum, count(e.*)::int as legs
       from points_transactions x join points_entries e on e.transaction_id = x.id where x.source = $1 group by x.id`,
      [`reversal:${id}`],
    );
    expect(rev).toMatchObject({ kind: "reversal", reversalOf: id, sum: 0, legs: 2 });
    expect(rev.memo).toContain("工时登记错误");
    const ledger = (
      await t.app.inject({ url: `/api/volunteers/members/${busy}/ledger`, headers: community })
    ).json();
    expect(ledger.entries[0]).toMatchObject({ kind: "reversal", amount: -5, minutes: -30, reversed: null });
    expect(ledger.entries.find((e: { transactionId: number }) => e.transactionId === id).reversed).toBe(true);
    expect((await board("tasks")).find((i) => i.memberId === busy)).toMatchObject({ tasks: 8, points: 40 });
    const [audit] = await q<{ reason: string; entityId: string }>(
      `select reason, entity_id as "entityId" from audit_events where entity = 'points_transaction' and action = 'reverse'`,
    );
    expect(audit).toEqual({ reason: "工时登记错误，该志愿者当天未到岗", entityId: String(id) });
    // The same request again (a double tap, a retry): answered the same, nothing more written.
    const again = await reverse(id, "工时登记错误，该志愿者当天未到岗");
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ id, state: "reversed", replayed: true });
    expect(await count()).toEqual({
      ...before,
      transactions: before.transactions + 1,
      entries: before.entries + 2,
      audits: before.audits + 1,
    });
    expect((await checkLedger(t.ctx.database)).ok).toBe(true);
  });

  it("refuses a reversal that would leave the member below zero (409 in Chinese), writing nothing", async () => {
    // The big earner has since redeemed 150 of their 200 points.
    const acct = await addAccount(t.ctx.database, {
      username: "reversal-vol",
      displayName: "积分多",
      role: "volunteer",
      org: "320613019010",
      password: "Demo@2026",
    });
    await q("update volunteer_members set account_id = $1 where id = $2", [acct, big]);
    const [item] = await q<{ id: number }>(
      `insert into redemption_items (community_id, org_path, kind, name, cost, stock)
       values ($1, $2, 'property_fee', '物业费抵扣 150 元', 150, 5) returning id`,
      [unit.id, unit.path],
    );
    const redeemed = await t.app.inject({
      method: "POST",
      url: "/api/volunteers/redemptions",
      headers: await t.login("reversal-vol"),
      payload: { itemId: item.id },
    });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    const before = await count();
    const monthBefore = await monthly(big);
    const r = await reverse(await txOf("reversal-test:big"), "时长登记错误");
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toMatch(/积分将为负/);
    expect(r.json().error.message).toContain("现有 50 分");
    expect(await count()).toEqual(before);
    expect(await monthly(big)).toEqual(monthBefore);
    expect((await memberLedger(t.ctx.database, big)).balance).toBe(50);
  });

  it("is 404 for an award outside the desk's scope, a redemption and one that does not exist; a reason is required", async () => {
    const before = await count();
    expect((await reverse(await txOf("reversal-test:away"), "登记错误")).statusCode).toBe(404);
    const [redemption] = await q<{ id: number }>(
      "select transaction_id as id from redemptions where member_id = $1",
      [big],
    );
    expect((await reverse(redemption.id, "登记错误")).statusCode).toBe(404);
    expect((await reverse(2_000_000_000, "登记错误")).statusCode).toBe(404);
    expect((await reverse(await txOf("reversal-test:busy:1"), "")).statusCode).toBe(400);
    const missing = await t.app.inject({
      method: "POST",
      url: `/api/volunteers/awards/${await txOf("reversal-test:busy:1")}/reverse`,
      headers: community,
      payload: {},
    });
    expect(missing.statusCode).toBe(400);
    // A volunteer may not reverse anything (403), even their own award.
    expect(
      (await reverse(await txOf("reversal-test:big"), "登记错误", await t.login("reversal-vol"))).statusCode,
    ).toBe(403);
    expect(await count()).toEqual(before);
    expect((await checkLedger(t.ctx.database)).ok).toBe(true);
  });

  it("reminds members below the quarterly minimum through the outbox, once per member and quarter", async () => {
    // A member with a login and no hours this quarter; the big earner (600 minutes) is above the minimum of 4 hours.
    const acct = await addAccount(t.ctx.database, {
      username: "reminder-vol",
      displayName: "时长不足",
      role: "volunteer",
      org: "320613019010",
      password: "Demo@2026",
    });
    const idle = await member("时长不足", unit);
    await q("update volunteer_members set account_id = $1 where id = $2", [acct, idle]);
    const [bigAccount] = await q<{ id: number }>(
      "select account_id as id from volunteer_members where id = $1",
      [big],
    );
    const sent = (account: number) =>
      q<{ title: string; body: string }>(
        "select title, body from notifications where kind = 'volunteer.quarterly_reminder' and recipient_account_id = $1",
        [account],
      );
    const r = await t.app.inject({
      method: "POST",
      url: "/api/volunteers/reminders",
      headers: community,
      payload: {},
    });
    expect(r.statusCode, r.body).toBe(200);
    const first = r.json();
    expect(first.quarter).toMatch(/^\d{4}-Q[1-4]$/);
    expect(first.sent).toBeGreaterThanOrEqual(1);
    expect(first.below).toBe(first.sent + first.alreadyReminded);
    const mine = await sent(acct);
    expect(mine).toHaveLength(1);
    expect(mine[0].title).toBe("志愿服务时长提醒");
    expect(mine[0].body).toContain("您已参加志愿服务 0 小时");
    expect(mine[0].body).toContain("不少于 4 小时");
    expect(await sent(bigAccount.id)).toHaveLength(0);
    // The same sweep again: nobody is reminded twice for the quarter.
    const again = (
      await t.app.inject({
        method: "POST",
        url: "/api/volunteers/reminders",
        headers: community,
        payload: {},
      })
    ).json();
    expect(again).toEqual({
      quarter: first.quarter,
      below: first.below,
      sent: 0,
      alreadyReminded: first.below,
    });
    expect(await sent(acct)).toHaveLength(1);
    // A volunteer may not send them.
    const vol = await t.app.inject({
      method: "POST",
      url: "/api/volunteers/reminders",
      headers: await t.login("reminder-vol"),
      payload: {},
    });
    expect(vol.statusCode).toBe(403);
  });

  async function count() {
    const [n] = await q<{ transactions: number; entries: number; audits: number }>(
      `select (select count(*)::int from points_transactions) as transactions, (select count(*)::int from points_entries) as entries,
         (select count(*)::int from audit_events where entity = 'points_transaction') as audits`,
    );
    return n;
  }
});
