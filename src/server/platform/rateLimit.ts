import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { TooMany } from "./errors.ts";
import { countFailure, failureKey } from "./failureCounts.ts";

/**
 * A ceiling on the residents' public pages (/api/public/…: an order's status by number, its rating, a care
 * team's duty): so many requests per client address per minute, counted in the database (the
 * failure_counts table, keyed by a keyed hash of the address) so that every server process behind a load
 * balancer counts the same requests and a restart forgets none. Wrong guesses there have their own,
 * stricter lock (workOrders/public.ts); logins theirs (auth). PUBLIC_RATE_LIMIT sets the ceiling
 * (requests a minute per address; 0 turns it off).
 */

export const PUBLIC_RATE_WINDOW_MS = 60_000;

export const rateLimitPlugin = fp(async (app: FastifyInstance) => {
  app.addHook("onRequest", async (req) => {
    const max = app.ctx.config.publicRateLimit ?? 0;
    if (max <= 0 || req.is404 || !req.url.startsWith("/api/public/")) return;
    const now = new Date();
    const key = failureKey(app.ctx, "public-rate:address", req.ip);
    const counts = await countFailure(app.ctx.database, [{ key, windowMs: PUBLIC_RATE_WINDOW_MS }], now);
    const c = counts.get(key);
    if (c && c.failures > max)
      throw TooMany(
        "请求过于频繁，请稍后再试",
        Math.max(1, Math.ceil((c.expiresAt.getTime() - now.getTime()) / 1000)),
      );
  });
});
