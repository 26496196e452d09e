import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import cookie from "@fastify/cookie";
import helmet, { type FastifyHelmetOptions } from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance } from "fastify";
import { fieldMessage } from "../domain/text/validation.ts";
import type { Actor, AppContext } from "./context.ts";
import * as accounts from "./modules/accounts/index.ts";
import * as affairs from "./modules/affairs/index.ts";
import * as audit from "./modules/audit/index.ts";
import * as auth from "./modules/auth/index.ts";
import * as campaigns from "./modules/campaigns/index.ts";
import * as care from "./modules/care/index.ts";
import * as command from "./modules/command/index.ts";
import * as holidays from "./modules/holidays/index.ts";
import * as jobs from "./modules/jobs/index.ts";
import * as mutualAid from "./modules/mutualAid/index.ts";
import * as notifications from "./modules/notifications/index.ts";
import * as open311 from "./modules/open311/index.ts";
import * as orgs from "./modules/orgs/index.ts";
import * as rates from "./modules/rates/index.ts";
import * as residents from "./modules/residents/index.ts";
import * as verification from "./modules/verification/index.ts";
import * as volunteers from "./modules/volunteers/index.ts";
import * as workOrders from "./modules/workOrders/index.ts";
import { authPlugin, flagPublic } from "./platform/authHook.ts";
import { CAUSE_MESSAGES, unavailableCause, WriteTrouble } from "./platform/dbErrors.ts";
import { AppError } from "./platform/errors.ts";
import { healthRoutes } from "./platform/health.ts";
import { idempotencyPlugin } from "./platform/idempotency.ts";
import { inputPlugin } from "./platform/input.ts";
import { safeError, safeLogMethod } from "./platform/logSafe.ts";
import { metricsPlugin } from "./platform/metrics.ts";
import { rateLimitPlugin } from "./platform/rateLimit.ts";
import { replicaPlugin } from "./platform/replica.ts";
import { schemaController } from "./platform/schemaCompilers.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Reachable without a session (login, health, docs). */
    public?: boolean;
  }
  interface FastifyRequest {
    actor: Actor;
    sessionToken?: string;
    csrfToken?: string;
  }
  interface FastifyInstance {
    ctx: AppContext;
  }
}

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/web");
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Security headers on every answer. The policy is what the built web app needs and no more: its scripts
 * and styles come from this origin, except that antd (CSS-in-JS) writes <style> elements and style
 * attributes at run time, so inline styles are allowed (inline scripts are not). No page may be framed.
 * HSTS and the upgrade of http:// requests only for HTTPS deployments (SECURE_COOKIES=1): a LAN server on
 * plain HTTP would otherwise be unreachable. A configured map tile server (MAP_TILE_URL) is the one other
 * origin images may come from.
 */
export function securityHeaders(https: boolean, tileOrigin?: string): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:", ...(tileOrigin ? [tileOrigin] : [])],
        fontSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", "blob:"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "same-origin" },
    strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600 } : false,
    crossOriginEmbedderPolicy: false,
  };
}

