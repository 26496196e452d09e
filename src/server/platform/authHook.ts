import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { sessionActor } from "../modules/auth/index.ts";
import { AppError, Unauthenticated } from "./errors.ts";

export const SESSION_COOKIE = "gk_session";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Every /api route needs a session unless its config says public. Writes made with the session
 * cookie must echo the session's CSRF token in X-CSRF-Token (the cookie alone is not proof of intent).
 */
export const authPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest("actor", null as any);
  app.addHook("onRequest", async (req) => {
    if (req.routeOptions.config?.public || req.is404) return;
    if (!req.url.startsWith("/api/") || req.url.startsWith("/api/docs")) return;
    const token = req.cookies[SESSION_COOKIE];
    if (!token) throw Unauthenticated();
    const s = await sessionActor(app.ctx, token);
    if (!s) throw Unauthenticated("登录已过期，请重新登录");
    if (!SAFE.has(req.method) && req.headers["x-csrf-token"] !== s.csrfToken) {
      throw new AppError(403, "csrf", "缺少或无效的 CSRF 令牌，请刷新页面后重试");
    }
    req.actor = { ...s.actor, ip: req.ip };
    req.sessionToken = token;
    req.csrfToken = s.csrfToken;
  });
});
