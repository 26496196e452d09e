import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { nameInitials } from "../../../domain/people/pinyin.ts";
import { shanghaiDate } from "../../../domain/sla/time.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import {
  actorId,
  actorName,
  communityOf,
  confirmedMember,
  inTx,
  myMember,
  pattern,
  rows,
  type Tx,
  voucherCode,
} from "./common.ts";
import { volunteerPolicy } from "./policy.ts";

// The points ledger: double entry. Every award, redemption and reversal is one transaction whose legs sum to
// zero, written with the balances it moves in one database transaction. A member's balance never goes below
// zero: the balance update is conditional, and a leg it refuses rolls the whole transaction back (409).
// Awards are idempotent by source: `points_transactions.source` is unique, and a replay posts nothing.
// What members earned per month and quarter (points_monthly, points_quarterly: the rankings and a member's totals)
// is kept by a statement trigger on points_entries (migration 0034), so every posting moves it in its own
// transaction whoever writes the entries; checkLedger proves both rollups equal the entries.

interface LegIn {
  accountId: number;
  amount: number;
  minutes?: number;
}

async function accountsFor(
  tx: Tx,
  memberId: number | null,
  community: { id: number; path: string },
  memberPath?: string,
) {
  await tx.execute(sql`insert into points_accounts (kind, community_id, org_path)
    values ('issued', ${community.id}, ${community.path}), ('redeemed', ${community.id}, ${community.path})
    on conflict (community_id, kind) where kind <> 'member' do nothing`);
  const found = await rows<{ id: number; kind: string }>(
    tx,
    sql`select id, kind from points_accounts where community_id = ${community.id} and kind <> 'member'`,
  );
  let member: number | null = null;
  if (memberId !== null) {
    await tx.execute(sql`insert into points_accounts (kind, member_id, community_id, org_path)
      select 'member', m.id, m.community_id, m.org_path from volunteer_members m where m.id = ${memberId}
      on conflict (member_id) where kind = 'member' do nothing`);
    const [m] = await rows<{ id: number }>(
      tx,
      sql`select id from points_accounts where kind = 'member' and member_id = ${memberId}`,
    );
    member = m.id;
  }
  void memberPath;
  return {
    issued: found.find((a) => a.kind === "issued")!.id,
    redeemed: found.find((a) => a.kind === "redeemed")!.id,
    member,
  };
}

/**
 * Posts one balanced transaction. Returns its id, or null when its source was posted before (a replay).
 * Throws 409 when a member's balance would go below zero (the caller's transaction rolls back).
 */
async function post(
  tx: Tx,
  who: Principal,
  t: {
    kind: "award" | "redeem" | "reversal";
    source: string;
    memo: string;
    orgPath: string;
    reversalOf?: number;
    legs: LegIn[];
  },
  now = new Date(),
): Promise<number | null> {
  if (t.legs.reduce((s, l) => s + l.amount, 0) !== 0) throw new Error("unbalanced points transaction");
  const [created] = await rows<{ id: number }>(
    tx,
    sql`insert into points_transactions (kind, source, memo, org_path, reversal_of, created_by, created_by_name, created_at)
      values (${t.kind}, ${t.source}, ${t.memo}, ${t.orgPath}, ${t.reversalOf ?? null}, ${actorId(who)}, ${actorName(who)}, ${now})
      on conflict (source) do nothing returning id`,
  );
  if (!created) return null;
  const legs = JSON.stringify(t.legs.map((l) => ({ a: l.accountId, n: l.amount, m: l.minutes ?? 0 })));
  const moved = await rows<{ id: number }>(
    tx,
    sql`with legs as (select x.a, sum(x.n)::bigint as n from jsonb_to_recordset(${legs}::jsonb) as x(a int, n int, m int) group by x.a)
      update points_accounts p set balance = p.balance + legs.n, updated_at = now() from legs
      where p.id = legs.a and (p.kind <> 'member' or p.balance + legs.n >= 0) returning p.id`,
  );
  if (moved.length !== new Set(t.legs.map((l) => l.accountId)).size) throw Conflict("积分余额不足");
  await tx.execute(sql`insert into points_entries (transaction_id, account_id, amount, minutes, org_path, created_at)
    select ${created.id}, x.a, x.n, x.m, p.org_path, ${now} from jsonb_to_recordset(${legs}::jsonb) as x(a int, n int, m int)
    join points_accounts p on p.id = x.a`);
  return created.id;
}

