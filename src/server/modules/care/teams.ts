import { sql } from "drizzle-orm";
import {
  CARE_TEAM_ROLE_LABELS,
  CARE_TEAM_ROLES,
  onDuty,
  rosterGaps,
  SHIFTS,
  type ShiftSlot,
  shiftAt,
  shiftWindow,
} from "../../../domain/care/contracts.ts";
import { dateOfDay, dayOfDate, shanghaiDate, shanghaiDayNumber } from "../../../domain/care/shanghai.ts";
import { normalisePhone } from "../../../domain/mask/mask.ts";
import { inScope } from "../../../domain/org/scope.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Invalid, NotFound } from "../../platform/errors.ts";
import { dutyPhoneOf, getOrgUnit } from "../orgs/index.ts";
import { invalidFields, rows, type Tx } from "./common.ts";
import { carePolicy } from "./policy.ts";
import {
  type MemberRow,
  presentEntry,
  presentGap,
  presentMember,
  presentOnDutySlot,
  type RosterRow,
} from "./presenter.ts";

// 爱心专班: per community, a roster of 社区工作人员 + 家庭医生 + 志愿者 + 社区民警 on 白班/晚班.
// Phones here are staff work phones, published on purpose (the public on-duty page, the contact card).

const MEMBER_COLUMNS = `m.id, m.community_id as "communityId", m.team_role as "teamRole", m.name, m.phone,
  m.account_id as "accountId", m.active`;

async function communityUnit(ctx: AppContext, actor: Actor, id: number) {
  const unit = await getOrgUnit(ctx, actor, id);
  if (unit.kind !== "community")
    throw Invalid("爱心专班按社区设置", [{ field: "communityId", message: "请选择社区" }]);
  return unit;
}

