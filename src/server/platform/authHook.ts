import type { FastifyInstance, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import { sessionActor } from "../modules/auth/index.ts";
import { AppError, Unauthenticated } from "./errors.ts";

export const SESSION_COOKIE = "gk_session";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** A route as the gate sees it: every route the app registers, with whether it is public. */
export interface GatedRoute {
  method: string;
  url: string;
  public: boolean;
  /** The route's JSON schemas (params, querystring, body, response), for the tests that generate requests. */
  schema?: { params?: unknown; querystring?: unknown; body?: unknown; response?: unknown };
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route registered after the gate, for the tests that walk the whole route table. */
    readonly gatedRoutes: GatedRoute[];
  }
}

/**
 * An `onRoute` hook that flags every route of the plugin it is added to as public (static files, the
 * API docs, Open311 whose routes check their own api_key): a plugin says so once instead of per route.
 */
export function flagPublic(route: RouteOptions) {
  route.config = { ...(route.config as object), public: true };
}

/**
 * Every route needs a session unless its config says `public: true`. The decision is taken on the route
 * the router matched (which decodes the path), never on the raw URL: `/%61pi/…` is `/api/…` to the router,
 * so a check on the URL's spelling let it through. Unmatched requests go to the 404 handler, which reads
 * nothing. Writes made with the session cookie must echo the session's CSRF token in X-CSRF-Token (the
 * cookie alone is not proof of intent).
 */
export const authPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest("actor", null as any);
  // Read when asked: a plugin's own onRoute hook (flagPublic) runs after this one.
  const routes: RouteOptions[] = [];
  app.addHook("onRoute", (r) => {
    routes.push(r);
  });
  app.decorate("gatedRoutes", {
    getter: () =>
      routes.flatMap((r) =>
        [r.method].flat().map((method) => ({
          method,
          url: r.url,
          public: (r.config as any)?.public === true,
          schema: r.schema as GatedRoute["schema"],
        })),
      ),
  });
  app.addHook("onRequest", async (req) => {
    if (req.is404 || req.routeOptions.config?.public === true) return;
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
