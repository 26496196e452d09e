import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { writeContext } from "../../db/writeContext.ts";

/**
 * Which requests may read from the streaming replica (db/replica.ts), when one is configured: heavy reads
 * whose figures may trail the primary by a few seconds — the command center's dashboard, hot spots and
 * daily report, rates and rankings, the Open311 lists. Never a user's own queue or an order they act on,
 * and not right after the caller's own write: a successful write sets a short-lived cookie (gk_rw) that
 * keeps that browser on the primary for REPLICA_STICKY_MS (default 15 s), on whichever process it lands.
 * A route may also opt in with `config: { replicaRead: true }`.
 */

declare module "fastify" {
  interface FastifyContextConfig {
    /** Its reads may be served by the read replica. */
    replicaRead?: boolean;
  }
}

export const REPLICA_ROUTES = new Set([
  "/api/command/dashboard",
  "/api/command/hotspots",
  "/api/command/daily-report",
  "/api/rates",
  "/api/rates/ranking",
  "/open311/v2/requests/:file",
  "/open311/v2/services/:file",
]);

export const READ_YOUR_WRITES_COOKIE = "gk_rw";
const STICKY_MS = Number(process.env.REPLICA_STICKY_MS ?? 15_000);
const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export const replicaPlugin = fp(async (app: FastifyInstance) => {
  if (!app.ctx.database.replicaStatus) return;
  app.addHook("preHandler", async (req) => {
    if (req.method !== "GET" || req.is404) return;
    if (!REPLICA_ROUTES.has(req.routeOptions.url ?? "") && req.routeOptions.config?.replicaRead !== true)
      return;
    const until = Number(req.cookies[READ_YOUR_WRITES_COOKIE] ?? 0);
    if (until > Date.now()) return;
    const store = writeContext.getStore();
    if (store) store.replica = true;
  });
  app.addHook("onSend", async (req, reply, payload) => {
    if (WRITES.has(req.method) && reply.statusCode < 400 && req.url.startsWith("/api/"))
      reply.header("set-cookie", [
        ...[reply.getHeader("set-cookie") ?? []].flat().map(String),
        `${READ_YOUR_WRITES_COOKIE}=${Date.now() + STICKY_MS}; Max-Age=${Math.ceil(STICKY_MS / 1000)}; Path=/; HttpOnly; SameSite=Lax`,
      ]);
    return payload;
  });
});
