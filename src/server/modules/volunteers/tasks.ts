import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import {
  attendanceMessage,
  checkIn as checkInRule,
  checkOut as checkOutRule,
  serviceMinutes,
  taskToken,
  tokenTaskId,
  tokenValid,
} from "../../../domain/volunteers/attendance.ts";
import { canCancel } from "../../../domain/volunteers/claims.ts";
import { pointsForMinutes } from "../../../domain/volunteers/ledger.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import * as notifications from "../notifications/index.ts";
import {
  actorId,
  actorName,
  communityOf,
  confirmedMember,
  inTx,
  type MemberRow,
  myMember,
  pattern,
  pgArray,
  rows,
  settingsOf,
  unitInScope,
} from "./common.ts";
import { award } from "./ledger.ts";
import { volunteerPolicy } from "./policy.ts";

// Tasks and posts 岗位: published by a community or grid with a place, a time slot, a headcount and skills;
// claimed under a hard capacity (one UPDATE … WHERE claimed < capacity, so concurrent claims never overbook);
// a waitlist that moves up on a cancellation; check-in/out by the QR code shown at the place within the
// slot; hours confirmed by the publisher, which awards the points once.

export interface TaskRow {
  id: number;
  kind: string;
  title: string;
  description: string | null;
  place: string;
  orgUnitId: number;
  orgPath: string;
  unitName: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  claimed: number;
  waitlisted: number;
  requiredSkills: string[];
  cancelCutoffMinutes: number;
  state: string;
  qrNonce: string;
  createdByName: string | null;
}

const TASK_COLS = `t.id, t.kind, t.title, t.description, t.place, t.org_unit_id as "orgUnitId", t.org_path as "orgPath",
  o.name as "unitName", t.starts_at as "startsAt", t.ends_at as "endsAt", t.capacity, t.claimed,
  (select count(*)::int from volunteer_claims w where w.task_id = t.id and w.state = 'waitlisted') as waitlisted,
  t.required_skills as "requiredSkills", t.cancel_cutoff_minutes as "cancelCutoffMinutes", t.state, t.qr_nonce as "qrNonce",
  t.created_by_name as "createdByName"`;

export const qrKey = (ctx: AppContext) => ctx.crypto.hash("volunteer-task-qr-key");

/** The text of a task's QR code (the CLI and tests print it; the publisher sees it on the task page). */
export async function qrTokenFor(ctx: AppContext, taskId: number): Promise<string> {
  const [t] = await ctx.database.query<{ qrNonce: string }>(
    'select qr_nonce as "qrNonce" from volunteer_tasks where id = $1',
    [taskId],
  );
  if (!t) throw NotFound("任务不存在");
  return taskToken(qrKey(ctx), taskId, t.qrNonce);
}

export interface NewTask {
  kind: "task" | "post";
  title: string;
  description?: string;
  place: string;
  orgUnitId: number;
  startsAt: string;
  endsAt: string;
  capacity: number;
  requiredSkills: string[];
  cancelCutoffMinutes?: number;
}

