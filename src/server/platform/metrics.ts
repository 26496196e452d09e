import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { onSlowQuery } from "../../db/writeContext.ts";
import type { AppContext } from "../context.ts";

/**
 * Metrics in Prometheus's text format (prom-client). Two registries: the process's (request latency by
 * route pattern, background job durations, slow statements, Node's own figures), shared by every app
 * the process builds, and one per app whose gauges read its database when scraped (pool, outbox backlog,
 * running imports). GET /metrics (platform/health.ts) serves both.
 */

const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry, prefix: "gridkeeper_" });

export const requestDuration = new Histogram({
  name: "gridkeeper_http_request_duration_seconds",
  help: "Time to answer a request, by method, route pattern and status",
  labelNames: ["method", "route", "status"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processRegistry],
});

export const jobDuration = new Histogram({
  name: "gridkeeper_background_job_duration_seconds",
  help: "Duration of each run of a periodic background job (SLA sweep, outbox delivery, …)",
  labelNames: ["job", "outcome"] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [processRegistry],
});

export const slowQueries = new Counter({
  name: "gridkeeper_slow_queries_total",
  help: "Statements slower than SLOW_QUERY_MS, by the route that issued them",
  labelNames: ["route"] as const,
  registers: [processRegistry],
});

/** Runs a background job's turn and records how long it took and whether it failed. */
export async function timed<T>(job: string, run: () => Promise<T>): Promise<T> {
  const end = jobDuration.startTimer({ job });
  try {
    const r = await run();
    end({ outcome: "ok" });
    return r;
  } catch (e) {
    end({ outcome: "error" });
    throw e;
  }
}

/** The gauges that read one app's database at scrape time. A failing read shows as gridkeeper_db_up 0. */
function appRegistry(ctx: AppContext): Registry {
  const registry = new Registry();
  const registers = [registry];
  const dbUp = new Gauge({
    name: "gridkeeper_db_up",
    help: "1 when the database answered the scrape",
    registers,
  });
  new Gauge({
    name: "gridkeeper_db_pool_connections",
    help: "Database pool connections by state (PostgreSQL; PGlite has one in-process connection)",
    labelNames: ["state"] as const,
    registers,
    collect() {
      const s = ctx.database.poolStats?.() ?? { total: 1, idle: 1, waiting: 0 };
      this.set({ state: "total" }, s.total);
      this.set({ state: "idle" }, s.idle);
      this.set({ state: "waiting" }, s.waiting);
    },
  });
  new Gauge({
    name: "gridkeeper_replica",
    help: "The read replica (DATABASE_REPLICA_URL): up, lag_seconds, healthy (used for reads), statements served, statements fallen back to the primary",
    labelNames: ["figure"] as const,
    registers,
    collect() {
      const r = ctx.database.replicaStatus?.();
      if (!r) return;
      this.set({ figure: "up" }, r.up ? 1 : 0);
      this.set({ figure: "lag_seconds" }, r.lagMs / 1000);
      this.set({ figure: "healthy" }, r.healthy ? 1 : 0);
      this.set({ figure: "queries" }, r.queries);
      this.set({ figure: "fallbacks" }, r.fallbacks);
    },
  });
  const backlog = new Gauge({
    name: "gridkeeper_outbox_backlog",
    help: "Notifications and messages waiting to be delivered",
    registers,
  });
  const oldest = new Gauge({
    name: "gridkeeper_outbox_oldest_seconds",
    help: "Age of the oldest undelivered notification",
    registers,
  });
  const progress = new Gauge({
    name: "gridkeeper_import_progress_ratio",
    help: "Running imports and list verifications: share of their rows done",
    labelNames: ["kind", "id"] as const,
    registers,
  });
  const running = new Gauge({
    name: "gridkeeper_imports_running",
    help: "Imports and list verifications queued or running",
    labelNames: ["kind"] as const,
    registers,
  });
  // One gauge reads everything the database holds, so a scrape costs one round of statements.
  new Gauge({
    name: "gridkeeper_metrics_scrape_db_seconds",
    help: "Time the scrape spent reading the database",
    registers,
    async collect() {
      const t0 = performance.now();
      try {
        const [o] = await ctx.database.query<{ n: number; age: number | null }>(
          `select count(*)::int as n, extract(epoch from now() - min(created_at))::float8 as age
           from notifications where state = 'pending'`,
        );
        backlog.set(o.n);
        oldest.set(o.age ?? 0);
        const jobs = await ctx.database.query<{ kind: string; id: number; done: number; total: number }>(
          `select kind, id, checkpoint as done, total from jobs where state in ('queued', 'running')
           union all
           select 'verification', id, checkpoint, estimate from verification_lists where state = 'running'`,
        );
        progress.reset();
        running.reset();
        for (const j of jobs) {
          running.inc({ kind: j.kind });
          progress.set({ kind: j.kind, id: String(j.id) }, j.total > 0 ? Math.min(1, j.done / j.total) : 0);
        }
        dbUp.set(1);
      } catch {
        dbUp.set(0);
      }
      this.set((performance.now() - t0) / 1000);
    },
  });
  return registry;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The text /metrics answers with. */
    metricsText(): Promise<string>;
  }
}

/**
 * Times every request by its route pattern (never the raw URL: ids would make a series each), logs slow
 * statements with the route that issued them, and gives the app its registry.
 */
export const metricsPlugin = fp(async (app: FastifyInstance) => {
  const registry = Registry.merge([processRegistry, appRegistry(app.ctx)]);
  app.decorate("metricsText", () => registry.metrics());
  app.addHook("onResponse", async (req, reply) => {
    requestDuration.observe(
      { method: req.method, route: req.is404 ? "unmatched" : req.routeOptions.url, status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });
  const stop = onSlowQuery((q) => {
    slowQueries.inc({ route: q.route ?? "background" });
    app.log.warn(
      { route: q.route ?? "background", ms: q.ms, statement: q.statement, name: q.name },
      "slow query",
    );
  });
  app.addHook("onClose", async () => {
    stop();
  });
});

export const METRICS_CONTENT_TYPE = processRegistry.contentType;
