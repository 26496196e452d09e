import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { type Database, openPostgres, pgliteDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { loadDemo } from "../../src/seed/demo.ts";
import { FieldCrypto } from "../../src/server/platform/crypto.ts";

// Seeding the demo community (~7,300 residents, accounts, care plans) took each test file 20–60 s. This
// global setup seeds it once per run and database kind; every file then starts from a copy: PostgreSQL
// clones a template database (CREATE DATABASE … TEMPLATE), PGlite loads a dumped data directory.

/** What createTestApp clones: the demo at this scope and seed, encrypted with this key. */
export const TEMPLATE_DEMO = { scope: "320613019010", seed: 1 } as const;
export const TEST_SECRET = "test-secret";

export interface Templates {
  /** Tarballs of PGlite data directories: migrated and empty, and with the demo loaded. */
  pglite: { empty: string; demo: string };
  /** Template databases on the TEST_DATABASE_URL server, when it is set. */
  postgres?: { empty: string; demo: string };
}

declare module "vitest" {
  export interface ProvidedContext {
    gkTemplates: Templates;
  }
}

const log = (msg: string) => {
  if (process.env.GK_TEMPLATE_LOG) console.log(`[templates] ${msg}`);
};

function dbUrl(name: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function seedDemo(database: Database): Promise<void> {
  await loadDemo(database, new FieldCrypto(TEST_SECRET), TEMPLATE_DEMO);
}

async function buildPglite(dir: string): Promise<Templates["pglite"]> {
  const t0 = Date.now();
  const client = await PGlite.create();
  const db = pgliteDatabase(client);
  // Uncompressed: every file loads it, and gunzip would cost each of them more than the disk saves.
  const dump = async (file: string) => {
    fs.writeFileSync(file, Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer()));
    return file;
  };
  try {
    await migrate(db);
    const empty = await dump(path.join(dir, "empty.tar"));
    await seedDemo(db);
    await db.query("vacuum analyze");
    const demo = await dump(path.join(dir, "demo.tar"));
    log(`pglite templates in ${Date.now() - t0} ms`);
    return { empty, demo };
  } finally {
    await db.close();
  }
}

async function buildPostgres(runId: string): Promise<Templates["postgres"]> {
  const t0 = Date.now();
  const demo = `gk_tpl_${runId}`;
  const empty = `gk_tpl_${runId}_empty`;
  await admin((c) => c.query(`create database ${demo}`));
  let db = await openPostgres(dbUrl(demo), 4);
  await migrate(db);
  // Every connection to a template must be gone before it can be copied.
  await db.close();
  await createFromTemplate(empty, demo);
  db = await openPostgres(dbUrl(demo), 4);
  await seedDemo(db);
  await db.query("vacuum analyze");
  await db.close();
  // Marked as a template, it refuses new connections by mistake (datallowconn) and can be copied by any role.
  await admin(async (c) => {
    for (const n of [demo, empty])
      await c.query(`alter database ${n} with is_template true allow_connections false`);
  });
  log(`postgres templates in ${Date.now() - t0} ms`);
  return { empty, demo };
}

/**
 * CREATE DATABASE name TEMPLATE template. PostgreSQL refuses while any session is connected to the template;
 * a pool that has just ended may leave its server processes exiting for a moment, so retry briefly.
 */
export async function createFromTemplate(name: string, template: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin((c) => c.query(`create database ${name} template ${template}`));
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== "55006" || attempt >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function dropTemplates(t: Templates): Promise<void> {
  fs.rmSync(path.dirname(t.pglite.demo), { recursive: true, force: true });
  if (!t.postgres) return;
  await admin(async (c) => {
    for (const n of [t.postgres!.demo, t.postgres!.empty]) {
      await c.query(`alter database ${n} with is_template false`).catch(() => {});
      await c.query(`drop database if exists ${n} with (force)`);
    }
  });
}

// The integration and browser projects each name this global setup; one build serves both.
const shared = globalThis as typeof globalThis & {
  __gkTemplates?: { built: Promise<Templates>; users: number };
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!shared.__gkTemplates) {
    const runId = `${Date.now().toString(36)}${crypto.randomBytes(3).toString("hex")}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gk-tpl-${runId}-`));
    const built = (async () => {
      // PGlite seeds in this process, PostgreSQL mostly in its server: the two overlap.
      const [pglite, postgres] = await Promise.all([
        buildPglite(dir),
        process.env.TEST_DATABASE_URL ? buildPostgres(runId) : Promise.resolve(undefined),
      ]);
      return { pglite, postgres };
    })();
    shared.__gkTemplates = { built, users: 0 };
  }
  const entry = shared.__gkTemplates;
  entry.users++;
  project.provide("gkTemplates", await entry.built);
  return async () => {
    if (--entry.users > 0) return;
    shared.__gkTemplates = undefined;
    await dropTemplates(await entry.built);
  };
}
