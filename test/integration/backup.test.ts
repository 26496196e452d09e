import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { BackupError, backup, readHeader, restore } from "../../src/cli/backup.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/open.ts";
import { DEMO_PASSWORD } from "../../src/seed/demo.ts";
import { buildApp } from "../../src/server/app.ts";
import { FieldCrypto } from "../../src/server/platform/crypto.ts";
import { VERSION } from "../../src/version.ts";
import { createTestApp, pgliteFolder } from "../helpers/app.ts";
import { TEST_SECRET } from "../helpers/templates.ts";

// Backup → wipe → restore gives the same counts and a working login; the wrong secret is refused loudly,
// before anything is touched.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gk-backup-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** After a restore: the server starts on it, the demo grid worker signs in, a phone decrypts. */
async function works(config: Config) {
  const database = await openDatabase(config);
  const ctx = { config, database, crypto: new FieldCrypto(config.secret!), version: VERSION };
  const app = await buildApp(ctx, { logger: false, serveWeb: false });
  try {
    const r = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "demo-grid", password: DEMO_PASSWORD },
    });
    expect(r.statusCode, r.body).toBe(200);
    const [row] = await database.query<{ c: string }>(
      "select phone_cipher as c from residents where phone_cipher is not null limit 1",
    );
    expect(ctx.crypto.decrypt(row.c)).toMatch(/^1\d{10}$/);
  } finally {
    await app.close();
    await database.close();
  }
}

describe("backup and restore on PGlite", () => {
  const dir = path.join(tmp, "pglite-data");
  const file = path.join(tmp, "pglite.gkbackup");
  const config = (secret = TEST_SECRET): Config => ({
    ...loadConfig({}),
    dataDir: dir,
    secret,
    logLevel: "silent",
  });

  it("backs up, is wiped, restores the same counts, and signs in", async () => {
    await pgliteFolder(path.join(dir, "pglite"), "demo");
    const h = await backup(config(), file);
    expect(h.kind).toBe("pglite");
    expect(h.counts.residents).toBeGreaterThan(1000);
    expect(h.keyFingerprint).toBe(new FieldCrypto(TEST_SECRET).fingerprint());
    expect(readHeader(file).header).toEqual(h);
    // The file names the key by fingerprint only.
    expect(fs.readFileSync(file).includes(Buffer.from(TEST_SECRET))).toBe(false);

    fs.rmSync(path.join(dir, "pglite"), { recursive: true });
    const r = await restore(config(), file);
    expect(r.counts).toEqual(h.counts);
    await works(config());
  });

  it("refuses a restore under another secret, and over data without --force, changing nothing", async () => {
    fs.rmSync(path.join(dir, "pglite"), { recursive: true });
    const wrong = await restore(config("another-secret"), file).catch((e) => e);
    expect(wrong).toBeInstanceOf(BackupError);
    expect(wrong.message).toContain("加密密钥不符");
    expect(fs.existsSync(path.join(dir, "pglite"))).toBe(false);

    await restore(config(), file);
    const over = await restore(config(), file).catch((e) => e);
    expect(over).toBeInstanceOf(BackupError);
    expect(over.message).toContain("--force");
    const forced = await restore(config(), file, { force: true });
    expect(forced.counts).toEqual(readHeader(file).header.counts);
  });

  it("the CLI says so and exits 1 on the wrong secret; backup refuses while a server holds the folder", () => {
    const run = (args: string[], env: Record<string, string>) =>
      spawnSync(process.execPath, [path.resolve("bin/gridkeeper.js"), ...args], {
        env: { ...process.env, DATABASE_URL: "", GRIDKEEPER_DATA_DIR: dir, LOG_LEVEL: "warn", ...env },
        encoding: "utf8",
        timeout: 60_000,
      });
    const r = run(["restore", "--force", file], { GRIDKEEPER_SECRET: "not-the-one" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("加密密钥不符");
    // A live process holding the data folder's lock (a running server).
    fs.writeFileSync(path.join(dir, "gridkeeper.lock"), String(process.pid));
    try {
      const b = run(["backup", path.join(tmp, "x.gkbackup")], { GRIDKEEPER_SECRET: TEST_SECRET });
      expect(b.status).toBe(1);
      expect(b.stderr).toContain("请先停止服务");
    } finally {
      fs.rmSync(path.join(dir, "gridkeeper.lock"));
    }
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)("backup and restore on PostgreSQL", () => {
  it("backs up a database, restores it into an empty one with the same counts and a working login", async () => {
    const t = await createTestApp("postgres");
    const base = process.env.TEST_DATABASE_URL!;
    const target = `gk_restore_${crypto.randomBytes(5).toString("hex")}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database ${target}`);
    const url = new URL(base);
    url.pathname = `/${target}`;
    const file = path.join(tmp, "pg.gkbackup");
    try {
      const source: Config = {
        ...loadConfig({}),
        dataDir: tmp,
        databaseUrl: (t.ctx.database as any).url,
        secret: TEST_SECRET,
      };
      // The source keeps taking writes while pg_dump reads its snapshot.
      const h = await backup(source, file);
      expect(h.kind).toBe("postgres");
      expect(h.counts.residents).toBeGreaterThan(1000);
      const dest: Config = { ...source, databaseUrl: url.toString() };
      const wrong = await restore({ ...dest, secret: "another" }, file).catch((e) => e);
      expect(wrong.message).toContain("加密密钥不符");
      const r = await restore(dest, file);
      expect(r.counts).toEqual(h.counts);
      await works(dest);
      const again = await restore(dest, file).catch((e) => e);
      expect(again.message).toContain("--force");
      expect((await restore(dest, file, { force: true })).counts).toEqual(h.counts);
    } finally {
      await t.close();
      await admin.query(`drop database if exists ${target} with (force)`);
      await admin.end();
    }
  });
});
