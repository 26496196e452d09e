import { sql } from "drizzle-orm";
import {
  attendanceFigures,
  checkInOpen,
  type EventKind,
  inAudience,
} from "../../../domain/mutualAid/events.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import * as notifications from "../notifications/index.ts";
import { actorId, inTx, pattern, pgArray, reachWhere, rows, type Tx, unitInScope } from "./common.ts";
import { mutualAidPolicy } from "./policy.ts";
import { remindersOf } from "./reminders.ts";

// Events 义诊 / 便民集市 / talks: a capacity, an audience (the residents of a scope, or those with given
// tags), sign-up by the resident or by a grid worker for them, a waitlist that moves up in order when a
// confirmed place is cancelled, check-in and attendance figures. A place is taken in one statement
// (… where taken < capacity, re-checked under the row lock), so concurrent sign-ups never overfill it.

export interface EventRow {
  id: number;
  kind: EventKind;
  title: string;
  description: string | null;
  place: string;
  orgUnitId: number;
  orgPath: string;
  unitName: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  taken: number;
  waitlisted: number;
  audienceTags: string[];
  state: string;
  createdByName: string | null;
}

export const EVENT_COLS = `e.id, e.kind, e.title, e.description, e.place, e.org_unit_id as "orgUnitId", e.org_path as "orgPath",
  o.name as "unitName", e.starts_at as "startsAt", e.ends_at as "endsAt", e.capacity, e.taken,
  (select count(*)::int from event_signups w where w.event_id = e.id and w.state = 'waitlisted') as waitlisted,
  e.audience_tags as "audienceTags", e.state, e.created_by_name as "createdByName"`;
export const EVENT_FROM = "community_events e join org_units o on o.id = e.org_unit_id";

export interface NewEvent {
  kind: EventKind;
  title: string;
  description?: string;
  place: string;
  orgUnitId: number;
  startsAt: string;
  endsAt: string;
  capacity: number;
  audienceTags: string[];
}