export async function publish(ctx: AppContext, who: Principal, t: NewTask, now = new Date()) {
  volunteerPolicy.authorize(who, "manage");
  const unit = await unitInScope(ctx, who, t.orgUnitId, "orgUnitId", ["community", "grid"]);
  const startsAt = new Date(t.startsAt);
  const endsAt = new Date(t.endsAt);
  if (Number.isNaN(startsAt.getTime()) || Number.isNaN(endsAt.getTime()))
    throw Invalid("时间不合法", [{ field: "startsAt", message: "时间不合法" }]);
  if (!(endsAt > startsAt))
    throw Invalid("结束时间须晚于开始时间", [{ field: "endsAt", message: "结束时间须晚于开始时间" }]);
  if (endsAt.getTime() - startsAt.getTime() > 24 * 3600_000)
    throw Invalid("一个时段不超过 24 小时", [{ field: "endsAt", message: "一个时段不超过 24 小时" }]);
  if (endsAt < now) throw Invalid("不能发布已经结束的任务", [{ field: "endsAt", message: "结束时间已过" }]);
  return inTx(ctx, async (tx) => {
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into volunteer_tasks (kind, title, description, place, org_unit_id, org_path, starts_at, ends_at, capacity,
        required_skills, cancel_cutoff_minutes, qr_nonce, created_by, created_by_name)
        values (${t.kind}, ${t.title.trim()}, ${t.description?.trim() || null}, ${t.place.trim()}, ${unit.id}, ${unit.path},
          ${startsAt}, ${endsAt}, ${t.capacity}, ${pgArray(t.requiredSkills)}::text[], ${t.cancelCutoffMinutes ?? 120},
          ${crypto.randomBytes(6).toString("base64url")}, ${actorId(who)}, ${actorName(who)}) returning id`,
    );
    await audit.record(tx, who, {
      action: "publish",
      entity: "volunteer_task",
      entityId: row.id,
      orgPath: unit.path,
      after: t,
    });
    return row;
  });
}

async function loadTask(ctx: AppContext, who: Principal, id: number): Promise<TaskRow> {
  const [t] = await ctx.database.query<TaskRow>(
    `select ${TASK_COLS} from volunteer_tasks t join org_units o on o.id = t.org_unit_id where t.id = $1 and t.org_path like $2`,
    [id, pattern(who)],
  );
  if (!t) throw NotFound("任务不存在");
  return t;
}

export async function listTasks(ctx: AppContext, who: Principal, q: { all?: boolean }, now = new Date()) {
  volunteerPolicy.authorize(who, "browse");
  const member = volunteerPolicy.can(who, "self") ? await myMember(ctx, who) : null;
  const params: unknown[] = [
    pattern(who),
    new Date(now.getTime() - (q.all ? 30 : 1) * 24 * 3600_000),
    member?.id ?? 0,
  ];
  const items = await ctx.database.query<
    TaskRow & {
      myState: string | null;
      myCheckInAt: Date | null;
      myCheckOutAt: Date | null;
      myMinutes: number | null;
      myConfirmed: boolean;
    }
  >(
    `select ${TASK_COLS}, c.state as "myState", c.check_in_at as "myCheckInAt", c.check_out_at as "myCheckOutAt",
       c.minutes as "myMinutes", (c.confirmed_at is not null) as "myConfirmed"
     from volunteer_tasks t join org_units o on o.id = t.org_unit_id
     left join volunteer_claims c on c.task_id = t.id and c.member_id = $3
     where t.org_path like $1 and t.ends_at >= $2 and t.state <> 'cancelled'
     order by t.starts_at, t.id limit 200`,
    params,
  );
  return items.map(({ qrNonce: _n, ...t }) => ({ ...t, myConfirmed: !!t.myConfirmed }));
}

export async function taskDetail(ctx: AppContext, who: Principal, id: number) {
  volunteerPolicy.authorize(who, "read");
  const { qrNonce, ...task } = await loadTask(ctx, who, id);
  const claims = await ctx.database.query<{
    id: number;
    memberId: number;
    name: string;
    state: string;
    checkInAt: Date | null;
    checkOutAt: Date | null;
    minutes: number | null;
    confirmedAt: Date | null;
  }>(
    `select c.id, c.member_id as "memberId", m.name, c.state, c.check_in_at as "checkInAt", c.check_out_at as "checkOutAt",
       c.minutes, c.confirmed_at as "confirmedAt"
     from volunteer_claims c join volunteer_members m on m.id = c.member_id where c.task_id = $1 order by c.id`,
    [id],
  );
  return {
    task,
    claims,
    qrToken: volunteerPolicy.can(who, "manage") ? taskToken(qrKey(ctx), id, qrNonce) : null,
  };
}

/**
 * The claim itself, for a confirmed member: one statement takes a place while places remain (the UPDATE's
 * WHERE is re-checked under the row lock, so concurrent claims never overbook) or joins the waitlist.
 */
export async function claimFor(
  ctx: AppContext,
  who: Principal,
  member: MemberRow,
  taskId: number,
  now = new Date(),
) {
  const task = await loadTask(ctx, who, taskId);
  if (task.state !== "open" || task.endsAt < now) throw Conflict("该任务已结束或已取消，不能认领");
  const missing = task.requiredSkills.filter((s) => !member.skills.includes(s));
  if (missing.length) throw Conflict(`该任务需要以下技能：${missing.join("、")}`);
  return inTx(ctx, async (tx) => {
    const [c] = await rows<{ id: number; state: "claimed" | "waitlisted" }>(
      tx,
      sql`with taken as (
          update volunteer_tasks set claimed = claimed + 1, updated_at = now()
          where id = ${taskId} and state = 'open' and claimed < capacity
            and not exists (select 1 from volunteer_claims x where x.task_id = ${taskId} and x.member_id = ${member.id} and x.state in ('claimed', 'waitlisted'))
          returning id)
        insert into volunteer_claims (task_id, member_id, org_path, state)
        values (${taskId}, ${member.id}, ${task.orgPath}, case when exists (select 1 from taken) then 'claimed' else 'waitlisted' end)
        on conflict (task_id, member_id) do update set state = excluded.state, check_in_at = null, check_out_at = null,
          minutes = null, updated_at = now()
          where volunteer_claims.state = 'cancelled'
        returning id, state`,
    );
    if (!c) throw Conflict("您已认领该任务");
    await audit.record(tx, who, {
      action: "claim",
      entity: "volunteer_claim",
      entityId: c.id,
      orgPath: task.orgPath,
      after: { taskId, state: c.state },
    });
    return c;
  });
}

export async function claim(ctx: AppContext, who: Principal, taskId: number, now = new Date()) {
  volunteerPolicy.authorize(who, "self");
  const member = await confirmedMember(ctx, who);
  return claimFor(ctx, who, member, taskId, now);
}

export async function cancelClaim(ctx: AppContext, who: Principal, taskId: number, now = new Date()) {
  volunteerPolicy.authorize(who, "self");
  const member = await confirmedMember(ctx, who);
  const task = await loadTask(ctx, who, taskId);
  if (!canCancel(now, task.startsAt, task.cancelCutoffMinutes))
    throw Conflict(`任务开始前 ${task.cancelCutoffMinutes} 分钟内不能取消，请联系发布人`);
  return inTx(ctx, async (tx) => {
    await tx.execute(sql`select id from volunteer_tasks where id = ${taskId} for update`);
    const [old] = await rows<{ id: number; state: string }>(
      tx,
      sql`select id, state from volunteer_claims where task_id = ${taskId} and member_id = ${member.id} and state in ('claimed', 'waitlisted')`,
    );
    if (!old) throw Conflict("您没有认领该任务");
    await tx.execute(
      sql`update volunteer_claims set state = 'cancelled', updated_at = now() where id = ${old.id}`,
    );
    let promoted: { id: number; accountId: number | null } | undefined;
    if (old.state === "claimed") {
      [promoted] = await rows<{ id: number; accountId: number | null }>(
        tx,
        sql`update volunteer_claims c set state = 'claimed', updated_at = now() from volunteer_members m
          where c.id = (select id from volunteer_claims where task_id = ${taskId} and state = 'waitlisted' order by id limit 1)
            and m.id = c.member_id returning c.id, m.account_id as "accountId"`,
      );
      if (!promoted)
        await tx.execute(
          sql`update volunteer_tasks set claimed = claimed - 1, updated_at = now() where id = ${taskId}`,
        );
      else if (promoted.accountId)
        await notifications.enqueue(tx, {
          kind: "volunteer.promoted",
          recipientAccountId: promoted.accountId,
          orgPath: task.orgPath,
          title: "候补转正",
          body: `有人取消了「${task.title}」，您已从候补转为正式认领`,
        });
    }
    await audit.record(tx, who, {
      action: "cancel",
      entity: "volunteer_claim",
      entityId: old.id,
      orgPath: task.orgPath,
      after: { promoted: promoted?.id ?? null },
    });
    return { state: "cancelled", promotedClaimId: promoted?.id ?? null };
  });
}

/** Check-in or check-out by the QR code at the place: the code must be this task's, the time in its window. */
export async function attend(
  ctx: AppContext,
  who: Principal,
  token: string,
  step: "in" | "out",
  now = new Date(),
) {
  volunteerPolicy.authorize(who, "self");
  const member = await confirmedMember(ctx, who);
  const bad = () =>
    Invalid("二维码无效：请扫描任务现场张贴的签到码", [{ field: "token", message: "二维码无效" }]);
  const taskId = tokenTaskId(token);
  if (!taskId) throw bad();
  const [task] = await ctx.database.query<TaskRow>(
    `select ${TASK_COLS} from volunteer_tasks t join org_units o on o.id = t.org_unit_id where t.id = $1 and t.org_path like $2`,
    [taskId, pattern(who)],
  );
  if (!task || !tokenValid(qrKey(ctx), token, taskId, task.qrNonce)) throw bad();
  return inTx(ctx, async (tx) => {
    const [c] = await rows<{ id: number; state: string; checkInAt: Date | null; checkOutAt: Date | null }>(
      tx,
      sql`select id, state, check_in_at as "checkInAt", check_out_at as "checkOutAt" from volunteer_claims
        where task_id = ${taskId} and member_id = ${member.id} for update`,
    );
    if (c?.state !== "claimed")
      throw Conflict(c?.state === "waitlisted" ? "您还在候补名单中，不能签到" : "您没有认领该任务，不能签到");
    const slot = { startsAt: new Date(task.startsAt), endsAt: new Date(task.endsAt) };
    const at = {
      checkInAt: c.checkInAt ? new Date(c.checkInAt) : null,
      checkOutAt: c.checkOutAt ? new Date(c.checkOutAt) : null,
    };
    const err = step === "in" ? checkInRule(now, slot, at) : checkOutRule(now, slot, at);
    if (err) throw Conflict(attendanceMessage(err, slot));
    const minutes = step === "out" ? serviceMinutes(slot, at.checkInAt!, now) : null;
    if (step === "in")
      await tx.execute(
        sql`update volunteer_claims set check_in_at = ${now}, updated_at = now() where id = ${c.id}`,
      );
    else
      await tx.execute(
        sql`update volunteer_claims set check_out_at = ${now}, minutes = ${minutes}, updated_at = now() where id = ${c.id}`,
      );
    await audit.record(tx, who, {
      action: step === "in" ? "check_in" : "check_out",
      entity: "volunteer_claim",
      entityId: c.id,
      orgPath: task.orgPath,
      after: { taskId, minutes },
    });
    return { claimId: c.id, taskId, title: task.title, step, at: now, minutes };
  });
}

/** The publisher confirms the hours (optionally corrected): the points are awarded once, by the claim as source. */
export async function confirmHours(
  ctx: AppContext,
  who: Principal,
  claimId: number,
  minutesOverride?: number,
) {
  volunteerPolicy.authorize(who, "manage");
  return inTx(ctx, async (tx) => {
    const [c] = await rows<{
      id: number;
      memberId: number;
      minutes: number | null;
      checkOutAt: Date | null;
      confirmedAt: Date | null;
      orgPath: string;
      title: string;
      startsAt: Date;
      endsAt: Date;
    }>(
      tx,
      sql`select c.id, c.member_id as "memberId", c.minutes, c.check_out_at as "checkOutAt", c.confirmed_at as "confirmedAt",
          c.org_path as "orgPath", t.title, t.starts_at as "startsAt", t.ends_at as "endsAt"
        from volunteer_claims c join volunteer_tasks t on t.id = c.task_id
        where c.id = ${claimId} and c.org_path like ${pattern(who)} for update of c`,
    );
    if (!c) throw NotFound("认领记录不存在");
    if (c.confirmedAt) throw Conflict("该时长已确认");
    if (!c.checkOutAt) throw Conflict("尚未签退，不能确认时长");
    const slotMinutes = Math.floor((new Date(c.endsAt).getTime() - new Date(c.startsAt).getTime()) / 60_000);
    const minutes = minutesOverride ?? c.minutes ?? 0;
    if (minutes > slotMinutes)
      throw Invalid(`时长不能超过任务时段（${slotMinutes} 分钟）`, [
        { field: "minutes", message: "超过任务时段" },
      ]);
    const community = await communityOf(tx, c.orgPath);
    const rules = await settingsOf(tx, community.id);
    const points = pointsForMinutes(minutes, rules.pointsPerHour);
    await tx.execute(
      sql`update volunteer_claims set minutes = ${minutes}, confirmed_at = now(), confirmed_by = ${actorId(who)}, updated_at = now() where id = ${c.id}`,
    );
    const posted = await award(tx, who, {
      memberId: c.memberId,
      community,
      points,
      minutes,
      source: `claim:${c.id}`,
      memo: `志愿服务「${c.title}」${Math.round(minutes / 6) / 10} 小时`,
    });
    await audit.record(tx, who, {
      action: "confirm_hours",
      entity: "volunteer_claim",
      entityId: c.id,
      orgPath: c.orgPath,
      after: { minutes, points, posted },
    });
    return { claimId: c.id, minutes, points: posted ? points : 0 };
  });
}

/** After the slot: claims never checked in become no-shows and the task closes. */
export async function closeTask(ctx: AppContext, who: Principal, taskId: number, now = new Date()) {
  volunteerPolicy.authorize(who, "manage");
  const task = await loadTask(ctx, who, taskId);
  if (new Date(task.endsAt) > now) throw Conflict("任务尚未结束");
  return inTx(ctx, async (tx) => {
    const noShows = await rows<{ id: number }>(
      tx,
      sql`update volunteer_claims set state = 'no_show', updated_at = now() where task_id = ${taskId} and state = 'claimed' and check_in_at is null returning id`,
    );
    await tx.execute(
      sql`update volunteer_tasks set state = 'closed', updated_at = now() where id = ${taskId}`,
    );
    await audit.record(tx, who, {
      action: "close",
      entity: "volunteer_task",
      entityId: taskId,
      orgPath: task.orgPath,
      after: { noShows: noShows.length },
    });
    return { noShows: noShows.length };
  });
}
