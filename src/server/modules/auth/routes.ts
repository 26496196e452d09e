import type { FastifyInstance } from "fastify";
import { SESSION_COOKIE } from "../../platform/authHook.ts";
import { errorSchema } from "../../platform/errors.ts";
import { stdErrors } from "../../platform/schemas.ts";
import { meSchema, presentMe } from "./presenter.ts";
import { login, logout } from "./service.ts";

export async function authRoutes(app: FastifyInstance) {
  app.post<{ Body: { username: string; password: string } }>(
    "/api/auth/login",
    {
      config: { public: true },
      schema: {
        tags: ["auth"],
        summary: "登录",
        body: {
          type: "object",
          properties: {
            username: { type: "string", minLength: 1, maxLength: 64 },
            password: { type: "string", minLength: 1, maxLength: 256 },
          },
          required: ["username", "password"],
          additionalProperties: false,
        },
        response: { 200: meSchema, 400: errorSchema, 401: errorSchema, 429: errorSchema },
      },
    },
    async (req, reply) => {
      const r = await login(app.ctx, req.body.username, req.body.password, req.ip);
      reply.setCookie(SESSION_COOKIE, r.token, {
        httpOnly: true,
        sameSite: "strict",
        secure: app.ctx.config.secureCookies,
        path: "/",
        expires: r.expiresAt,
      });
      return presentMe(r.actor, r.csrfToken);
    },
  );

  app.post(
    "/api/auth/logout",
    { schema: { tags: ["auth"], summary: "退出登录", response: { 204: { type: "null" }, ...stdErrors } } },
    async (req, reply) => {
      await logout(app.ctx, req.sessionToken!, req.actor);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send();
    },
  );

  app.get(
    "/api/me",
    { schema: { tags: ["auth"], summary: "当前账号", response: { 200: meSchema, ...stdErrors } } },
    async (req) => presentMe(req.actor, req.csrfToken!),
  );
}