/**
 * Awards points to a member from the community's issued account, once per source. Returns whether it was
 * posted (false: the same source was awarded before).
 */
export async function award(
  tx: Tx,
  who: Principal,
  a: {
    memberId: number;
    community: { id: number; path: string };
    points: number;
    minutes: number;
    source: string;
    memo: string;
  },
  now = new Date(),
): Promise<boolean> {
  if (a.points <= 0 && a.minutes <= 0) return false;
  const acc = await accountsFor(tx, a.memberId, a.community);
  const id = await post(
    tx,
    who,
    {
      kind: "award",
      source: a.source,
      memo: a.memo,
      orgPath: a.community.path,
      legs: [
        { accountId: acc.issued, amount: -a.points },
        { accountId: acc.member!, amount: a.points, minutes: a.minutes },
      ],
    },
    now,
  );
  return id !== null;
}

// ——— reads ———

export async function myLedger(ctx: AppContext, who: Principal) {
  volunteerPolicy.authorize(who, "self");
  const m = await myMember(ctx, who);
  if (!m) return { balance: 0, earned: 0, minutes: 0, entries: [] };
  return memberLedger(ctx.database, m.id);
}

/**
 * A member's balance, lifetime totals (from the quarterly rollup: a few rows) and last 30 entries (a backward
 * range scan of points_entries_account_idx), in one statement so a busy server pays one round trip. An award's or
 * redemption's entry says whether it was reversed (its reversal's source is unique: one index probe each).
 */
export async function memberLedger(db: Database, memberId: number) {
  const [acc] = await db.query<{
    balance: number;
    earned: number;
    minutes: number;
    entries: {
      id: number;
      transactionId: number;
      kind: string;
      memo: string;
      amount: number;
      minutes: number;
      reversed: boolean | null;
      at: string;
    }[];
  }>(
    `select a.balance::int as balance, t.earned, t.minutes, coalesce(h.entries, '[]') as entries
     from points_accounts a
     cross join lateral (select coalesce(sum(q.points), 0)::int as earned, coalesce(sum(q.minutes), 0)::int as minutes
       from points_quarterly q where q.account_id = a.id) t
     cross join lateral (select json_agg(json_build_object('id', e.id::int, 'transactionId', x.id::int, 'kind', x.kind,
         'memo', x.memo, 'amount', e.amount, 'minutes', e.minutes, 'at', e.created_at,
         'reversed', case when x.kind in ('award', 'redeem') then exists (
           select 1 from points_transactions r where r.source = 'reversal:' || x.id) end) order by e.created_at desc, e.id desc) as entries
       from (select * from points_entries where account_id = a.id order by created_at desc, id desc limit 30) e
       join points_transactions x on x.id = e.transaction_id) h
     where a.kind = 'member' and a.member_id = $1`,
    [memberId],
    { name: "vol_member_ledger" },
  );
  if (!acc) return { balance: 0, earned: 0, minutes: 0, entries: [] };
  return {
    balance: acc.balance,
    earned: acc.earned,
    minutes: acc.minutes,
    entries: acc.entries.map((e) => ({ ...e, at: new Date(e.at) })),
  };
}

export async function catalogue(ctx: AppContext, who: Principal) {
  volunteerPolicy.authorize(who, "browse");
  return ctx.database.query<{ id: number; kind: string; name: string; cost: number; stock: number }>(
    "select id, kind, name, cost, stock from redemption_items where active = 1 and org_path like $1 order by cost, id",
    [pattern(who)],
  );
}

