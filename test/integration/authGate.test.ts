import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../helpers/app.ts";

// The login gate decides on the route the router matched. Every registered route is sent without a
// session, spelled plainly and percent-encoded (the router decodes the path, so `/%61pi/me` is `/api/me`):
// a route that is not flagged public answers 401, and nothing answers 5xx.

/** Fills a route pattern's parameters with a value of the right look (the gate runs before validation). */
const fill = (url: string) =>
  url
    .replace(/:[A-Za-z]+(\([^)]*\))?/g, "1")
    .replace(/\*$/, "x")
    .replace(/\/$/, "") || "/";

const pct = (c: string) => `%${c.charCodeAt(0).toString(16)}`;
const PCT = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** The path as sent: plain, and three percent-encoded spellings of the same route. */
const SPELLINGS: Record<string, (path: string) => string> = {
  plain: (p) => p,
  // /%61pi/me
  firstLetter: (p) => p.replace(/^\/([a-z])/i, (_, c) => `/${pct(c)}`),
  // /api/%6Frders/1 — the first letter of the last segment that is not a parameter value
  lastSegment: (p) => {
    const parts = p.split("/");
    for (let i = parts.length - 1; i > 1; i--)
      if (/^[a-z]/i.test(parts[i])) {
        parts[i] = PCT(parts[i][0]) + parts[i].slice(1);
        return parts.join("/");
      }
    return p.replace(/^\/([a-z])/i, (_, c) => `/${PCT(c)}`);
  },
  // every letter encoded
  everyLetter: (p) => p.replace(/[a-z]/gi, pct),
};

/** The only routes reachable without a session, besides the API docs (and the web app's files). */
const PUBLIC = [
  "GET /api/health",
  "HEAD /api/health",
  "GET /api/health/live",
  "HEAD /api/health/live",
  "GET /api/health/ready",
  "HEAD /api/health/ready",
  // The residents' phone app (mutual aid): its own code sign-in and session kind, checked by its routes.
  "POST /api/app/code",
  "POST /api/app/sign-in",
  "POST /api/app/sign-out",
  "GET /api/app/events",
  "HEAD /api/app/events",
  "GET /api/app/me",
  "HEAD /api/app/me",
  "GET /api/app/medicines",
  "HEAD /api/app/medicines",
  "GET /api/app/mine",
  "HEAD /api/app/mine",
  "GET /api/app/photos/:id",
  "HEAD /api/app/photos/:id",
  "POST /api/app/events/:id/cancel",
  "POST /api/app/events/:id/signup",
  "POST /api/app/medicine-requests",
  "POST /api/app/medicine-requests/:id/confirm",
  "POST /api/app/opt-out",
  "POST /api/app/reports",
  "POST /api/app/reports/:id/photos",
  "POST /api/app/reports/:id/rating",
  "POST /api/app/wishes",
  "GET /api/app/wishes/:id/photo",
  "HEAD /api/app/wishes/:id/photo",
  "GET /api/public/service-points",
  "HEAD /api/public/service-points",
  // Checks its own bearer token (METRICS_TOKEN) or a sysadmin's session, and answers 401 to anyone else.
  "GET /metrics",
  "HEAD /metrics",
  "POST /api/auth/login",
  "GET /api/public/orders/:number",
  "HEAD /api/public/orders/:number",
  "POST /api/public/orders/:number/rating",
  "GET /api/public/care-teams/:communityId/on-duty",
  "HEAD /api/public/care-teams/:communityId/on-duty",
  "GET /open311/v2/:file",
  "HEAD /open311/v2/:file",
  "GET /open311/v2/services/:file",
  "HEAD /open311/v2/services/:file",
  "GET /open311/v2/requests/:file",
  "HEAD /open311/v2/requests/:file",
  "GET /open311/v2/tokens/:file",
  "HEAD /open311/v2/tokens/:file",
  "POST /open311/v2/:file",
  // Community affairs: the public project list with its photos and 评单, and deliberation outcomes.
  "GET /api/public/affairs/projects",
  "HEAD /api/public/affairs/projects",
  "GET /api/public/affairs/photos/:id",
  "HEAD /api/public/affairs/photos/:id",
  "POST /api/public/affairs/codes",
  "POST /api/public/affairs/codes/verify",
  "POST /api/public/affairs/projects/:id/ratings",
  "GET /api/public/affairs/deliberations",
  "HEAD /api/public/affairs/deliberations",
  "GET /api/public/affairs/deliberations/:id",
  "HEAD /api/public/affairs/deliberations/:id",
  "POST /api/public/affairs/deliberations/:id/votes",
  "GET /api/public/affairs/archive",
  "HEAD /api/public/affairs/archive",
];

describe.each(DB_KINDS)("the login gate on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  it("flags as public only the routes meant to be public", () => {
    const routes = t.app.gatedRoutes;
    expect(routes.length).toBeGreaterThan(80);
    const open = routes
      .filter((r) => r.public && !r.url.startsWith("/api/docs"))
      .map((r) => `${r.method} ${r.url}`);
    expect(open.sort()).toEqual([...PUBLIC].sort());
  });

  it("answers 401 to every other route without a session, however the path is spelled, and never 5xx", async () => {
    const seen: Record<string, number> = {};
    let sent = 0;
    const failures: string[] = [];
    for (const r of t.app.gatedRoutes) {
      for (const [spelling, spell] of Object.entries(SPELLINGS)) {
        const url = spell(fill(r.url));
        const res = await t.app.inject({ method: r.method as any, url });
        sent++;
        seen[res.statusCode] = (seen[res.statusCode] ?? 0) + 1;
        if (res.statusCode >= 500) failures.push(`${r.method} ${url} (${spelling}) → ${res.statusCode}`);
        if (r.public) continue;
        if (res.statusCode !== 401) failures.push(`${r.method} ${url} (${spelling}) → ${res.statusCode}`);
        else if (r.method !== "HEAD") expect(res.json().error.code).toBe("unauthenticated");
      }
    }
    expect(failures).toEqual([]);
    // Public to the gate but refusing on their own: /metrics (a scraper has a token, not a session) and the
    // residents' app (its own session kind), except where it signs in.
    const selfGated = (url: string) =>
      url === "/metrics" ||
      (url.startsWith("/api/app/") && url !== "/api/app/code" && url !== "/api/app/sign-in");
    const gated = t.app.gatedRoutes.filter((r) => !r.public || selfGated(r.url)).length;
    expect(seen[401]).toBe(gated * Object.keys(SPELLINGS).length);
    console.info(
      `auth gate: ${t.app.gatedRoutes.length} routes (${gated} gated) × ${Object.keys(SPELLINGS).length} spellings = ${sent} requests; statuses ${JSON.stringify(seen)}`,
    );
  });

  it("answers 401 to a session that does not exist, on an encoded path too", async () => {
    for (const url of ["/api/me", "/%61pi/me", "/api/rates/weights", "/%61pi/rates/weights"]) {
      const r = await t.app.inject({ url, headers: { cookie: "gk_session=not-a-session" } });
      expect(r.statusCode, url).toBe(401);
    }
  });

  it("still serves a signed-in caller on an encoded path", async () => {
    const h = await t.login("demo-commander");
    const r = await t.app.inject({ url: "/%61pi/rates/weights", headers: h });
    expect(r.statusCode).toBe(200);
  });
});
