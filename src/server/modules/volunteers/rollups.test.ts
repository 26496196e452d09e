import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { addAccount } from "../accounts/index.ts";
import { inTx } from "./common.ts";
import { checkLedger, memberLedger } from "./index.ts";
import { award } from "./ledger.ts";

// The rankings read points_monthly and points_quarterly, kept by a statement trigger on points_entries
// (migration 0034). These tests post through the ledger and the API, then compare the rollups with the entries.

describe.each(DB_KINDS)("points rollups on %s", (kind) => {
  let t: TestApp;
  let community: Headers;
  let unit: { id: number; path: string };
  let memberId: number;
  let accountId: number;
  const sys = () => systemPrincipal("rollup-test", "汇总测试", unit.path);
  const q = <T>(text: string, params: unknown[] = []) => t.ctx.database.query<T>(text, params);
  const rollup = async (table: "points_monthly" | "points_quarterly", period: string) => {
    const key = table === "points_monthly" ? "month" : "quarter";
    const [r] = await q<{ points: number; minutes: number; tasks: number }>(
      `select points, minutes, tasks from ${table} where account_id = $1 and ${key} = $2`,
      [accountId, period],
    );
    return r ?? null;
  };
  const give = (points: number, minutes: number, source: string, at: string) =>
    inTx(t.ctx, (tx) =>
      award(
        tx,
        sys(),
        { memberId, community: unit, points, minutes, source, memo: "汇总测试" },
        new Date(at),
      ),
    );

  beforeAll(async () => {
    t = await createTestApp(kind);
    community = await t.login("demo-community");
    [unit] = await q<{ id: number; path: string }>(
      "select id, path from org_units where code = '320613019010'",
    );
    [{ id: memberId }] = await q<{ id: number }>(
      `insert into volunteer_members (kind, name, id_hash, id_cipher, community_id, org_path, state)
       values ('volunteer', '汇总测试员', 'rollup-test-hash', 'x', $1, $2, 'confirmed') returning id`,
      [unit.id, unit.path],
    );
  });
  afterAll(() => t?.close());

  it("awards land in their Shanghai month and quarter, once per source", async () => {
    // 2025-03-31 23:30 in Shanghai is March (Q1); 2025-04-01 00:30 is April (Q2), though both are 31 March in UTC.
    expect(await give(30, 180, "rollup-test:1", "2025-03-31T15:30:00Z")).toBe(true);
    expect(await give(20, 120, "rollup-test:2", "2025-03-31T16:30:00Z")).toBe(true);
    expect(await give(10, 60, "rollup-test:3", "2025-05-10T02:00:00Z")).toBe(true);
    // A replayed award posts nothing and moves no rollup.
    expect(await give(20, 120, "rollup-test:2", "2025-03-31T16:30:00Z")).toBe(false);
    [{ id: accountId }] = await q<{ id: number }>(
      "select id from points_accounts where kind = 'member' and member_id = $1",
      [memberId],
    );
    expect(await rollup("points_monthly", "2025-03")).toEqual({ points: 30, minutes: 180, tasks: 1 });
    expect(await rollup("points_monthly", "2025-04")).toEqual({ points: 20, minutes: 120, tasks: 1 });
    expect(await rollup("points_monthly", "2025-05")).toEqual({ points: 10, minutes: 60, tasks: 1 });
    expect(await rollup("points_quarterly", "2025-Q1")).toEqual({ points: 30, minutes: 180, tasks: 1 });
    expect(await rollup("points_quarterly", "2025-Q2")).toEqual({ points: 30, minutes: 180, tasks: 2 });
    const mine = await memberLedger(t.ctx.database, memberId);
    expect(mine).toMatchObject({ balance: 60, earned: 60, minutes: 360 });
    expect(mine.entries.map((e) => e.amount)).toEqual([10, 20, 30]);
    expect(mine.entries[0].at).toBeInstanceOf(Date);
    expect(mine.entries[0].at.toISOString()).toBe("2025-05-10T02:00:00.000Z");
    expect((await checkLedger(t.ctx.database)).ok).toBe(true);
  });

  it("ranks the quarter from the rollup, and a reversal of an award takes it back out", async () => {
    const board = async () =>
      (
        await t.app.inject({
          url: `/api/volunteers/leaderboard?period=quarter&at=2025-05&org=${unit.id}&limit=50`,
          headers: community,
        })
      ).json();
    const before = await board();
    expect(before.months).toEqual(["2025-04", "2025-05", "2025-06"]);
    expect(before.items.find((i: { memberId: number }) => i.memberId === memberId)).toMatchObject({
      points: 30,
      minutes: 180,
      tasks: 2,
      rank: 1,
    });
    // Whoever writes the ledger (here plain SQL, as an import or a later reversal screen would), the trigger keeps
    // the rollups: the April award reversed in May leaves April as it was and takes 20 points back in May.
    await inTx(t.ctx, async (tx) => {
      await tx.execute(sql`with o as (select id from points_transactions where source = 'rollup-test:2'),
        x as (insert into points_transactions (kind, source, memo, org_path, reversal_of, created_at)
          select 'reversal', 'reversal:' || o.id, '撤销：工时有误', ${unit.path}, o.id, '2025-05-20T02:00:00Z' from o returning id, reversal_of)
        insert into points_entries (transaction_id, account_id, amount, minutes, org_path, created_at)
          select x.id, e.account_id, -e.amount, -e.minutes, e.org_path, '2025-05-20T02:00:00Z'
          from x join points_entries e on e.transaction_id = x.reversal_of`);
      await tx.execute(sql`update points_accounts a set balance = a.balance + l.n from (
          select e.account_id, sum(e.amount) as n from points_entries e join points_transactions x on x.id = e.transaction_id
          where x.source like 'reversal:%' and x.reversal_of = (select id from points_transactions where source = 'rollup-test:2')
          group by 1) l where a.id = l.account_id`);
    });
    expect(await rollup("points_monthly", "2025-04")).toEqual({ points: 20, minutes: 120, tasks: 1 });
    expect(await rollup("points_monthly", "2025-05")).toEqual({ points: -10, minutes: -60, tasks: 0 });
    expect(await rollup("points_quarterly", "2025-Q2")).toEqual({ points: 10, minutes: 60, tasks: 1 });
    expect(await rollup("points_quarterly", "2025-Q1")).toEqual({ points: 30, minutes: 180, tasks: 1 });
    const after = await board();
    expect(after.items.find((i: { memberId: number }) => i.memberId === memberId)).toMatchObject({
      points: 10,
      minutes: 60,
      tasks: 1,
    });
    expect(await memberLedger(t.ctx.database, memberId)).toMatchObject({
      balance: 40,
      earned: 40,
      minutes: 240,
    });
    expect((await checkLedger(t.ctx.database)).ok).toBe(true);
  });

  it("a redemption and its reversal move the balance but not what was earned", async () => {
    // The member gets a login and redeems through the API as themselves; the community reverses it.
    const accountIdOfLogin = await addAccount(t.ctx.database, {
      username: "rollup-vol",
      displayName: "汇总测试员",
      role: "volunteer",
      org: "320613019010",
      password: "Demo@2026",
    });
    await q("update volunteer_members set account_id = $1 where id = $2", [accountIdOfLogin, memberId]);
    const vol = await t.login("rollup-vol");
    const [item] = await q<{ id: number }>(
      `insert into redemption_items (community_id, org_path, kind, name, cost, stock)
       values ($1, $2, 'goods', '汇总测试杯', 15, 2) returning id`,
      [unit.id, unit.path],
    );
    const earned = () =>
      q("select month, points, minutes, tasks from points_monthly where account_id = $1 order by month", [
        accountId,
      ]);
    const earnedBefore = await earned();
    const quartersBefore = await q("select * from points_quarterly where account_id = $1 order by quarter", [
      accountId,
    ]);
    const r = await t.app.inject({
      method: "POST",
      url: "/api/volunteers/redemptions",
      headers: vol,
      payload: { itemId: item.id },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().balance).toBe(25);
    expect(await memberLedger(t.ctx.database, memberId)).toMatchObject({ balance: 25, earned: 40 });
    const back = await t.app.inject({
      method: "POST",
      url: `/api/volunteers/redemptions/${r.json().id}/reverse`,
      headers: community,
      payload: { reason: "退回" },
    });
    expect(back.statusCode, back.body).toBe(200);
    expect(await earned()).toEqual(earnedBefore);
    expect(
      await q("select * from points_quarterly where account_id = $1 order by quarter", [accountId]),
    ).toEqual(quartersBefore);
    expect(await memberLedger(t.ctx.database, memberId)).toMatchObject({ balance: 40, earned: 40 });
    expect((await checkLedger(t.ctx.database)).ok).toBe(true);
  });

  it("the check names a rollup that disagrees with the entries; entries cannot be changed", async () => {
    await q("update points_quarterly set points = points + 1 where account_id = $1 and quarter = '2025-Q1'", [
      accountId,
    ]);
    const bad = await checkLedger(t.ctx.database);
    expect(bad.ok).toBe(false);
    expect(bad.rollups).toEqual([
      {
        accountId,
        period: "2025-Q1",
        rollup: { points: 31, minutes: 180, tasks: 1 },
        entries: { points: 30, minutes: 180, tasks: 1 },
      },
    ]);
    await q("update points_quarterly set points = points - 1 where account_id = $1 and quarter = '2025-Q1'", [
      accountId,
    ]);
    expect((await checkLedger(t.ctx.database)).ok).toBe(true);
    // A month off by a minute is named, and so is its quarter, which no longer sums its months.
    await q("update points_monthly set minutes = minutes + 1 where account_id = $1 and month = '2025-03'", [
      accountId,
    ]);
    const month = await checkLedger(t.ctx.database);
    expect(month.ok).toBe(false);
    expect(month.rollups).toEqual([
      {
        accountId,
        period: "2025-03",
        rollup: { points: 30, minutes: 181, tasks: 1 },
        entries: { points: 30, minutes: 180, tasks: 1 },
      },
      {
        accountId,
        period: "2025-Q1",
        rollup: { points: 30, minutes: 180, tasks: 1 },
        entries: { points: 30, minutes: 181, tasks: 1 },
      },
    ]);
    await q("update points_monthly set minutes = minutes - 1 where account_id = $1 and month = '2025-03'", [
      accountId,
    ]);
    expect((await checkLedger(t.ctx.database)).ok).toBe(true);
    await expect(q("delete from points_entries where account_id = $1", [accountId])).rejects.toThrow(
      /append-only/,
    );
    await expect(
      q("update points_entries set amount = 0 where account_id = $1", [accountId]),
    ).rejects.toThrow(/append-only/);
  });
});
