// Background work this process runs by id (import jobs, verification lists): at most one run per id, a halt
// that stops runs where they stand (as a process that exits would), and a settle that waits for the rest.
// Where the work is stored, how it resumes and what a chunk does stay with the module that owns it.
import type { AppContext } from "../context.ts";

export interface Runner {
  halted: boolean;
  running: Map<number, Promise<void>>;
}

export function backgroundRunner(
  run: (ctx: AppContext, runner: Runner, id: number, staleMs: number) => Promise<void>,
) {
  const runners = new WeakMap<object, Runner>();
  const of = (ctx: AppContext) => {
    let r = runners.get(ctx.database);
    if (!r) {
      r = { halted: false, running: new Map() };
      runners.set(ctx.database, r);
    }
    return r;
  };
  const kick = (ctx: AppContext, id: number, staleMs: number) => {
    const runner = of(ctx);
    if (runner.halted || runner.running.has(id)) return;
    const p = run(ctx, runner, id, staleMs)
      .catch(() => {})
      .finally(() => runner.running.delete(id));
    runner.running.set(id, p);
  };
  return {
    kick,
    /** Un-halts, then starts each id `find` returns (those no live process has). */
    async resume(ctx: AppContext, staleMs: number, find: () => Promise<{ id: number }[]>) {
      of(ctx).halted = false;
      const rows = await find();
      for (const { id } of rows) kick(ctx, id, staleMs);
      return rows.map((r) => r.id);
    },
    async halt(ctx: AppContext) {
      const runner = of(ctx);
      runner.halted = true;
      await Promise.all(runner.running.values());
    },
    async settle(ctx: AppContext) {
      const runner = of(ctx);
      while (runner.running.size) await Promise.all(runner.running.values());
    },
  };
}
