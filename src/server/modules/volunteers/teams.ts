import { type SQL, sql } from "drizzle-orm";
import { shanghaiDate } from "../../../domain/sla/time.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import { actorId, actorName, inTx, myMember, pattern, rows, settingsOf, type Tx } from "./common.ts";
import { quarterOf } from "./ledger.ts";
import { volunteerPolicy } from "./policy.ts";

// Teams 志愿队 and functional party branches 功能型党支部 of a residential complex 小区: a community (or above)
// forms them and names a secretary from its confirmed members; the secretary and the community desk keep the roll.
// Leaving closes the member's row (left_at), so the roll keeps who served when. Staff see the teams in their
// subtree; a member sees the teams they belong to, and only the ones they are secretary of open as a roll —
// any other team is 404, as one that does not exist.

export const TEAM_KINDS = ["team", "party_branch"] as const;
export type TeamKind = (typeof TEAM_KINDS)[number];

interface TeamRow {
  id: number;
  kind: TeamKind;
  name: string;
  complex: string;
  communityId: number;
  communityName: string;
  orgPath: string;
  secretaryMemberId: number;
  secretaryName: string;
}

const TEAM_COLS = sql`t.id, t.kind, t.name, t.complex, t.community_id as "communityId", o.name as "communityName",
  t.org_path as "orgPath", t.secretary_member_id as "secretaryMemberId", s.name as "secretaryName"`;
const TEAM_FROM = sql`volunteer_teams t join org_units o on o.id = t.community_id join volunteer_members s on s.id = t.secretary_member_id`;

const isStaff = (who: Principal) => volunteerPolicy.can(who, "govern") || volunteerPolicy.can(who, "read");

/** The quarter a roll's hours count in: this one, in Shanghai. */
const thisQuarter = (now = new Date()) => quarterOf(shanghaiDate(now).slice(0, 7));

/**
 * A team the caller may open: for staff, one in their subtree; for a member, one they are secretary of. `lock`
 * takes the team's row for the rest of the transaction, so two roll changes of one team queue up.
 */
async function teamFor(
  tx: Tx,
  who: Principal,
  id: number,
  lock = false,
): Promise<TeamRow & { myMemberId: number | null }> {
  // Read on the transaction's own connection: PGlite has one, and a query beside the transaction would wait on it.
  const [me] =
    isStaff(who) || who.kind !== "account"
      ? [null]
      : await rows<{ id: number }>(tx, sql`select id from volunteer_members where account_id = ${who.id}`);
  const where = me
    ? sql`t.secretary_member_id = ${me.id} and me.state = 'confirmed'`
    : isStaff(who)
      ? sql`t.org_path like ${pattern(who)}`
      : sql`false`;
  const [t] = await rows<TeamRow>(
    tx,
    sql`select ${TEAM_COLS} from ${TEAM_FROM} left join volunteer_members me on me.id = ${me?.id ?? null}
      where t.id = ${id} and ${where} ${lock ? sql`for update of t` : sql``}`,
  );
  if (!t) throw NotFound("队伍不存在");
  return { ...t, myMemberId: me?.id ?? null };
}

/** A confirmed member of the community with a login: the one a secretary may be. */
async function secretaryCandidate(tx: Tx, who: Principal, communityId: number, memberId: number) {
  const [m] = await rows<{
    id: number;
    name: string;
    state: string;
    communityId: number;
    accountId: number | null;
  }>(
    tx,
    sql`select id, name, state, community_id as "communityId", account_id as "accountId" from volunteer_members
      where id = ${memberId} and org_path like ${pattern(who)}`,
  );
  const refuse = (message: string): never => {
    throw Invalid(`书记：${message}`, [{ field: "secretaryMemberId", message }]);
  };
  if (!m) return refuse("成员不存在");
  if (m.communityId !== communityId) refuse("不是本社区的成员");
  if (m.state !== "confirmed") refuse("报到尚未确认");
  if (m.accountId === null) refuse("该成员没有登录账号，无法在手机上管理名册");
  return m;
}

async function join(tx: Tx, who: Principal, team: { id: number; orgPath: string }, memberId: number) {
  const [row] = await rows<{ id: number; joinedAt: Date }>(
    tx,
    sql`insert into volunteer_team_members (team_id, member_id, org_path, added_by_name)
      values (${team.id}, ${memberId}, ${team.orgPath}, ${actorName(who)})
      on conflict (team_id, member_id) where left_at is null do nothing returning id, joined_at as "joinedAt"`,
  );
  return row ?? null;
}

