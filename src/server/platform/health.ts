import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import { MIGRATIONS_DIR } from "../../db/migrate.ts";
import { sessionActor } from "../modules/auth/index.ts";
import { SESSION_COOKIE } from "./authHook.ts";
import { CAUSE_MESSAGES, type WriteTrouble } from "./dbErrors.ts";
import { errorSchema } from "./errors.ts";
import { METRICS_CONTENT_TYPE } from "./metrics.ts";
import { permits } from "./policy.ts";

/**
 * What a load balancer, an orchestrator and Prometheus ask:
 * - GET /api/health/live — the process answers (no database); restart it when this fails.
 * - GET /api/health/ready — the database answers and every migration this version ships is applied; take
 *   the process out of rotation while it fails (503).
 * - GET /api/health — the contract's summary (DESIGN §5): 200 when the database answers, 503 when not, and
 *   503 `degraded` with the problem named while it answers reads but refuses saves (disk full, read-only).
 * - GET /metrics — Prometheus text format, for a scraper with `Authorization: Bearer $METRICS_TOKEN`, or a
 *   signed-in account holding metrics.read (a sysadmin looking by hand). Anyone else: 401. Kept on the main
 *   listener so a single-port deployment needs nothing more; the token keeps it off the public internet.
 */

const DB_CHECK_MS = 2000;

/** The migrations this version ships (drizzle's journal). */
function expectedMigrations(): number {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, "meta", "_journal.json"), "utf8"));
  return journal.entries.length as number;
}

/** Rejects after ms: a database that hangs (a network partition) must not hang the health check. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error("database check timed out")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const HealthSchema = {
  type: "object",
  properties: {
    status: { type: "string" },
    db: { type: "string", enum: ["pglite", "postgres"] },
    version: { type: "string" },
  },
} as const;

const ReadySchema = {
  type: "object",
  properties: {
    status: { type: "string", enum: ["ok", "unavailable"] },
    db: { type: "string", enum: ["up", "down"] },
    migrations: {
      type: "object",
      properties: { applied: { type: ["integer", "null"] }, expected: { type: "integer" } },
    },
  },
} as const;

const sameSecret = (a: string, b: string) => {
  const x = crypto.createHash("sha256").update(a).digest();
  const y = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(x, y);
};

export async function healthRoutes(app: FastifyInstance, opts: { writeTrouble?: WriteTrouble } = {}) {
  const ctx = app.ctx;
  const expected = expectedMigrations();

  app.get(
    "/api/health",
    {
      config: { public: true },
      // The 503 (database unreachable) has the same shape; its schema stays out of the API document, which
      // describes what a client of the API gets, not what a load balancer probes.
      schema: { tags: ["platform"], response: { 200: HealthSchema } },
    },
    async (_req, reply) => {
      try {
        await within(ctx.database.query("select 1"), DB_CHECK_MS);
        // Reads work but saves are refused (disk full, read-only): not healthy, and the reason said.
        const problem = opts.writeTrouble?.current();
        if (problem)
          return (reply as unknown as FastifyReply).status(503).send({
            status: "degraded",
            db: ctx.database.kind,
            version: ctx.version,
            problem,
            message: CAUSE_MESSAGES[problem],
          });
        return { status: "ok", db: ctx.database.kind, version: ctx.version };
      } catch {
        // Same shape as the 200, which the API document describes (see above).
        return (reply as unknown as FastifyReply)
          .status(503)
          .send({ status: "unavailable", db: ctx.database.kind, version: ctx.version });
      }
    },
  );

  app.get(
    "/api/health/live",
    {
      config: { public: true },
      schema: {
        tags: ["platform"],
        // Probes for orchestrators and scrapers, not part of the API the web app and clients use.
        hide: true,
        response: { 200: { type: "object", properties: { status: { type: "string" } } } },
      },
    },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/api/health/ready",
    {
      config: { public: true },
      schema: { tags: ["platform"], hide: true, response: { 200: ReadySchema, 503: ReadySchema } },
    },
    async (_req, reply) => {
      let applied: number | null = null;
      try {
        const [r] = await within(
          ctx.database.query<{ n: number }>("select count(*)::int as n from drizzle.__drizzle_migrations"),
          DB_CHECK_MS,
        );
        applied = r.n;
      } catch {
        return reply
          .status(503)
          .send({ status: "unavailable", db: "down", migrations: { applied, expected } });
      }
      const ok = applied >= expected;
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? "ok" : "unavailable", db: "up", migrations: { applied, expected } });
    },
  );

  app.get(
    "/metrics",
    {
      config: { public: true },
      schema: {
        tags: ["platform"],
        hide: true,
        summary: "Prometheus 指标（METRICS_TOKEN 或系统管理员）",
        response: { 200: { type: "string" }, 401: errorSchema },
      },
    },
    async (req, reply) => {
      const token = ctx.config.metricsToken;
      const auth = req.headers.authorization;
      let allowed = !!token && !!auth && auth.startsWith("Bearer ") && sameSecret(auth.slice(7), token);
      if (!allowed) {
        const session = req.cookies[SESSION_COOKIE];
        const s = session ? await sessionActor(ctx, session).catch(() => null) : null;
        allowed = permits(s?.actor, "metrics.read");
      }
      if (!allowed)
        return reply
          .status(401)
          .header("www-authenticate", 'Bearer realm="metrics"')
          .send({ error: { code: "unauthenticated", message: "需要指标令牌或系统管理员登录" } });
      return reply.type(METRICS_CONTENT_TYPE).send(await app.metricsText());
    },
  );
}
