import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { TestProject } from "vitest/node";
import type { Database } from "../../src/db/client.ts";

// Seeding the demo community (~7,300 residents, accounts, care plans) took each test file 20–60 s. This
// global setup seeds it once per run and database kind; every file then starts from a copy: PostgreSQL
// clones a template database (CREATE DATABASE … TEMPLATE), PGlite opens a copy of a data directory folder.

/** What createTestApp clones: the demo at this scope and seed, encrypted with this key. */
export const TEMPLATE_DEMO = { scope: "320613019010", seed: 1 } as const;
export const TEST_SECRET = "test-secret";

export interface Templates {
  /** PGlite data directory folders (to be copied, never opened): migrated and empty, and with the demo loaded. */
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

/**
 * The server's modules, imported when a build needs them rather than with this file: Vitest imports every
 * global setup of a project before running the first, and with the database client, the migrations and the
 * demo seeder this file took ~5 s to import, all of it before the PostgreSQL seed (the longest part of the
 * setup, in a process of its own) could start.
 */
async function server() {
  const [client, { migrate }, { loadDemo }, { FieldCrypto }] = await Promise.all([
    import("../../src/db/client.ts"),
    import("../../src/db/migrate.ts"),
    import("../../src/seed/demo.ts"),
    import("../../src/server/platform/crypto.ts"),
  ]);
  const seedDemo = (database: Database) => loadDemo(database, new FieldCrypto(TEST_SECRET), TEMPLATE_DEMO);
  return { ...client, migrate, seedDemo };
}

/**
 * The PGlite templates: migrated and empty, then with the demo. Given the PostgreSQL demo template (when
 * TEST_DATABASE_URL is set), the demo's rows are copied from it instead of seeded again: generating and
 * encrypting the demo in JavaScript and inserting it through PGlite took 13–15 s of CPU, the copy ~2 s, and
 * both kinds then hold the very same demo.
 */
async function buildPglite(
  dir: string,
  postgres?: Promise<Templates["postgres"]>,
): Promise<Templates["pglite"]> {
  const t0 = Date.now();
  const [{ PGlite }, { pgliteDatabase, migrate, seedDemo }] = await Promise.all([
    import("@electric-sql/pglite"),
    server(),
  ]);
  const client = await PGlite.create();
  const db = pgliteDatabase(client);
  // Checkpointed first: a dump taken between checkpoints makes every copy replay the WAL since the last one
  // as crash recovery when it starts (the demo's copy started 35% faster checkpointed: 2.5 s against 3.8 s).
  // Written out as a folder, not kept as a tarball for PGlite's loadDataDir: a file copies the folder and
  // opens it (a node filesystem), where it read the 128 MB tarball into PGlite's in-memory filesystem. Browser
  // files at the same time and load 13–17: 9.5–11 s against 61–76 s.
  // Only the WAL the copy starts from is kept: after the checkpoint the folder also held the segments
  // PostgreSQL recycles for later (min_wal_size), 4 × 16 MB of the demo's 122 MB that every file copied and
  // deleted again. A segment past the current one is made afresh when the copy needs it.
  const dump = async (name: string) => {
    await db.query("checkpoint");
    const [wal] = await db.query<{ first: string; last: string }>(
      "select redo_wal_file as first, pg_walfile_name(pg_current_wal_insert_lsn()) as last from pg_control_checkpoint()",
    );
    const folder = path.join(dir, name);
    untar(new Uint8Array(await (await client.dumpDataDir("none")).arrayBuffer()), folder);
    const walDir = path.join(folder, "pg_wal");
    for (const f of fs.readdirSync(walDir)) {
      if (/^[0-9A-F]{24}$/.test(f) && (f < wal!.first || f > wal!.last)) fs.rmSync(path.join(walDir, f));
    }
    return folder;
  };
  try {
    await migrate(db);
    const empty = await dump("empty");
    const from = await postgres;
    log(`pglite migrated and dumped; postgres ready at ${Date.now() - t0} ms`);
    if (from) await copyDemo(from.demo, client);
    else await seedDemo(db);
    await db.query("vacuum analyze");
    const demo = await dump("demo");
    log(`pglite templates in ${Date.now() - t0} ms (${from ? "copied from PostgreSQL" : "seeded"})`);
    return { empty, demo };
  } finally {
    await db.close();
  }
}

/**
 * Copies every row of the PostgreSQL demo template into a PGlite migrated by the same migrations, table by
 * table (COPY text format, generated columns left out as COPY leaves them), with triggers off as in a restore
 * (the rows already hold what the triggers would write), then moves each sequence to where PostgreSQL's is.
 */
async function copyDemo(template: string, into: PGlite): Promise<void> {
  await admin((c) => c.query(`alter database ${template} with allow_connections true`));
  const from = new pg.Client({ connectionString: dbUrl(template) });
  await from.connect();
  try {
    const { rows: columns } = await from.query<{ table: string; columns: string[] }>(
      `select c.relname as table, array_agg(quote_ident(a.attname) order by a.attnum) as columns
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
        where n.nspname = 'public' and c.relkind = 'r'
        group by c.relname order by c.relname`,
    );
    await into.exec("set session_replication_role = replica");
    for (const { table, columns: cols } of columns) {
      const list = `public.${pg.escapeIdentifier(table)} (${cols.join(",")})`;
      const chunks: Buffer[] = [];
      await pipeline(
        from.query(copyTo(`COPY ${list} TO STDOUT`)),
        new Writable({
          write(chunk: Buffer, _enc, done) {
            chunks.push(chunk);
            done();
          },
        }),
      );
      if (chunks.length === 0) continue;
      await into.query(`COPY ${list} FROM '/dev/blob'`, [], { blob: new Blob(chunks as BlobPart[]) });
    }
    await into.exec("set session_replication_role = origin");
    const { rows: sequences } = await from.query<{ name: string; value: string }>(
      `select format('%I.%I', schemaname, sequencename) as name, last_value::text as value
         from pg_sequences where schemaname = 'public' and last_value is not null`,
    );
    for (const s of sequences) await into.query("select setval($1, $2::bigint)", [s.name, s.value]);
  } finally {
    await from.end();
    await admin((c) => c.query(`alter database ${template} with allow_connections false`));
  }
}

/** Writes out a tarball as PGlite's dumpDataDir makes it (ustar, uncompressed: folders and plain files). */
function untar(tar: Uint8Array, dir: string): void {
  const text = (h: Uint8Array, from: number, length: number) =>
    Buffer.from(h.subarray(from, from + length))
      .toString("utf8")
      .replace(/\0.*$/s, "");
  for (let at = 0; at + 512 <= tar.length; ) {
    const h = tar.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const name = path.join(dir, text(h, 345, 155), text(h, 0, 100));
    const size = Number.parseInt(text(h, 124, 12).trim() || "0", 8);
    const type = text(h, 156, 1) || "0";
    if (type === "5") fs.mkdirSync(name, { recursive: true, mode: 0o700 });
    else if (type === "0") {
      fs.mkdirSync(path.dirname(name), { recursive: true, mode: 0o700 });
      fs.writeFileSync(name, tar.subarray(at + 512, at + 512 + size), { mode: 0o600 });
    } else throw new Error(`PGlite dump: unexpected tar entry of type ${type} (${name})`);
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

async function buildPostgres(runId: string): Promise<Templates["postgres"]> {
  const t0 = Date.now();
  const { openPostgres, migrate, seedDemo } = await server();
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
 * buildPostgres in a process of its own. Both seeds generate and encrypt the demo in JavaScript, so in one
 * process they took turns on one core, the PGlite seed and the PostgreSQL seed one after another in effect,
 * while every test file waits for both: apart, each has a core.
 */
function buildPostgresApart(runId: string): Promise<Templates["postgres"]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), runId], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (status) => {
      if (status !== 0) return reject(new Error(`PostgreSQL template build exited with ${status}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)!));
    });
  });
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

/**
 * Where the PGlite templates and each file's copy of one live: in memory (/dev/shm, Linux's tmpfs) where
 * there is one. A copy of the demo and its deletion took ~0.55 s of CPU each on the disk (ext4) and ~0.08 s
 * in memory; an integration run makes dozens. Elsewhere, the temporary folder.
 */
function scratchRoot(): string {
  try {
    fs.accessSync("/dev/shm", fs.constants.W_OK);
    return "/dev/shm";
  } catch {
    return os.tmpdir();
  }
}

/**
 * A run killed before its teardown (a timeout, Ctrl-C) leaves its templates behind: ~100 MB on the server
 * and in memory (or the temporary folder) each. Their names start with the run's start time, so a later run
 * drops those older than a day (no run lasts that long, so none still in use).
 */
async function dropStale(): Promise<void> {
  const stale = (runId: string) => {
    const t = Number.parseInt(runId.slice(0, 8), 36);
    return t > Date.UTC(2025, 0, 1) && Date.now() - t > 24 * 3600_000;
  };
  for (const root of new Set([scratchRoot(), os.tmpdir()])) {
    for (const e of fs.readdirSync(root)) {
      if (e.startsWith("gk-tpl-") && stale(e.slice(7))) {
        fs.rmSync(path.join(root, e), { recursive: true, force: true });
      }
    }
  }
  if (!process.env.TEST_DATABASE_URL) return;
  await admin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      "select datname from pg_database where datname ~ '^gk_tpl_[0-9a-z]{8}'",
    );
    for (const { datname } of rows.filter((r) => stale(r.datname.slice(7)))) {
      await c.query(`alter database ${datname} with is_template false`).catch(() => {});
      await c.query(`drop database if exists ${datname} with (force)`).catch(() => {});
    }
  });
}

// The integration and browser projects each name this global setup; one build serves both.
const shared = globalThis as typeof globalThis & {
  __gkTemplates?: { built: Promise<Templates>; users: number };
};

/**
 * Transforms the project's test files and the sources they import (TypeScript → JavaScript, in this process)
 * while the templates build, when this process mostly waits on the PostgreSQL seed: the first file in each
 * worker waited for them afterwards, one request at a time. Two files, browser and integration: they started
 * 0.5–1.3 s sooner (import 7.0–8.0 s → 5.1 s summed).
 */
function warm(project: TestProject): void {
  const env = project.vite.environments.ssr;
  const seen = new Set<string>();
  const visit = async (url: string): Promise<void> => {
    if (seen.has(url) || url.includes("/node_modules/")) return;
    seen.add(url);
    const r = await env.transformRequest(url).catch(() => null);
    await Promise.all([...(r?.deps ?? []), ...(r?.dynamicDeps ?? [])].map(visit));
  };
  const t0 = performance.now();
  void project
    .globTestFiles()
    .then(({ testFiles }) => Promise.all(testFiles.map((f) => visit(f))))
    .then(() =>
      log(`${project.name}: ${seen.size} modules warmed in ${Math.round(performance.now() - t0)} ms`),
    )
    .catch(() => {});
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  warm(project);
  if (!shared.__gkTemplates) {
    const runId = `${Date.now().toString(36)}${crypto.randomBytes(3).toString("hex")}`;
    const dir = fs.mkdtempSync(path.join(scratchRoot(), `gk-tpl-${runId}-`));
    const built = (async () => {
      // PostgreSQL seeds in a child process and its server while PGlite migrates here; PGlite then copies
      // PostgreSQL's demo (or seeds its own without a server). The child first: it is the longest part.
      const building = process.env.TEST_DATABASE_URL ? buildPostgresApart(runId) : undefined;
      building?.catch(() => {});
      await dropStale();
      const [pglite, postgres] = await Promise.all([buildPglite(dir, building), building]);
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

// Run as a program (by buildPostgresApart): builds the PostgreSQL templates and prints their names.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await buildPostgres(process.argv[2])));
}