export async function publishEvent(ctx: AppContext, who: Principal, e: NewEvent, now = new Date()) {
  mutualAidPolicy.authorize(who, "manageEvents");
  const unit = await unitInScope(ctx, who, e.orgUnitId, "orgUnitId", ["street", "community", "grid"]);
  const startsAt = new Date(e.startsAt);
  const endsAt = new Date(e.endsAt);
  if (Number.isNaN(startsAt.getTime()) || Number.isNaN(endsAt.getTime()))
    throw Invalid("时间不合法", [{ field: "startsAt", message: "时间不合法" }]);
  if (!(endsAt > startsAt))
    throw Invalid("结束时间须晚于开始时间", [{ field: "endsAt", message: "结束时间须晚于开始时间" }]);
  if (endsAt < now) throw Invalid("不能发布已经结束的活动", [{ field: "endsAt", message: "结束时间已过" }]);
  return inTx(ctx, async (tx) => {
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into community_events (kind, title, description, place, org_unit_id, org_path, starts_at, ends_at, capacity,
          audience_tags, created_by, created_by_name)
        values (${e.kind}, ${e.title.trim()}, ${e.description?.trim() || null}, ${e.place.trim()}, ${unit.id}, ${unit.path},
          ${startsAt}, ${endsAt}, ${e.capacity}, ${pgArray(e.audienceTags)}::text[], ${actorId(who)}, ${who.displayName})
        returning id`,
    );
    await audit.record(tx, who, {
      action: "publish",
      entity: "community_event",
      entityId: row.id,
      orgPath: unit.path,
      after: e,
    });
    return row;
  });
}

export async function loadEvent(ctx: AppContext, who: Pick<Principal, "orgPath">, id: number) {
  const params: unknown[] = [id];
  const [e] = await ctx.database.query<EventRow>(
    `select ${EVENT_COLS} from ${EVENT_FROM} where e.id = $1 and ${reachWhere(who, "e.org_path", params)}`,
    params,
  );
  if (!e) throw NotFound("活动不存在");
  return e;
}

export async function listEvents(ctx: AppContext, who: Principal, q: { past?: boolean }, now = new Date()) {
  mutualAidPolicy.authorize(who, "read");
  const params: unknown[] = [new Date(now.getTime() - (q.past ? 90 : 1) * 86_400_000)];
  return ctx.database.query<EventRow>(
    `select ${EVENT_COLS} from ${EVENT_FROM} where ${reachWhere(who, "e.org_path", params)} and e.ends_at >= $1
     order by e.starts_at, e.id limit 200`,
    params,
  );
}

export interface SignupRow {
  id: number;
  residentId: number;
  residentName: string;
  state: "confirmed" | "waitlisted" | "cancelled";
  signedUpByName: string;
  checkedInAt: Date | null;
  createdAt: Date;
}

export async function eventDetail(ctx: AppContext, who: Principal, id: number) {
  mutualAidPolicy.authorize(who, "read");
  const event = await loadEvent(ctx, who, id);
  const signups = await ctx.database.query<SignupRow>(
    `select s.id, s.resident_id as "residentId", r.name as "residentName", s.state, s.signed_up_by_name as "signedUpByName",
       s.checked_in_at as "checkedInAt", s.created_at as "createdAt"
     from event_signups s join residents r on r.id = s.resident_id where s.event_id = $1 order by s.id`,
    [id],
  );
  const figures = attendanceFigures(
    event.capacity,
    signups.map((s) => ({ state: s.state, checkedIn: s.checkedInAt !== null })),
  );
  const reminders = await remindersOf(ctx, id);
  return { event, signups, figures, reminders };
}

/** The place itself, in the caller's transaction: confirmed while places remain, else waitlisted. */
export async function signUpIn(
  tx: Tx,
  who: Principal,
  event: EventRow,
  resident: { id: number; tags: string[]; orgPath: string },
  now = new Date(),
) {
  if (event.state !== "open" || new Date(event.endsAt) < now) throw Conflict("活动已结束或已取消，不能报名");
  if (!inAudience(event.audienceTags, resident.tags))
    throw Conflict("该活动面向特定人群，该居民不在报名范围内");
  const [s] = await rows<{ id: number; state: "confirmed" | "waitlisted" }>(
    tx,
    sql`with seat as (
        update community_events set taken = taken + 1, updated_at = now()
        where id = ${event.id} and state = 'open' and taken < capacity
          and not exists (select 1 from event_signups x where x.event_id = ${event.id} and x.resident_id = ${resident.id}
            and x.state in ('confirmed', 'waitlisted'))
        returning id)
      insert into event_signups (event_id, resident_id, org_path, state, signed_up_by, signed_up_by_name)
      values (${event.id}, ${resident.id}, ${resident.orgPath},
        case when exists (select 1 from seat) then 'confirmed' else 'waitlisted' end, ${actorId(who)}, ${who.displayName})
      on conflict (event_id, resident_id) do update set state = excluded.state, checked_in_at = null,
        signed_up_by = excluded.signed_up_by, signed_up_by_name = excluded.signed_up_by_name, updated_at = now()
        where event_signups.state = 'cancelled'
      returning id, state`,
  );
  if (!s) throw Conflict("该居民已报名此活动");
  await audit.record(tx, who, {
    action: "sign_up",
    entity: "event_signup",
    entityId: s.id,
    orgPath: event.orgPath,
    after: { eventId: event.id, residentId: resident.id, state: s.state },
  });
  return s;
}

/** A grid worker signs a resident of their subtree up. */
export async function signUpFor(
  ctx: AppContext,
  who: Principal,
  eventId: number,
  residentId: number,
  now = new Date(),
) {
  mutualAidPolicy.authorize(who, "signUp");
  const event = await loadEvent(ctx, who, eventId);
  const [r] = await ctx.database.query<{ id: number; tags: string[]; orgPath: string }>(
    `select id, tags, org_path as "orgPath" from residents where id = $1 and org_path like $2`,
    [residentId, pattern(who)],
  );
  if (!r) throw Invalid("居民不存在", [{ field: "residentId", message: "居民不存在或不在您的辖区" }]);
  if (!r.orgPath.startsWith(event.orgPath)) throw Conflict("该居民不在活动面向的辖区内");
  return inTx(ctx, (tx) => signUpIn(tx, who, event, r, now));
}

/**
 * Cancels a place. A confirmed place goes to the first of the waitlist (in sign-up order) in the same
 * transaction under the event's row lock, so two cancellations at once never promote one person twice or
 * lose a place.
 */
export async function cancelIn(tx: Tx, who: Principal, event: EventRow, residentId: number) {
  await tx.execute(sql`select id from community_events where id = ${event.id} for update`);
  const [old] = await rows<{ id: number; state: string }>(
    tx,
    sql`select id, state from event_signups where event_id = ${event.id} and resident_id = ${residentId}
      and state in ('confirmed', 'waitlisted')`,
  );
  if (!old) throw Conflict("该居民没有报名此活动");
  await tx.execute(
    sql`update event_signups set state = 'cancelled', updated_at = now() where id = ${old.id}`,
  );
  let promoted: { id: number; residentId: number } | undefined;
  if (old.state === "confirmed") {
    [promoted] = await rows<{ id: number; residentId: number }>(
      tx,
      sql`update event_signups set state = 'confirmed', updated_at = now()
        where id = (select id from event_signups where event_id = ${event.id} and state = 'waitlisted' order by id limit 1)
        returning id, resident_id as "residentId"`,
    );
    if (!promoted)
      await tx.execute(
        sql`update community_events set taken = taken - 1, updated_at = now() where id = ${event.id}`,
      );
    else {
      const [ph] = await rows<{ phoneCipher: string | null }>(
        tx,
        sql`select phone_cipher as "phoneCipher" from residents where id = ${promoted.residentId}`,
      );
      if (ph?.phoneCipher)
        await notifications.enqueue(tx, {
          kind: "event.promoted",
          recipientPhoneCipher: ph.phoneCipher,
          orgPath: event.orgPath,
          title: "候补转正",
          body: `有居民取消了「${event.title}」的报名，您已从候补转为正式报名，请准时参加`,
        });
    }
  }
  await audit.record(tx, who, {
    action: "cancel",
    entity: "event_signup",
    entityId: old.id,
    orgPath: event.orgPath,
    after: { promoted: promoted?.id ?? null },
  });
  return { state: "cancelled" as const, promotedSignupId: promoted?.id ?? null };
}

export async function cancelFor(ctx: AppContext, who: Principal, eventId: number, residentId: number) {
  mutualAidPolicy.authorize(who, "signUp");
  const event = await loadEvent(ctx, who, eventId);
  return inTx(ctx, (tx) => cancelIn(tx, who, event, residentId));
}

export async function checkIn(
  ctx: AppContext,
  who: Principal,
  eventId: number,
  signupId: number,
  now = new Date(),
) {
  mutualAidPolicy.authorize(who, "manageEvents");
  const event = await loadEvent(ctx, who, eventId);
  if (!checkInOpen(now, new Date(event.startsAt), new Date(event.endsAt)))
    throw Conflict("签到在活动开始前 1 小时至结束之间进行");
  return inTx(ctx, async (tx) => {
    const [s] = await rows<{ id: number }>(
      tx,
      sql`update event_signups set checked_in_at = ${now}, updated_at = now()
        where id = ${signupId} and event_id = ${eventId} and state = 'confirmed' and checked_in_at is null returning id`,
    );
    if (!s) throw Conflict("只有已确认报名且尚未签到的居民可以签到");
    await audit.record(tx, who, {
      action: "check_in",
      entity: "event_signup",
      entityId: signupId,
      orgPath: event.orgPath,
    });
    return { id: signupId, checkedInAt: now };
  });
}