export interface TeamInput {
  communityId: number;
  kind: TeamKind;
  teamName: string;
  complex: string;
  secretaryMemberId: number;
}

export async function formTeam(ctx: AppContext, who: Principal, b: TeamInput) {
  volunteerPolicy.authorize(who, "govern");
  return inTx(ctx, async (tx) => {
    const [c] = await rows<{ id: number; path: string }>(
      tx,
      sql`select id, path from org_units where id = ${b.communityId} and kind = 'community' and path like ${pattern(who)}`,
    );
    if (!c) throw NotFound("社区不存在");
    const secretary = await secretaryCandidate(tx, who, c.id, b.secretaryMemberId);
    const name = b.teamName.trim();
    const [t] = await rows<{ id: number }>(
      tx,
      sql`insert into volunteer_teams (kind, name, complex, community_id, org_path, secretary_member_id, created_by, created_by_name)
        values (${b.kind}, ${name}, ${b.complex.trim()}, ${c.id}, ${c.path}, ${secretary.id}, ${actorId(who)}, ${actorName(who)})
        on conflict (community_id, name) do nothing returning id`,
    );
    if (!t) throw Conflict(`本社区已有名为「${name}」的队伍`);
    // The secretary keeps the roll from inside it.
    await join(tx, who, { id: t.id, orgPath: c.path }, secretary.id);
    await audit.record(tx, who, {
      action: "create",
      entity: "volunteer_team",
      entityId: t.id,
      orgPath: c.path,
      after: {
        kind: b.kind,
        name,
        complex: b.complex.trim(),
        secretaryMemberId: secretary.id,
        secretary: secretary.name,
      },
    });
    return { id: t.id };
  });
}

export async function editTeam(
  ctx: AppContext,
  who: Principal,
  id: number,
  b: { teamName?: string; complex?: string; secretaryMemberId?: number },
) {
  volunteerPolicy.authorize(who, "govern");
  return inTx(ctx, async (tx) => {
    const t = await teamFor(tx, who, id, true);
    const before = {
      name: t.name,
      complex: t.complex,
      secretaryMemberId: t.secretaryMemberId,
      secretary: t.secretaryName,
    };
    const secretary =
      b.secretaryMemberId === undefined || b.secretaryMemberId === t.secretaryMemberId
        ? { id: t.secretaryMemberId, name: t.secretaryName }
        : await secretaryCandidate(tx, who, t.communityId, b.secretaryMemberId);
    const name = b.teamName?.trim() ?? t.name;
    const complex = b.complex?.trim() ?? t.complex;
    const [ok] = await rows<{ id: number }>(
      tx,
      sql`update volunteer_teams set name = ${name}, complex = ${complex}, secretary_member_id = ${secretary.id}, updated_at = now()
        where id = ${id} and not exists (select 1 from volunteer_teams o where o.community_id = ${t.communityId} and o.name = ${name} and o.id <> ${id})
        returning id`,
    );
    if (!ok) throw Conflict(`本社区已有名为「${name}」的队伍`);
    if (secretary.id !== t.secretaryMemberId) await join(tx, who, t, secretary.id);
    const after = { name, complex, secretaryMemberId: secretary.id, secretary: secretary.name };
    await audit.record(tx, who, {
      action: "update",
      entity: "volunteer_team",
      entityId: id,
      orgPath: t.orgPath,
      before,
      after,
    });
    return teamSummary(tx, id);
  });
}

interface TeamSummary {
  id: number;
  kind: string;
  name: string;
  complex: string;
  communityId: number;
  communityName: string;
  secretaryMemberId: number;
  secretaryName: string;
  size: number;
  partyMembers: number;
  /** Whether the caller is the team's secretary (a member's phone opens the roll of these). */
  mine: boolean;
}

async function teamSummary(tx: Tx, id: number): Promise<TeamSummary> {
  const [s] = await listWhere(tx, sql`t.id = ${id}`, null);
  return s;
}

async function listWhere(tx: Tx, where: SQL, myId: number | null) {
  return rows<TeamSummary>(
    tx,
    sql`select ${TEAM_COLS}, coalesce(r.size, 0)::int as size, coalesce(r.party, 0)::int as "partyMembers",
        (t.secretary_member_id = ${myId ?? 0}) as mine
      from ${TEAM_FROM}
      left join lateral (select count(*) as size, count(*) filter (where m.kind = 'party_member') as party
        from volunteer_team_members tm join volunteer_members m on m.id = tm.member_id
        where tm.team_id = t.id and tm.left_at is null) r on true
      where ${where} order by o.code, t.complex, t.name limit 500`,
  );
}

