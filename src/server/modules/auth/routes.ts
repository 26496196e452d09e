import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { SESSION_COOKIE } from "../../platform/authHook.ts";
import { ErrorBody, stdErrors, Type } from "../../platform/schemas.ts";
import { authPolicy } from "./policy.ts";
import { LoginBodySchema, MeSchema, presentMe } from "./presenter.ts";
import { login, logout } from "./service.ts";

const T = ["auth"];

export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    "/api/auth/login",
    {
      config: { public: true },
      schema: {
        tags: T,
        summary: "登录",
        body: LoginBodySchema,
        response: { 200: MeSchema, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
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
    { schema: { tags: T, summary: "退出登录", response: { 204: Type.Null(), ...stdErrors } } },
    async (req, reply) => {
      authPolicy.authorize(req.actor, "session");
      await logout(app.ctx, req.sessionToken!, req.actor);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/api/me",
    { schema: { tags: T, summary: "当前账号", response: { 200: MeSchema, ...stdErrors } } },
    async (req) => {
      authPolicy.authorize(req.actor, "session");
      return presentMe(req.actor, req.csrfToken!);
    },
  );
}