export async function addItem(
  ctx: AppContext,
  who: Principal,
  b: { communityId: number; kind: string; name: string; cost: number; stock: number },
) {
  volunteerPolicy.authorize(who, "manage");
  const [c] = await ctx.database.query<{ id: number; path: string }>(
    "select id, path from org_units where id = $1 and kind = 'community' and path like $2",
    [b.communityId, pattern(who)],
  );
  if (!c) throw Invalid("社区不存在", [{ field: "communityId", message: "社区不存在" }]);
  return inTx(ctx, async (tx) => {
    const [item] = await rows<{ id: number; kind: string; name: string; cost: number; stock: number }>(
      tx,
      sql`insert into redemption_items (community_id, org_path, kind, name, cost, stock)
        values (${c.id}, ${c.path}, ${b.kind}, ${b.name}, ${b.cost}, ${b.stock}) returning id, kind, name, cost, stock`,
    );
    await audit.record(tx, who, {
      action: "create",
      entity: "redemption_item",
      entityId: item.id,
      orgPath: c.path,
      after: b,
    });
    return item;
  });
}

/** Redeems an item: stock and balance both checked in the writes themselves; either short is 409, nothing written. */
export async function redeem(ctx: AppContext, who: Principal, itemId: number) {
  volunteerPolicy.authorize(who, "self");
  const m = await confirmedMember(ctx, who);
  const [item] = await ctx.database.query<{
    id: number;
    name: string;
    cost: number;
    communityId: number;
    orgPath: string;
  }>(
    `select id, name, cost, community_id as "communityId", org_path as "orgPath" from redemption_items
     where id = $1 and active = 1 and org_path like $2`,
    [itemId, pattern(who)],
  );
  if (!item) throw NotFound("兑换项目不存在");
  const community = await communityOf(ctx.database.db, item.orgPath);
  return inTx(ctx, async (tx) => {
    const stock = await rows<{ id: number }>(
      tx,
      sql`update redemption_items set stock = stock - 1, updated_at = now() where id = ${item.id} and stock > 0 returning id`,
    );
    if (!stock.length) throw Conflict(`「${item.name}」已兑完`);
    const code = voucherCode();
    const [r] = await rows<{ id: number }>(
      tx,
      sql`insert into redemptions (item_id, member_id, org_path, points, voucher_code)
        values (${item.id}, ${m.id}, ${m.orgPath}, ${item.cost}, ${code}) returning id`,
    );
    const acc = await accountsFor(tx, m.id, community);
    const [bal] = await rows<{ balance: number }>(
      tx,
      sql`select balance::int as balance from points_accounts where id = ${acc.member}`,
    );
    if (bal.balance < item.cost)
      throw Conflict(`积分不足：「${item.name}」需要 ${item.cost} 分，您现有 ${bal.balance} 分`);
    const txId = await post(tx, who, {
      kind: "redeem",
      source: `redemption:${r.id}`,
      memo: `兑换「${item.name}」`,
      orgPath: community.path,
      legs: [
        { accountId: acc.member!, amount: -item.cost },
        { accountId: acc.redeemed, amount: item.cost },
      ],
    });
    await tx.execute(sql`update redemptions set transaction_id = ${txId} where id = ${r.id}`);
    await audit.record(tx, who, {
      action: "redeem",
      entity: "redemption",
      entityId: r.id,
      orgPath: m.orgPath,
      after: { item: item.name, points: item.cost },
    });
    return {
      id: r.id,
      voucherCode: code,
      item: item.name,
      points: item.cost,
      balance: bal.balance - item.cost,
    };
  });
}

export async function listRedemptions(ctx: AppContext, who: Principal) {
  volunteerPolicy.authorize(who, "read");
  return ctx.database.query<{
    id: number;
    item: string;
    member: string;
    points: number;
    voucherCode: string;
    state: string;
    reverseReason: string | null;
    at: Date;
  }>(
    `select r.id, i.name as item, m.name as member, r.points, r.voucher_code as "voucherCode", r.state,
       r.reverse_reason as "reverseReason", r.created_at as at
     from redemptions r join redemption_items i on i.id = r.item_id join volunteer_members m on m.id = r.member_id
     where r.org_path like $1 order by r.id desc limit 200`,
    [pattern(who)],
  );
}

