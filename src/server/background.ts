import { sql } from "drizzle-orm";
import type { AppContext } from "./context.ts";
import { sweepOverdueVisits } from "./modules/care/index.ts";
import { runDailyReports } from "./modules/command/index.ts";
import { loadHolidays } from "./modules/holidays/index.ts";
import { runEventReminders } from "./modules/mutualAid/index.ts";
import { drainOutbox, logTransport, smsHttpTransport } from "./modules/notifications/index.ts";
import { syncUpstream } from "./modules/open311/index.ts";
import { sweepSla } from "./modules/workOrders/index.ts";
import { pruneFailures } from "./platform/failureCounts.ts";
import { pruneIdempotencyKeys } from "./platform/idempotency.ts";
import { timed } from "./platform/metrics.ts";
import { pruneCodes } from "./platform/oneTimeCodes.ts";

type Log = {
  debug(o: object, m: string): void;
  info(o: object, m: string): void;
  error(o: object, m: string): void;
};

/** Runs job every `ms`, never overlapping itself; errors are logged, not thrown. */
function every(ms: number, name: string, log: Log, job: () => Promise<unknown>) {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    // At debug level: when a job is under way (the fault tests kill a process in the middle of one).
    log.debug({}, `${name} started`);
    try {
      await timed(name, job);
    } catch (err) {
      log.error({ err }, `${name} failed`);
    } finally {
      running = false;
    }
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The server's periodic jobs. Each claims its rows with SKIP LOCKED or an advisory lock, so any number
 * of server processes may run them side by side.
 */
export function startBackground(ctx: AppContext, log: Log) {
  const transport = logTransport((m) => log.info({}, m));
  // Messages to residents' phones (receipts, reminders) go to the SMS gateway when one is configured.
  const sms = ctx.config.smsGateway ? smsHttpTransport(ctx.config.smsGateway, ctx.crypto) : null;
  const stops = [
    every(ctx.config.slaSweepIntervalMs ?? 15_000, "sla sweep", log, async () => {
      const s = await sweepSla(ctx);
      if (s.overdue || s.warned) log.info(s, "sla sweep");
    }),
    every(ctx.config.outboxIntervalMs ?? 10_000, "outbox delivery", log, async () => {
      if (!sms) return drainOutbox(ctx, transport);
      await drainOutbox(ctx, transport, 500, { where: sql`recipient_phone_cipher is null` });
      // Small batches: a batch is one transaction, and a process killed mid-batch sends its sent part
      // again (the gateway sees the same ref twice); 50 keeps that to a few seconds of messages.
      await drainOutbox(ctx, sms, 50, { where: sql`recipient_phone_cipher is not null` });
    }),
    // 上级交办: poll the upstream 12345 platforms, queue our steps on their orders, send them back.
    every(60_000, "upstream sync", log, async () => {
      const r = await syncUpstream(ctx, { onlyDue: true });
      const created = r.polls.reduce((n, p) => n + p.created, 0);
      for (const p of r.polls)
        if (p.error) log.error({ linkId: p.linkId, error: p.error }, "upstream poll failed");
      if (created || r.queued || r.sent || r.failed)
        log.info({ created, ...r, polls: undefined }, "upstream sync");
    }),
    // Reads every key resident, and visits are due by the day: a quarter-hour is plenty.
    every(15 * 60_000, "overdue visit sweep", log, () => sweepOverdueVisits(ctx)),
    every(15 * 60_000, "failure count pruning", log, () => pruneFailures(ctx.database)),
    every(15 * 60_000, "one-time code pruning", log, () => pruneCodes(ctx.database)),
    // 信息日报 from 08:00 (Asia/Shanghai): a minute's look is enough; made once whatever the process count.
    every(60_000, "daily report", log, async () => {
      const r = await runDailyReports(ctx);
      if (r.made) log.info(r, "daily reports made");
    }),
    // Event reminders the day before and 2 h before: a minute's look; each sent once whatever the process count.
    every(60_000, "event reminders", log, async () => {
      const r = await runEventReminders(ctx);
      if (r.reminders) log.info(r, "event reminders sent");
    }),
    every(15 * 60_000, "idempotency key pruning", log, () => pruneIdempotencyKeys(ctx.database)),
    // Another process may have entered holidays: its calendars follow within a minute.
    every(60_000, "holiday reload", log, () => loadHolidays(ctx)),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