export interface BuildOptions {
  /** false: no logging; a stream: log there (tests read it); default: stdout. */
  logger?: false | NodeJS.WritableStream;
  serveWeb?: boolean;
}

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: ctx.config.bodyLimit,
    // X-Forwarded-For is believed only from the configured proxies (TRUST_PROXY); by default from nobody.
    trustProxy: ctx.config.trustProxy.length > 0 ? ctx.config.trustProxy : false,
    schemaController,
    ajv: {
      customOptions: {
        allErrors: true,
        coerceTypes: "array",
        removeAdditional: false,
        allowUnionTypes: true,
      },
    },
    logger:
      opts.logger === false
        ? false
        : {
            level: ctx.config.logLevel,
            // No personal data in logs: drop query strings (searches hold names and phone tails) and cookies.
            serializers: {
              req: (req: any) => ({ method: req.method, url: String(req.url).split("?")[0], reqId: req.id }),
              // Errors without the values they carry (query parameters, rows, quoted input).
              err: safeError,
            },
            hooks: { logMethod: safeLogMethod },
            redact: ["req.headers.cookie", "req.headers.authorization"],
            ...(opts.logger ? { stream: opts.logger } : {}),
          },
  });
  app.decorate("ctx", ctx);

  await app.register(cookie);
  await app.register(helmet, securityHeaders(ctx.config.secureCookies, ctx.config.mapTiles?.origin));
  // Chromium shows a PDF through its viewer plugin, which a policy's object-src 'none' would refuse; a PDF
  // runs no script of ours, so it goes without the policy (nosniff and the rest stay).
  app.addHook("onSend", async (_req, reply, payload) => {
    if (String(reply.getHeader("content-type") ?? "").startsWith("application/pdf"))
      reply.raw.removeHeader("content-security-policy");
    return payload;
  });
  await app.register(swagger, {
    openapi: {
      info: { title: "Gridkeeper 网格管家 API", version: ctx.version },
      components: { securitySchemes: { session: { type: "apiKey", in: "cookie", name: "gk_session" } } },
      security: [{ session: [] }],
    },
  });
  // Request latency by route and the slow-query log, for every route.
  await app.register(metricsPlugin);
  // The gate first, so that it sees every route registered after it (the route-table tests list them).
  await app.register(authPlugin);
  await app.register(rateLimitPlugin);
  await app.register(inputPlugin);
  // After the gate (the key belongs to the signed-in caller) and the input cleaning (the body it hashes).
  await app.register(idempotencyPlugin, ctx.config.idempotency ?? {});
  // Heavy reads to the read replica, when one is configured (after the write context is set up).
  await app.register(replicaPlugin);
  // The API docs are public by their own flag.
  await app.register(async (docs) => {
    docs.addHook("onRoute", flagPublic);
    await docs.register(swaggerUi, { routePrefix: "/api/docs", uiHooks: {}, staticCSP: true });
  });

  // A disk-full or read-only database still answers reads: /api/health learns of it from refused writes.
  const writeTrouble = new WriteTrouble();
  app.addHook("onResponse", async (req, reply) => {
    if (!READS.has(req.method) && reply.statusCode >= 200 && reply.statusCode < 300) writeTrouble.succeeded();
  });
  app.setErrorHandler((err: any, req, reply) => {
    if (err instanceof AppError) {
      if (err.headers) reply.headers(err.headers);
      return reply
        .status(err.status)
        .send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    if (err.validation) {
      const fields = err.validation.map((v: any) => {
        const field =
          v.params?.missingProperty ??
          (String(v.instancePath || "")
            .replace(/^\//, "")
            .split("/")[0] ||
            v.params?.additionalProperty ||
            "body");
        return { field, message: fieldMessage(field, v) };
      });
      return reply.status(400).send({
        error: {
          code: "invalid",
          message: `请求参数不合法：${fields.map((f: any) => f.message).join("；")}`,
          details: { fields },
        },
      });
    }
    const cause = unavailableCause(err);
    if (cause) {
      req.log.warn({ err, cause }, "database unavailable");
      if (!READS.has(req.method)) writeTrouble.refused(cause);
      return reply
        .status(503)
        .header("retry-after", "5")
        .send({ error: { code: "database_unavailable", message: CAUSE_MESSAGES[cause] } });
    }
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, "unhandled error");
    const code =
      status === 413
        ? "payload_too_large"
        : status === 415
          ? "unsupported_media_type"
          : status === 400
            ? "invalid"
            : status >= 500
              ? "internal"
              : "error";
    const message =
      status === 413
        ? "请求体过大"
        : status === 400 && err.code === "FST_ERR_CTP_INVALID_JSON_BODY"
          ? "请求体不是合法的 JSON"
          : status === 400 && err.code === "FST_ERR_CTP_EMPTY_JSON_BODY"
            ? "请求体为空"
            : status >= 500
              ? "服务器内部错误"
              : err.message;
    return reply.status(status).send({ error: { code, message } });
  });

  // Liveness, readiness, the contract's /api/health and /metrics.
  await app.register(healthRoutes, { writeTrouble });

  // Each module registers its routes through its face.
  for (const m of [
    auth,
    accounts,
    orgs,
    residents,
    audit,
    workOrders,
    notifications,
    rates,
    care,
    open311,
    holidays,
    command,
    volunteers,
    mutualAid,
    campaigns,
    affairs,
  ])
    await app.register(m.routes);
  await app.register(jobs.routes);
  await app.register(verification.routes);

  const serveWeb = opts.serveWeb !== false && fs.existsSync(path.join(WEB_DIST, "index.html"));
  // The single-page app's files are public by their own flag (the API behind them is not).
  if (serveWeb)
    await app.register(async (web) => {
      web.addHook("onRoute", flagPublic);
      await web.register(fastifyStatic, {
        root: WEB_DIST,
        wildcard: false,
        // The build's .br/.gz twins, to a browser that accepts them (a phone on mobile data).
        preCompressed: true,
        // Files under /assets/ carry their content's hash in the name: a phone keeps them until a new build
        // names others, instead of asking again on every visit. The rest (index.html, sw.js) is revalidated.
        setHeaders(reply, file) {
          if (path.relative(WEB_DIST, file).startsWith(`assets${path.sep}`))
            reply.header("cache-control", "public, max-age=31536000, immutable");
        },
      });
    });

  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split("?")[0];
    if (url.startsWith("/api/") || url.startsWith("/open311/") || !serveWeb || req.method !== "GET") {
      return reply
        .status(404)
        .send({ error: { code: "not_found", message: `接口不存在: ${req.method} ${url}` } });
    }
    // Client-side routes of the single-page app.
    return reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-cache")
      .send(fs.createReadStream(path.join(WEB_DIST, "index.html")));
  });

  return app;
}
