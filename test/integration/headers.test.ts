import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/server/app.ts";
import { createTestApp, DB_KINDS, type TestApp } from "../helpers/app.ts";

// Security headers on every answer (the browser tests check that the built app runs under the policy).

describe.each(DB_KINDS)("security headers on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  it("forbid framing, sniffing and inline scripts, and keep the referrer to this site", async () => {
    for (const url of ["/api/health", "/api/me", "/api/no-such-thing", "/open311/v2/services.json"]) {
      const r = await t.app.inject({ url });
      const csp = String(r.headers["content-security-policy"]);
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(r.headers["x-frame-options"]).toBe("DENY");
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.headers["referrer-policy"]).toBe("same-origin");
      // Plain HTTP by default: no HSTS, no upgrade of requests to https.
      expect(r.headers["strict-transport-security"]).toBeUndefined();
      expect(csp).not.toContain("upgrade-insecure-requests");
    }
  });

  it("send HSTS and upgrade requests on an HTTPS deployment", async () => {
    const https = await buildApp(
      { ...t.ctx, config: { ...t.ctx.config, secureCookies: true } },
      { logger: false, serveWeb: false },
    );
    try {
      const r = await https.inject({ url: "/api/health" });
      expect(r.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
      expect(String(r.headers["content-security-policy"])).toContain("upgrade-insecure-requests");
    } finally {
      await https.close();
    }
  });

  it("let a PDF open in the browser's viewer: no policy on PDFs, nosniff still", async () => {
    const h = await t.login("demo-community");
    const [{ id }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010-G01'",
    );
    const r = await t.app.inject({ url: `/api/care/cards.pdf?grid=${id}`, headers: h });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe("application/pdf");
    expect(r.headers["content-security-policy"]).toBeUndefined();
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
  });
});
