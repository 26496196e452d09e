import { sql } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { insertPhoneMessagesSelect } from "../notifications/index.ts";
import { inTx, rows } from "./common.ts";

// Event reminders: the day before an event and 2 hours before it, every confirmed sign-up with a phone gets
// an SMS through the notifications outbox (one per phone; a phone opted out of notices is skipped and
// counted). Any number of server processes run the sweep: the (event, kind) row in event_reminders is the
// claim, inserted in the same transaction as the messages, so a reminder goes out once — a second process
// waits on the unique index, then finds it taken; a failed run rolls its claim back and is tried again.

const HOUR = 3_600_000;
export const REMINDERS = [
  { kind: "day_before", beforeMs: 24 * HOUR, when: "明天" },
  { kind: "two_hours", beforeMs: 2 * HOUR, when: "今天" },
] as const;
export type ReminderKind = (typeof REMINDERS)[number]["kind"];

const SYSTEM = systemPrincipal("event-reminders", "活动提醒");

const clock = (d: Date) =>
  new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  }).format(d);

/**
 * The reminder of each kind that is due at `now` and not yet sent: the day-before one from 24 h to 2 h before
 * the start (an event published later than that gets only the 2-hour one), the 2-hour one until the start.
 */
async function dueEvents(ctx: AppContext, kind: ReminderKind, now: Date) {
  const r = REMINDERS.find((x) => x.kind === kind)!;
  const to = new Date(now.getTime() + r.beforeMs);
  const from = kind === "day_before" ? new Date(now.getTime() + 2 * HOUR) : now;
  return ctx.database.query<{ id: number; title: string; place: string; startsAt: Date; orgPath: string }>(
    `select e.id, e.title, e.place, e.starts_at as "startsAt", e.org_path as "orgPath" from community_events e
     where e.state = 'open' and e.starts_at > $1 and e.starts_at <= $2
       and not exists (select 1 from event_reminders r where r.event_id = e.id and r.kind = $3)
     order by e.starts_at limit 200`,
    [from, to, kind],
  );
}

/** Sends every reminder due at `now` that no process has sent; returns what this process sent. */
export async function runEventReminders(ctx: AppContext, now = new Date()) {
  let reminders = 0;
  let messages = 0;
  let optedOut = 0;
  for (const r of REMINDERS)
    for (const e of await dueEvents(ctx, r.kind, now)) {
      const done = await inTx(ctx, async (tx) => {
        const [claim] = await rows<{ id: number }>(
          tx,
          sql`insert into event_reminders (event_id, kind, org_path) values (${e.id}, ${r.kind}, ${e.orgPath})
            on conflict (event_id, kind) do nothing returning id`,
        );
        if (!claim) return null;
        const start = new Date(e.startsAt);
        const text = `您报名的「${e.title}」将于${r.when} ${clock(start)}在${e.place}开始，请准时参加。如不能参加，请在居民端取消报名，把名额让给候补的居民。`;
        const [counts] = await rows<{ sent: number; optedOut: number }>(
          tx,
          sql`with people as (
              select distinct on (p.phone_hash) p.phone_hash, p.phone_cipher, p.name, p.gender,
                exists (select 1 from phone_opt_outs o where o.phone_hash = p.phone_hash) as opted
              from event_signups s join residents p on p.id = s.resident_id
              where s.event_id = ${e.id} and s.state = 'confirmed' and p.phone_cipher is not null
              order by p.phone_hash, s.id),
            sent as (
              ${sql.raw(insertPhoneMessagesSelect(""))}
              select 'event.reminder', null, phone_cipher, ${e.orgPath}, ${`活动提醒：${e.title}`},
                left(name, 1) || case when gender = 'female' then '女士' else '先生' end || '您好，' || ${text}
              from people where not opted
              returning 1)
            select (select count(*) from sent)::int as sent, (select count(*) from people where opted)::int as "optedOut"`,
        );
        await tx.execute(
          sql`update event_reminders set sent = ${counts.sent}, opted_out = ${counts.optedOut}, updated_at = now() where id = ${claim.id}`,
        );
        await audit.record(tx, SYSTEM, {
          action: "remind",
          entity: "community_event",
          entityId: e.id,
          orgPath: e.orgPath,
          after: { kind: r.kind, sent: counts.sent, optedOut: counts.optedOut },
        });
        return counts;
      });
      if (!done) continue;
      reminders++;
      messages += done.sent;
      optedOut += done.optedOut;
    }
  return { reminders, messages, optedOut };
}

/** What was sent for one event (the staff page's line under the event). */
export async function remindersOf(ctx: AppContext, eventId: number) {
  return ctx.database.query<{ kind: ReminderKind; sent: number; optedOut: number; at: Date }>(
    `select kind, sent, opted_out as "optedOut", created_at as at from event_reminders where event_id = $1 order by id`,
    [eventId],
  );
}