/** Reverses a redemption with a reason: the points go back, the stock too; the original stays in the ledger. */
export async function reverseRedemption(ctx: AppContext, who: Principal, id: number, reason: string) {
  volunteerPolicy.authorize(who, "manage");
  return inTx(ctx, async (tx) => {
    const [r] = await rows<{
      id: number;
      state: string;
      itemId: number;
      transactionId: number;
      orgPath: string;
    }>(
      tx,
      sql`select id, state, item_id as "itemId", transaction_id as "transactionId", org_path as "orgPath"
        from redemptions where id = ${id} and org_path like ${pattern(who)} for update`,
    );
    if (!r) throw NotFound("兑换记录不存在");
    if (r.state !== "issued") throw Conflict("该兑换已撤销");
    const legs = await rows<{ accountId: number; amount: number }>(
      tx,
      sql`select account_id as "accountId", amount from points_entries where transaction_id = ${r.transactionId}`,
    );
    const [orig] = await rows<{ orgPath: string }>(
      tx,
      sql`select org_path as "orgPath" from points_transactions where id = ${r.transactionId}`,
    );
    await post(tx, who, {
      kind: "reversal",
      source: `reversal:${r.transactionId}`,
      memo: `撤销兑换：${reason}`,
      orgPath: orig.orgPath,
      reversalOf: r.transactionId,
      legs: legs.map((l) => ({ accountId: l.accountId, amount: -l.amount })),
    });
    await tx.execute(
      sql`update redemption_items set stock = stock + 1, updated_at = now() where id = ${r.itemId}`,
    );
    await tx.execute(
      sql`update redemptions set state = 'reversed', reverse_reason = ${reason}, updated_at = now() where id = ${r.id}`,
    );
    await audit.record(tx, who, {
      action: "reverse",
      entity: "redemption",
      entityId: r.id,
      orgPath: r.orgPath,
      reason,
    });
    return { id: r.id, state: "reversed" };
  });
}

/** A member's ledger for the community desk (balance, totals, last entries): 404 for a member outside the caller's scope. */
export async function memberLedgerFor(ctx: AppContext, who: Principal, memberId: number) {
  volunteerPolicy.authorize(who, "read");
  const [m] = await ctx.database.query<{ id: number; name: string; state: string }>(
    "select id, name, state from volunteer_members where id = $1 and org_path like $2",
    [memberId, pattern(who)],
  );
  if (!m) throw NotFound("志愿者不存在");
  return { member: m, ...(await memberLedger(ctx.database, m.id)) };
}

/**
 * Reverses an award (hours or points recorded by mistake) with a reason: one balanced transaction with every leg of
 * the award negated (points and minutes, so the rollups take back the points, hours and the task), the original kept.
 * Idempotent: the reversal's source is `reversal:<award>`, so a second request posts nothing and answers the same.
 * Refused (409, nothing written) when the member has since redeemed the points and would go below zero. Scoped by
 * the member's account: an award to a member outside the caller's subtree is 404, as one that does not exist.
 */
export async function reverseAward(ctx: AppContext, who: Principal, transactionId: number, reason: string) {
  volunteerPolicy.authorize(who, "manage");
  return inTx(ctx, async (tx) => {
    const [o] = await rows<{
      id: number;
      memo: string;
      orgPath: string;
      memberAccount: number;
      memberId: number;
      memberName: string;
      balance: number;
    }>(
      tx,
      sql`select x.id, x.memo, x.org_path as "orgPath", a.id as "memberAccount", m.id as "memberId", m.name as "memberName",
          a.balance::int as balance
        from points_transactions x
        join points_entries e on e.transaction_id = x.id
        join points_accounts a on a.id = e.account_id and a.kind = 'member'
        join volunteer_members m on m.id = a.member_id
        where x.id = ${transactionId} and x.kind = 'award' and a.org_path like ${pattern(who)}
        for update of x`,
    );
    if (!o) throw NotFound("积分奖励不存在");
    const [done] = await rows<{ id: number }>(
      tx,
      sql`select id from points_transactions where source = ${`reversal:${o.id}`}`,
    );
    if (done) return { id: o.id, state: "reversed", replayed: true };
    const legs = await rows<{ accountId: number; amount: number; minutes: number }>(
      tx,
      sql`select account_id as "accountId", amount, minutes from points_entries where transaction_id = ${o.id}`,
    );
    const taken = legs.filter((l) => l.accountId === o.memberAccount).reduce((s, l) => s + l.amount, 0);
    // Read under the account's row lock, so a redemption running at the same time cannot slip in between.
    const [acc] = await rows<{ balance: number }>(
      tx,
      sql`select balance::int as balance from points_accounts where id = ${o.memberAccount} for update`,
    );
    if (acc.balance < taken)
      throw Conflict(
        `不能撤销：${o.memberName}现有 ${acc.balance} 分，这笔奖励 ${taken} 分，撤销后积分将为负；请先撤销其兑换`,
      );
    const id = await post(tx, who, {
      kind: "reversal",
      source: `reversal:${o.id}`,
      memo: `撤销奖励「${o.memo}」：${reason}`,
      orgPath: o.orgPath,
      reversalOf: o.id,
      legs: legs.map((l) => ({ accountId: l.accountId, amount: -l.amount, minutes: -l.minutes })),
    });
    if (id === null) return { id: o.id, state: "reversed", replayed: true };
    await audit.record(tx, who, {
      action: "reverse",
      entity: "points_transaction",
      entityId: o.id,
      orgPath: o.orgPath,
      reason,
      before: { memo: o.memo, memberId: o.memberId, points: taken },
      after: { reversal: id, balance: acc.balance - taken },
    });
    return { id: o.id, state: "reversed", replayed: false };
  });
}