export async function addMember(
  ctx: AppContext,
  actor: Actor,
  communityId: number,
  input: { teamRole: string; name: string; phone: string; accountId?: number },
) {
  carePolicy.authorize(actor, "manage");
  const unit = await communityUnit(ctx, actor, communityId);
  const fields = [];
  if (!(CARE_TEAM_ROLES as readonly string[]).includes(input.teamRole))
    fields.push({
      field: "teamRole",
      message: `专班角色应为 ${Object.values(CARE_TEAM_ROLE_LABELS).join("、")} 之一`,
    });
  const name = input.name.trim();
  if (name.length < 1 || name.length > 30) fields.push({ field: "name", message: "姓名应为 1–30 字" });
  // Work phones may be landlines (0513-…) as well as mobiles.
  const phone = normalisePhone(input.phone);
  if (!phone) fields.push({ field: "phone", message: "电话应为 11 位手机号或带区号的固定电话" });
  // A linked account must be a live one on this community's line: inside it, or a unit above it (a street's
  // family doctor). One message whether it does not exist or belongs elsewhere.
  if (input.accountId !== undefined) {
    const [acc] = await ctx.database.query<{ path: string }>(
      "select u.path from accounts a join org_units u on u.id = a.org_unit_id where a.id = $1 and not a.disabled",
      [input.accountId],
    );
    if (!acc || !(inScope(unit.path, acc.path) || inScope(acc.path, unit.path)))
      fields.push({ field: "accountId", message: "账号不存在或不属于本社区（及其上级街道）" });
  }
  if (fields.length) invalidFields(fields);
  const id = await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Tx;
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into care_team_members (community_id, org_path, team_role, name, phone, account_id)
        values (${unit.id}, ${unit.path}, ${input.teamRole}, ${name}, ${phone}, ${input.accountId ?? null}) returning id`,
    );
    await audit.record(tx, actor, {
      action: "create",
      entity: "care_team_member",
      entityId: row.id,
      orgPath: unit.path,
      after: { teamRole: input.teamRole, name },
    });
    return row.id;
  });
  const [m] = await ctx.database.query<MemberRow>(
    `select ${MEMBER_COLUMNS} from care_team_members m where m.id = $1`,
    [id],
  );
  return presentMember(m);
}

async function rosterBetween(ctx: AppContext, communityId: number, from: string, to: string) {
  return ctx.database.query<RosterRow>(
    `select e.id, e.member_id as "memberId", e.date::text as date, e.shift, m.team_role as "teamRole", m.name, m.phone
     from care_roster e join care_team_members m on m.id = e.member_id
     where e.community_id = $1 and e.date between $2 and $3 and m.active
     order by e.date, e.shift, array_position(array['staff','doctor','volunteer','police'], m.team_role), m.id`,
    [communityId, from, to],
  );
}

function range(from: string | undefined, to: string | undefined, now: Date) {
  const f = from ?? shanghaiDate(now);
  const t = to ?? dateOfDay((dayOfDate(f) ?? shanghaiDayNumber(now)) + 6);
  const fd = dayOfDate(f);
  const td = dayOfDate(t);
  const fields = [];
  if (fd === null) fields.push({ field: "from", message: "开始日期应为 YYYY-MM-DD" });
  if (td === null) fields.push({ field: "to", message: "结束日期应为 YYYY-MM-DD" });
  if (fd !== null && td !== null && (td < fd || td - fd > 92))
    fields.push({ field: "to", message: "日期范围应在 0–92 天之间" });
  if (fields.length) invalidFields(fields);
  return { from: f, to: t };
}

export async function getTeam(
  ctx: AppContext,
  actor: Actor,
  communityId: number,
  q: { from?: string; to?: string },
  now = new Date(),
) {
  carePolicy.authorize(actor, "read");
  const unit = await communityUnit(ctx, actor, communityId);
  const { from, to } = range(q.from, q.to, now);
  const [members, roster] = await Promise.all([
    ctx.database.query<MemberRow>(
      `select ${MEMBER_COLUMNS} from care_team_members m where m.community_id = $1 and m.active order by m.id`,
      [unit.id],
    ),
    rosterBetween(ctx, unit.id, from, to),
  ]);
  return {
    community: { id: unit.id, name: unit.name },
    from,
    to,
    members: members.map(presentMember),
    roster: roster.map(presentEntry),
    gaps: rosterGaps(roster, from, to).map(presentGap),
  };
}

/** Replaces the roster between two dates with the given entries (a week's plan saved at once). */
export async function setRoster(
  ctx: AppContext,
  actor: Actor,
  communityId: number,
  input: { from: string; to: string; entries: { date: string; shift: string; memberId: number }[] },
  now = new Date(),
) {
  carePolicy.authorize(actor, "manage");
  const unit = await communityUnit(ctx, actor, communityId);
  const { from, to } = range(input.from, input.to, now);
  const members = await ctx.database.query<{ id: number }>(
    "select id from care_team_members where community_id = $1 and active",
    [unit.id],
  );
  const known = new Set(members.map((m) => m.id));
  const fields = [];
  for (const [i, e] of input.entries.entries()) {
    if (dayOfDate(e.date) === null || e.date < from || e.date > to)
      fields.push({ field: `entries[${i}].date`, message: `日期应在 ${from} 至 ${to} 之间` });
    if (!(SHIFTS as readonly string[]).includes(e.shift))
      fields.push({ field: `entries[${i}].shift`, message: "班次应为 白班 或 晚班" });
    if (!known.has(e.memberId))
      fields.push({ field: `entries[${i}].memberId`, message: "该成员不在本社区专班中" });
  }
  if (fields.length) invalidFields(fields);
  await ctx.database.db.transaction(async (tx) => {
    await tx.execute(
      sql`delete from care_roster where community_id = ${unit.id} and date between ${from} and ${to}`,
    );
    for (const e of input.entries)
      await tx.execute(sql`insert into care_roster (community_id, member_id, date, shift) values (${unit.id}, ${e.memberId}, ${e.date}, ${e.shift})
        on conflict do nothing`);
    await audit.record(tx as any, actor, {
      action: "update",
      entity: "care_roster",
      entityId: unit.id,
      orgPath: unit.path,
      after: { from, to, entries: input.entries.length },
    });
  });
  return getTeam(ctx, actor, communityId, { from, to }, now);
}

/** Public: who answers now and on the next shift, so the page covers 24 h. No session, no resident data. */
export async function onDutyPublic(ctx: AppContext, communityId: number, now = new Date()) {
  const [unit] = await ctx.database.query<{ id: number; name: string; kind: string }>(
    "select id, name, kind from org_units where id = $1",
    [communityId],
  );
  if (unit?.kind !== "community") throw NotFound("社区不存在");
  const current = shiftAt(now);
  const next = shiftAt(shiftWindow(current)!.end);
  const roster = await rosterBetween(ctx, unit.id, current.date, next.date);
  const view = (slot: ShiftSlot, at: Date) => presentOnDutySlot(slot, shiftWindow(slot)!, onDuty(roster, at));
  return {
    // The hotline answers when a shift has nobody on it (and always): a number, not "call the community".
    community: { id: unit.id, name: unit.name, dutyPhone: await dutyPhoneOf(ctx, unit.id) },
    at: now,
    current: view(current, now),
    next: view(next, shiftWindow(next)!.start),
  };
}

/** The community's team by role, for the contact card: on-duty first, then the rest. */
export async function teamForCard(ctx: AppContext, communityId: number) {
  return ctx.database.query<MemberRow>(
    `select ${MEMBER_COLUMNS} from care_team_members m where m.community_id = $1 and m.active order by m.id`,
    [communityId],
  );
}

/**
 * Whether an account is on the care team's duty now in the community at `communityPath` (for other modules:
 * a medicine request goes to the care team on duty). `rostered` says whether anyone is rostered on this
 * shift at all: a community that keeps no roster has no one to be off duty.
 */
export async function dutyOf(
  ctx: AppContext,
  accountId: number,
  communityPath: string,
  now = new Date(),
): Promise<{ rostered: boolean; onDuty: boolean }> {
  const slot = shiftAt(now);
  const [r] = await ctx.database.query<{ rostered: boolean; onDuty: boolean }>(
    `select count(*) > 0 as rostered, coalesce(bool_or(m.account_id = $4), false) as "onDuty"
     from care_roster e join care_team_members m on m.id = e.member_id join org_units o on o.id = e.community_id
     where o.path = $1 and e.date = $2 and e.shift = $3 and m.active`,
    [communityPath, slot.date, slot.shift, accountId],
  );
  return { rostered: !!r?.rostered, onDuty: !!r?.onDuty };
}
