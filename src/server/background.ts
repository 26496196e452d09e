import type { AppContext } from "./context.ts";
import { deliverPending, logTransport } from "./modules/notifications/service.ts";
import { sweepSla } from "./modules/workOrders/sweep.ts";

/**
 * The server's periodic jobs: the SLA sweep and outbox delivery. Both claim rows with SKIP LOCKED, so
 * any number of server processes may run them side by side.
 */
export function startBackground(
  ctx: AppContext,
  log: { info(o: object, m: string): void; error(o: object, m: string): void },
) {
  const transport = logTransport((m) => log.info({}, m));
  let running = false;
  const tick = async () => {
    if (running) return; // a slow run is never overlapped by the next tick
    running = true;
    try {
      const s = await sweepSla(ctx);
      if (s.overdue || s.warned) log.info(s, "sla sweep");
      await deliverPending(ctx, transport);
    } catch (err) {
      log.error({ err }, "background job failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, 15_000);
  timer.unref();
  return () => clearInterval(timer);
}
