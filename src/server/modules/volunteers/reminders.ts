import { sql } from "drizzle-orm";
import { shanghaiDate } from "../../../domain/sla/time.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import * as notifications from "../notifications/index.ts";
import { DEFAULT_SETTINGS, inTx, pattern, rows } from "./common.ts";
import { quarterOf } from "./ledger.ts";
import { volunteerPolicy } from "./policy.ts";

// 每季一评比's other half: members whose service hours this quarter are below their community's minimum
// (volunteer_settings.quarterly_min_hours) get a reminder through the outbox, once per member and quarter.

const hoursOf = (minutes: number) => Math.round(minutes / 6) / 10;

/**
 * Sends the reminders for the quarter of `at` (default: this month's quarter) to confirmed members with a login in
 * the caller's subtree whose hours (from points_quarterly) are below the minimum. A member reminded before for the
 * same quarter is not reminded again: the reminder row is unique per member and quarter and written first, so two
 * sweeps at once send each message once.
 */
export async function remindBelowMinimum(ctx: AppContext, who: Principal, q: { at?: string }) {
  volunteerPolicy.authorize(who, "manage");
  const at = q.at ?? shanghaiDate(new Date()).slice(0, 7);
  const quarter = quarterOf(at);
  const label = `${quarter.slice(0, 4)} 年第 ${quarter.slice(6)} 季度`;
  // A community without its own settings row has the module's defaults, as settingsOf reads them.
  const minHours = DEFAULT_SETTINGS.quarterlyMinHours;
  return inTx(ctx, async (tx) => {
    const below = await rows<{
      memberId: number;
      accountId: number;
      orgPath: string;
      community: string;
      minutes: number;
      minMinutes: number;
    }>(
      tx,
      sql`select m.id as "memberId", m.account_id as "accountId", m.org_path as "orgPath", o.name as community,
          coalesce(pq.minutes, 0)::int as minutes, (coalesce(s.quarterly_min_hours, ${minHours}) * 60)::int as "minMinutes"
        from volunteer_members m
        join org_units o on o.id = m.community_id
        left join volunteer_settings s on s.community_id = m.community_id
        left join points_accounts a on a.kind = 'member' and a.member_id = m.id
        left join points_quarterly pq on pq.account_id = a.id and pq.quarter = ${quarter}
        where m.state = 'confirmed' and m.account_id is not null and m.org_path like ${pattern(who)}
          and coalesce(pq.minutes, 0) < coalesce(s.quarterly_min_hours, ${minHours}) * 60
        order by m.id`,
    );
    let sent = 0;
    for (const m of below) {
      const [fresh] = await rows<{ id: number }>(
        tx,
        sql`insert into volunteer_reminders (member_id, quarter, org_path, minutes, min_minutes)
          values (${m.memberId}, ${quarter}, ${m.orgPath}, ${m.minutes}, ${m.minMinutes})
          on conflict (member_id, quarter) do nothing returning id`,
      );
      if (!fresh) continue;
      await notifications.enqueue(tx, {
        kind: "volunteer.quarterly_reminder",
        recipientAccountId: m.accountId,
        orgPath: m.orgPath,
        title: "志愿服务时长提醒",
        body: `${label}您已参加志愿服务 ${hoursOf(m.minutes)} 小时，${m.community}要求每季度不少于 ${hoursOf(m.minMinutes)} 小时。打开“志愿任务”认领社区的任务吧。`,
      });
      sent++;
    }
    await audit.record(tx, who, {
      action: "remind",
      entity: "volunteer_reminder",
      entityId: null,
      orgPath: who.orgPath,
      after: { quarter, below: below.length, sent },
    });
    return { quarter, below: below.length, sent, alreadyReminded: below.length - sent };
  });
}