/** Staff: the teams of their subtree (or of one community in it). A member: the teams they are on now. */
export async function listTeams(ctx: AppContext, who: Principal, q: { communityId?: number }) {
  volunteerPolicy.authorize(who, "readRoll");
  const db = ctx.database.db as unknown as Tx;
  if (isStaff(who))
    return listWhere(
      db,
      sql`t.org_path like ${pattern(who)} ${q.communityId ? sql`and t.community_id = ${q.communityId}` : sql``}`,
      null,
    );
  const me = await myMember(ctx, who);
  if (!me) return [];
  return listWhere(
    db,
    sql`exists (select 1 from volunteer_team_members tm where tm.team_id = t.id and tm.member_id = ${me.id} and tm.left_at is null)`,
    me.id,
  );
}

/**
 * The roll as a branch secretary reads it: who is on it now and since when, with each member's service hours and
 * services this quarter against the community's minimum; then who left, when and why.
 */
export async function roll(ctx: AppContext, who: Principal, id: number, now = new Date()) {
  volunteerPolicy.authorize(who, "readRoll");
  const db = ctx.database.db as unknown as Tx;
  const t = await teamFor(db, who, id);
  const quarter = thisQuarter(now);
  const rules = await settingsOf(db, t.communityId);
  const members = await rows<{
    memberId: number;
    name: string;
    kind: string;
    workUnit: string | null;
    phoneTail: string | null;
    joinedAt: Date;
    leftAt: Date | null;
    leaveReason: string | null;
    addedByName: string | null;
    removedByName: string | null;
    minutes: number;
    tasks: number;
  }>(
    db,
    sql`select m.id as "memberId", m.name, m.kind, m.work_unit as "workUnit", m.phone_tail as "phoneTail",
        tm.joined_at as "joinedAt", tm.left_at as "leftAt", tm.leave_reason as "leaveReason",
        tm.added_by_name as "addedByName", tm.removed_by_name as "removedByName",
        coalesce(pq.minutes, 0)::int as minutes, coalesce(pq.tasks, 0)::int as tasks
      from volunteer_team_members tm join volunteer_members m on m.id = tm.member_id
      left join points_accounts a on a.kind = 'member' and a.member_id = m.id
      left join points_quarterly pq on pq.account_id = a.id and pq.quarter = ${quarter}
      where tm.team_id = ${t.id}
      order by (tm.left_at is null) desc, coalesce(tm.left_at, tm.joined_at) desc, tm.id desc limit 1000`,
  );
  const minMinutes = rules.quarterlyMinHours * 60;
  const current = members.filter((m) => !m.leftAt);
  const q0 = quarterStart(quarter);
  const item = (m: (typeof members)[number]) => ({
    memberId: m.memberId,
    name: m.name,
    kind: m.kind,
    workUnit: m.workUnit,
    phone: m.phoneTail ? `尾号 ${m.phoneTail}` : null,
    joinedAt: m.joinedAt,
    leftAt: m.leftAt,
    leaveReason: m.leaveReason,
    addedByName: m.addedByName,
    removedByName: m.removedByName,
    minutes: m.minutes,
    hours: Math.round(m.minutes / 6) / 10,
    tasks: m.tasks,
    belowMinimum: !m.leftAt && m.minutes < minMinutes,
  });
  return {
    team: {
      id: t.id,
      kind: t.kind,
      name: t.name,
      complex: t.complex,
      communityId: t.communityId,
      communityName: t.communityName,
      secretaryMemberId: t.secretaryMemberId,
      secretaryName: t.secretaryName,
    },
    quarter,
    quarterlyMinHours: rules.quarterlyMinHours,
    counts: {
      current: current.length,
      partyMembers: current.filter((m) => m.kind === "party_member").length,
      joinedThisQuarter: members.filter((m) => new Date(m.joinedAt) >= q0).length,
      leftThisQuarter: members.filter((m) => m.leftAt && new Date(m.leftAt) >= q0).length,
      belowMinimum: current.filter((m) => m.minutes < minMinutes).length,
      hours: Math.round(current.reduce((s, m) => s + m.minutes, 0) / 6) / 10,
    },
    canKeepRoll: volunteerPolicy.can(who, "keepRoll", t),
    members: members.map(item),
  };
}