// ——— rankings ———

export function periodMonths(period: "month" | "quarter", at: string): string[] {
  const [y, m] = at.split("-").map(Number);
  if (period === "month") return [at];
  const q0 = Math.floor((m - 1) / 3) * 3 + 1;
  return [0, 1, 2].map((i) => `${y}-${String(q0 + i).padStart(2, "0")}`);
}

/** "2026-11" → "2026-Q4", as the rollup trigger names quarters. */
export function quarterOf(month: string): string {
  return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
}

/** What a leaderboard ranks by: points earned, hours served, or services completed (任务数: one per award). */
export type RankBy = "points" | "hours" | "tasks";
const RANK_COLUMN: Record<RankBy, string> = { points: "points", hours: "minutes", tasks: "tasks" };

export async function leaderboard(
  ctx: AppContext,
  who: Principal,
  q: { period: "month" | "quarter"; at?: string; by: RankBy; org?: number; limit: number },
) {
  volunteerPolicy.authorize(who, "browse");
  let path = who.orgPath;
  if (q.org !== undefined) {
    const [u] = await ctx.database.query<{ path: string }>(
      "select path from org_units where id = $1 and path like $2",
      [q.org, pattern(who)],
    );
    if (!u) throw NotFound("组织不存在");
    path = u.path;
  }
  const at = q.at ?? shanghaiDate(new Date()).slice(0, 7);
  const months = periodMonths(q.period, at);
  const order = RANK_COLUMN[q.by];
  // One rollup row per member and period: the top is the start of the (period, points|minutes|tasks desc) index,
  // filtered by the scope's path (a community's few hundred rows come from the (period, path) index instead).
  // Only members with something to show are ranked (a member whose only service was reversed, or whose points came
  // from wishes alone when ranked by hours, is not listed with 0).
  const [table, key] = q.period === "month" ? ["points_monthly", "month"] : ["points_quarterly", "quarter"];
  const items = await ctx.database.query<{
    rank: number;
    memberId: number;
    name: string;
    workUnit: string | null;
    points: number;
    minutes: number;
    tasks: number;
  }>(
    `with s as (
       select r.account_id, r.points, r.minutes, r.tasks from ${table} r where r.${key} = $1 and r.org_path like $2
         and r.${order} > 0
       order by r.${order} desc nulls last, r.account_id limit $3)
     select (rank() over (order by s.${order} desc))::int as rank, m.id as "memberId", m.name, m.work_unit as "workUnit",
       s.points, s.minutes, s.tasks
     from s join points_accounts a on a.id = s.account_id join volunteer_members m on m.id = a.member_id
     order by s.${order} desc, s.account_id`,
    [q.period === "month" ? at : quarterOf(at), `${path.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, q.limit],
    // Not a named statement: a cached generic plan would not know the path's prefix and would walk the district's
    // ranking index for a community's few hundred rows; planned per call, a community reads its path index.
  );
  // Members see names with the surname only (每月一公示 is public within the community).
  const self = volunteerPolicy.can(who, "self") && !volunteerPolicy.can(who, "read");
  return {
    period: q.period,
    months,
    items: items.map((i) => ({
      ...i,
      ...(self ? { name: `${i.name.slice(0, 1)}**` } : { name: i.name, initials: nameInitials(i.name) }),
      hours: Math.round(i.minutes / 6) / 10,
    })),
  };
}

// ——— consistency ———

interface RollupDiff {
  accountId: number;
  period: string;
  rollup: { points: number; minutes: number; tasks: number } | null;
  entries: { points: number; minutes: number; tasks: number } | null;
}

/**
 * The check command's proof: every transaction sums to zero, every balance equals its entries' sum, no member's
 * balance is negative, points_monthly equals what the entries say was earned (the view points_earned: award legs
 * on member accounts and reversals of awards) and points_quarterly equals the sum of its months. The statements run
 * side by side on PostgreSQL's pool.
 */
export async function checkLedger(db: Database) {
  const t0 = Date.now();
  const [[s], mismatched, unbalanced, negative, months, quarters] = await Promise.all([
    db.query<{ accounts: number; entries: number; transactions: number }>(
      `select (select count(*)::int from points_accounts) as accounts, (select count(*)::int from points_entries) as entries,
         (select count(*)::int from points_transactions) as transactions`,
    ),
    db.query<{ accountId: number; balance: number; sum: number }>(
      `select a.id as "accountId", a.balance::bigint as balance, coalesce(e.s, 0)::bigint as sum
       from points_accounts a left join (select account_id, sum(amount) as s from points_entries group by account_id) e on e.account_id = a.id
       where a.balance <> coalesce(e.s, 0) limit 20`,
    ),
    db.query<{ transactionId: number; sum: number }>(
      `select transaction_id as "transactionId", sum(amount)::bigint as sum from points_entries group by transaction_id having sum(amount) <> 0 limit 20`,
    ),
    db.query<{ accountId: number }>(
      "select id as \"accountId\" from points_accounts where kind = 'member' and balance < 0 limit 20",
    ),
    // Each month's rollup against the entries (a parallel aggregation merged with the rollup's unique index).
    db.query<RollupDiff>(
      `select coalesce(r.account_id, m.account_id) as "accountId", coalesce(r.month, m.month) as period,
         case when r.account_id is not null then json_build_object('points', r.points, 'minutes', r.minutes, 'tasks', r.tasks) end as rollup,
         case when m.account_id is not null then json_build_object('points', m.points, 'minutes', m.minutes, 'tasks', m.tasks) end as entries
       from points_monthly r full join (
         select account_id, month, sum(points)::int as points, sum(minutes)::int as minutes, sum(tasks)::int as tasks
         from points_earned group by account_id, month) m on m.account_id = r.account_id and m.month = r.month
       where (r.points, r.minutes, r.tasks) is distinct from (m.points, m.minutes, m.tasks) limit 20`,
    ),
    // Each quarter's rollup against its months (which the statement above holds to the entries).
    db.query<RollupDiff>(
      `select coalesce(r.account_id, m.account_id) as "accountId", coalesce(r.quarter, m.quarter) as period,
         case when r.account_id is not null then json_build_object('points', r.points, 'minutes', r.minutes, 'tasks', r.tasks) end as rollup,
         case when m.account_id is not null then json_build_object('points', m.points, 'minutes', m.minutes, 'tasks', m.tasks) end as entries
       from points_quarterly r full join (
         select account_id, left(month, 4) || '-Q' || ((substr(month, 6, 2)::int + 2) / 3) as quarter,
           sum(points)::int as points, sum(minutes)::int as minutes, sum(tasks)::int as tasks
         from points_monthly group by 1, 2) m on m.account_id = r.account_id and m.quarter = r.quarter
       where (r.points, r.minutes, r.tasks) is distinct from (m.points, m.minutes, m.tasks) limit 20`,
    ),
  ]);
  return {
    ...s,
    mismatched,
    unbalanced,
    negative,
    rollups: [...months, ...quarters],
    ok: !mismatched.length && !unbalanced.length && !negative.length && !months.length && !quarters.length,
    ms: Date.now() - t0,
  };
}
