import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { expect, inject } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { type Database, type DbKind, openPglite, openPostgres, pgliteDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { DEMO_PASSWORD, loadDemo } from "../../src/seed/demo.ts";
import { buildApp } from "../../src/server/app.ts";
import type { Actor, AppContext } from "../../src/server/context.ts";
import { FieldCrypto } from "../../src/server/platform/crypto.ts";
import { VERSION } from "../../src/version.ts";
import { createFromTemplate, TEMPLATE_DEMO, TEST_SECRET, type Templates } from "./templates.ts";

/** The databases the suite runs against: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const DB_KINDS: DbKind[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

/** A fresh, migrated database: in-memory PGlite, or a new throw-away database on the PostgreSQL server. */
export function freshDatabase(kind: DbKind): Promise<Database & { url?: string }> {
  return copyDatabase(kind, "empty");
}

/**
 * A private database of the given kind: a copy of the run's template (see templates.ts) when the global
 * setup built one, else migrated (and seeded, for "demo") here, as a file run outside the suite's config does.
 */
async function copyDatabase(kind: DbKind, what: "empty" | "demo"): Promise<Database & { url?: string }> {
  const templates = inject("gkTemplates") as Templates | undefined;
  if (kind === "pglite") {
    const template = templates?.pglite[what];
    if (template) {
      const t0 = Date.now();
      // Beside the template, so a run's teardown (or, after a killed run, a later run) removes what a file
      // killed before its close leaves behind.
      const folder = fs.mkdtempSync(path.join(path.dirname(template), "copy-"));
      fs.cpSync(template, folder, { recursive: true });
      const db = pgliteDatabase(await PGlite.create({ dataDir: folder }));
      if (process.env.GK_TEMPLATE_LOG)
        console.log(`[templates] pglite ${what} copy in ${Date.now() - t0} ms`);
      const close = db.close;
      return {
        ...db,
        async close() {
          await close();
          fs.rmSync(folder, { recursive: true, force: true });
        },
      };
    }
    const db = await openPglite(undefined);
    await migrate(db);
    if (what === "demo") await loadDemo(db, new FieldCrypto(TEST_SECRET), TEMPLATE_DEMO);
    return db;
  }
  const base = process.env.TEST_DATABASE_URL!;
  const name = `gk_test_${crypto.randomBytes(6).toString("hex")}`;
  const template = templates?.postgres?.[what];
  const t0 = Date.now();
  if (template) await createFromTemplate(name, template);
  else await admin(base, (c) => c.query(`create database ${name}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString(), 4);
  if (template && process.env.GK_TEMPLATE_LOG)
    console.log(`[templates] postgres ${what} copy in ${Date.now() - t0} ms`);
  if (!template) {
    await migrate(db);
    if (what === "demo") await loadDemo(db, new FieldCrypto(TEST_SECRET), TEMPLATE_DEMO);
  }
  const close = db.close;
  return {
    ...db,
    url: url.toString(),
    async close() {
      await close();
      await admin(base, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/**
 * Writes a copy of the run's migrated database ("empty") or of the seeded demo ("demo", encrypted with
 * TEST_SECRET) into a PGlite folder, for tests that start the CLI or a server process on a data folder.
 */
export async function pgliteFolder(folder: string, what: "empty" | "demo"): Promise<void> {
  const template = (inject("gkTemplates") as Templates | undefined)?.pglite[what];
  if (template) {
    fs.cpSync(template, folder, { recursive: true });
    return;
  }
  fs.mkdirSync(folder, { recursive: true });
  const db = pgliteDatabase(await PGlite.create({ dataDir: folder }));
  await migrate(db);
  if (what === "demo") await loadDemo(db, new FieldCrypto(TEST_SECRET), TEMPLATE_DEMO);
  await db.close();
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestApp {
  kind: DbKind;
  app: FastifyInstance;
  ctx: AppContext;
  /** Logs in and returns headers for further requests (cookie + CSRF token). */
  login(username: string, password?: string): Promise<{ cookie: string; "x-csrf-token": string }>;
  /** The account as a service takes it (who is acting), as the server builds it for a signed-in request. */
  actor(username: string, password?: string): Promise<Actor>;
  /**
   * A context on its own connections to the same database, as a second server process would have.
   * PGlite is single-process, so there it is the same context.
   */
  secondProcess(): Promise<{ ctx: AppContext; close(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * An app on a fresh database with the demo loaded at community scale (苏阳社区, ~7,300 residents)
 * and every demo account. Each test file gets its own (a copy of the run's seeded template), so no test
 * depends on another's data.
 */
export async function createTestApp(
  kind: DbKind,
  /** `env`: settings read as the server reads its environment (e.g. MAP_TILE_URL); none by default. */
  opts: { scope?: string; serveWeb?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<TestApp> {
  const scope = opts.scope ?? TEMPLATE_DEMO.scope;
  // The usual demo comes copied from the run's template; another scope is seeded here, as before.
  const database = await copyDatabase(kind, scope === TEMPLATE_DEMO.scope ? "demo" : "empty");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gk-test-"));
  const config = { ...loadConfig(opts.env ?? {}), dataDir, logLevel: "silent" };
  const ctx: AppContext = { config, database, crypto: new FieldCrypto(TEST_SECRET), version: VERSION };
  if (scope !== TEMPLATE_DEMO.scope)
    await loadDemo(database, ctx.crypto, { scope, seed: TEMPLATE_DEMO.seed });
  const app = await buildApp(ctx, { logger: false, serveWeb: opts.serveWeb ?? false });
  const login: TestApp["login"] = async (username, password = DEMO_PASSWORD) => {
    const r = await app.inject({ method: "POST", url: "/api/auth/login", payload: { username, password } });
    if (r.statusCode !== 200) throw new Error(`login ${username} failed: ${r.statusCode} ${r.body}`);
    const cookie = String(r.headers["set-cookie"]).split(";")[0];
    return { cookie, "x-csrf-token": r.json().csrfToken as string };
  };
  return {
    kind,
    app,
    ctx,
    login,
    async actor(username, password = DEMO_PASSWORD) {
      const headers = await login(username, password);
      const me = (await app.inject({ url: "/api/me", headers })).json();
      return {
        kind: "account",
        id: me.id,
        username: me.username,
        displayName: me.displayName,
        role: me.role,
        orgUnitId: me.org.id,
        orgPath: me.org.path,
        orgName: me.org.name,
        orgKind: me.org.kind,
      };
    },
    async secondProcess() {
      if (!database.url) return { ctx, close: async () => {} };
      const other = await openPostgres(database.url, 4);
      return { ctx: { ...ctx, database: other }, close: () => other.close() };
    },
    async close() {
      await app.close();
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Headers = Awaited<ReturnType<TestApp["login"]>>;

/**
 * POST as someone, and a workflow action taken at the order's current version (read as `reader`, who must
 * see it), expected to succeed: the steps the rates tests walk orders through.
 */
export function orderActions(test: () => TestApp, reader: () => Headers) {
  const post = (url: string, headers: Headers, payload: unknown) =>
    test().app.inject({ method: "POST", url, headers, payload: payload as any });
  const act = async (id: number, action: string, headers: Headers, body: Record<string, unknown> = {}) => {
    const cur = (await test().app.inject({ url: `/api/orders/${id}`, headers: reader() })).json().order;
    const r = await post(`/api/orders/${id}/actions/${action}`, headers, { version: cur.version, ...body });
    expect(r.statusCode, r.body).toBe(200);
  };
  return { post, act };
}