/** The first instant of a quarter ("2026-Q4") in Shanghai. */
function quarterStart(quarter: string): Date {
  const month = (Number(quarter.slice(6)) - 1) * 3 + 1;
  return new Date(`${quarter.slice(0, 4)}-${String(month).padStart(2, "0")}-01T00:00:00+08:00`);
}

/** Confirmed members of the team's community not on its roll now: whom the secretary may add. */
export async function candidates(ctx: AppContext, who: Principal, id: number, q: { q?: string }) {
  volunteerPolicy.authorize(who, "keepRoll", null);
  const db = ctx.database.db as unknown as Tx;
  const t = await teamFor(db, who, id);
  volunteerPolicy.authorize(who, "keepRoll", t);
  const words = q.q?.trim();
  return rows<{ id: number; name: string; kind: string; workUnit: string | null }>(
    db,
    sql`select m.id, m.name, m.kind, m.work_unit as "workUnit" from volunteer_members m
      where m.community_id = ${t.communityId} and m.state = 'confirmed'
        and not exists (select 1 from volunteer_team_members tm where tm.team_id = ${t.id} and tm.member_id = m.id and tm.left_at is null)
        ${words ? sql`and (m.name like ${`%${words}%`} or m.work_unit like ${`%${words}%`})` : sql``}
      order by m.name, m.id limit 30`,
  );
}

export async function addToRoll(ctx: AppContext, who: Principal, id: number, memberId: number) {
  volunteerPolicy.authorize(who, "keepRoll", null);
  return inTx(ctx, async (tx) => {
    const t = await teamFor(tx, who, id, true);
    volunteerPolicy.authorize(who, "keepRoll", t);
    // A secretary's reach is their team's community; staff's is their subtree.
    const reach = t.myMemberId !== null ? `${t.orgPath}%` : pattern(who);
    const [m] = await rows<{ id: number; name: string; state: string; communityId: number }>(
      tx,
      sql`select id, name, state, community_id as "communityId" from volunteer_members where id = ${memberId} and org_path like ${reach}`,
    );
    if (!m) throw NotFound("志愿者不存在");
    if (m.communityId !== t.communityId)
      throw Invalid("成员：不是本队所在社区的成员", [
        { field: "memberId", message: "不是本队所在社区的成员" },
      ]);
    if (m.state !== "confirmed")
      throw Invalid("成员：报到尚未经社区确认", [{ field: "memberId", message: "报到尚未经社区确认" }]);
    const row = await join(tx, who, t, m.id);
    if (!row) throw Conflict(`${m.name}已在「${t.name}」名册中`);
    await audit.record(tx, who, {
      action: "join",
      entity: "volunteer_team_member",
      entityId: row.id,
      orgPath: t.orgPath,
      after: { teamId: t.id, team: t.name, memberId: m.id, member: m.name },
    });
    return { id: row.id, memberId: m.id, joinedAt: row.joinedAt };
  });
}

export async function removeFromRoll(
  ctx: AppContext,
  who: Principal,
  id: number,
  memberId: number,
  reason?: string,
) {
  volunteerPolicy.authorize(who, "keepRoll", null);
  return inTx(ctx, async (tx) => {
    const t = await teamFor(tx, who, id, true);
    volunteerPolicy.authorize(who, "keepRoll", t);
    const [on] = await rows<{ id: number; name: string; joinedAt: Date }>(
      tx,
      sql`select tm.id, m.name, tm.joined_at as "joinedAt" from volunteer_team_members tm join volunteer_members m on m.id = tm.member_id
        where tm.team_id = ${t.id} and tm.member_id = ${memberId} and tm.left_at is null`,
    );
    if (!on) throw NotFound("该成员不在名册中");
    if (memberId === t.secretaryMemberId) throw Conflict("书记不能移出名册，请先由社区更换书记");
    const [row] = await rows<{ leftAt: Date }>(
      tx,
      sql`update volunteer_team_members set left_at = now(), leave_reason = ${reason?.trim() || null},
        removed_by_name = ${actorName(who)}, updated_at = now() where id = ${on.id} returning left_at as "leftAt"`,
    );
    await audit.record(tx, who, {
      action: "leave",
      entity: "volunteer_team_member",
      entityId: on.id,
      orgPath: t.orgPath,
      reason: reason?.trim() || null,
      before: { teamId: t.id, team: t.name, memberId, member: on.name, joinedAt: on.joinedAt },
      after: { leftAt: row.leftAt },
    });
    return { id: on.id, memberId, leftAt: row.leftAt };
  });
}
