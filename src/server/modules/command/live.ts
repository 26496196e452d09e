// Live figures: the database tells this process which unit an order changed in (a trigger's NOTIFY, so a
// change made by any server process arrives), and each open dashboard whose unit contains it is told
// "changed" — at most once per THROTTLE_MS, so a burst of 100 changes a second costs a dashboard one
// re-read every two seconds, not a hundred.
import type { AppContext } from "../../context.ts";

export const CHANNEL = "gk_orders";
export const THROTTLE_MS = 2000;

interface Listener {
  path: string;
  send: () => void;
  /** Ends the listener's stream (the server is shutting down). */
  end: () => void;
  last: number;
  timer?: NodeJS.Timeout;
}

interface Hub {
  listeners: Set<Listener>;
  stop?: Promise<() => Promise<void>>;
  /** Changes seen since this process started: a plain GET answers it, so a poller can tell "something moved". */
  seq: number;
}

const hubs = new WeakMap<AppContext, Hub>();

function hubOf(ctx: AppContext): Hub {
  const hub = hubs.get(ctx) ?? { listeners: new Set<Listener>(), seq: 0 };
  hubs.set(ctx, hub);
  return hub;
}

function deliver(hub: Hub, orgPath: string) {
  hub.seq++;
  const now = Date.now();
  for (const l of hub.listeners) {
    if (!orgPath.startsWith(l.path) || l.timer) continue;
    const wait = Math.max(0, l.last + THROTTLE_MS - now);
    l.timer = setTimeout(() => {
      l.timer = undefined;
      l.last = Date.now();
      l.send();
    }, wait);
  }
}

/** Starts listening (once per process) and returns the change counter. */
export async function changeCount(ctx: AppContext): Promise<number> {
  const hub = hubOf(ctx);
  hub.stop ??= ctx.database.listen(CHANNEL, (path) => deliver(hub, path));
  await hub.stop;
  return hub.seq;
}

/** Calls `send` when an order under `path` changes; returns the function that stops it. */
export async function subscribe(
  ctx: AppContext,
  path: string,
  send: () => void,
  end: () => void,
): Promise<() => void> {
  const hub = hubOf(ctx);
  await changeCount(ctx);
  const l: Listener = { path, send, end, last: 0 };
  hub.listeners.add(l);
  return () => {
    clearTimeout(l.timer);
    hub.listeners.delete(l);
  };
}

/** Ends every open stream, so a closing server is not kept waiting by dashboards that never hang up. */
export function endStreams(ctx: AppContext) {
  for (const l of hubs.get(ctx)?.listeners ?? []) l.end();
}

/** Stops listening (the app is closing). */
export async function stopLive(ctx: AppContext) {
  const hub = hubs.get(ctx);
  if (!hub?.stop) return;
  const stop = await hub.stop;
  hub.stop = undefined;
  for (const l of hub.listeners) clearTimeout(l.timer);
  hub.listeners.clear();
  await stop();
}
