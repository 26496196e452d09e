import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/open.ts";
import { buildApp } from "../../src/server/app.ts";
import { FieldCrypto } from "../../src/server/platform/crypto.ts";
import { VERSION } from "../../src/version.ts";
import { DB_KINDS } from "../helpers/app.ts";

// `gridkeeper upgrade-check` on the database of the first release: test/fixtures/first-release.sql.gz was
// made by that release's own code (scripts/fixtures/first-release.sh checks out commit c1fc2f7, seeds the
// demo community with its CLI and dumps it), so its schema is migration 0000 alone and its ID numbers and
// phones are encrypted as that release did. The CLI, run as a process, reports and migrates it; today's
// server then opens it with the same rows, the demo grid worker signs in and a phone decrypts.
// On PGlite the fixture is loaded into a fresh data folder (the same PGlite line as the first release's).

const FIXTURE = path.resolve("test/fixtures/first-release.sql.gz");
const SECRET = "first-release-fixture";
const sql = zlib.gunzipSync(fs.readFileSync(FIXTURE)).toString("utf8");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gk-upgrade-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    let out = "";
    const child = spawn(process.execPath, [path.resolve("bin/gridkeeper.js"), ...args], {
      env: { ...process.env, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe.each(DB_KINDS)("upgrade-check of the first release's database on %s", (kind) => {
  const dataDir = path.join(tmp, kind);
  let url: string | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  afterAll(async () => dropDb?.());

  const env = (secret = SECRET): Record<string, string> => ({
    GRIDKEEPER_SECRET: secret,
    GRIDKEEPER_DATA_DIR: dataDir,
    ...(url ? { DATABASE_URL: url } : {}),
  });
  const config = (): Config => ({
    ...loadConfig({}),
    dataDir,
    secret: SECRET,
    logLevel: "silent",
    databaseUrl: url,
  });

  it("reports what it finds, refuses the wrong key untouched, migrates, and keeps every row", async () => {
    if (kind === "pglite") {
      fs.mkdirSync(path.join(dataDir, "pglite"), { recursive: true });
      const client = await PGlite.create({ dataDir: path.join(dataDir, "pglite") });
      await client.exec(sql);
      await client.close();
    } else {
      const admin = process.env.TEST_DATABASE_URL!;
      const name = `gk_upgrade_${crypto.randomBytes(4).toString("hex")}`;
      const a = new pg.Client({ connectionString: admin });
      await a.connect();
      await a.query(`create database ${name}`);
      await a.end();
      const u = new URL(admin);
      u.pathname = `/${name}`;
      url = u.toString();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(sql);
      await c.end();
      dropDb = async () => {
        const d = new pg.Client({ connectionString: admin });
        await d.connect();
        await d.query(`drop database if exists ${name} with (force)`);
        await d.end();
      };
    }

    const dry = await cli(["upgrade-check", "--dry-run", "--json"], env());
    expect(dry.code, dry.out).toBe(0);
    const report = JSON.parse(dry.out.trim().split("\n").pop()!);
    const journal = JSON.parse(fs.readFileSync("src/db/migrations/meta/_journal.json", "utf8"));
    expect(report).toMatchObject({
      kind,
      before: { applied: 1, latest: "0000_platform" },
      shipped: journal.entries.length,
      applied: [],
      key: "ok",
      countsAfter: null,
    });
    expect(report.pending).toEqual(journal.entries.slice(1).map((e: { tag: string }) => e.tag));
    const before = report.countsBefore;
    expect(before).toMatchObject({ accounts: 7, residents: 300 });
    expect(before.org_units).toBeGreaterThan(1000);

    // Another key would leave every ID number and phone unreadable: refused, nothing migrated.
    const wrong = await cli(["upgrade-check"], env("another-secret"));
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain("加密密钥不符");

    const run = await cli(["upgrade-check"], env());
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain("已应用迁移 1 个（最新 0000_platform）");
    expect(run.out).toContain(`已执行迁移 ${journal.entries.length - 1} 个`);
    expect(run.out).toContain("迁移后行数不变");
    console.info(`upgrade-check on ${kind}:\n${run.out}`);

    const again = await cli(["upgrade-check"], env());
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain("已是最新，无需迁移");

    // Today's server on it: the same rows, a working sign-in, a phone of the first release read back.
    const database = await openDatabase(config());
    const ctx = { config: config(), database, crypto: new FieldCrypto(SECRET), version: VERSION };
    const app = await buildApp(ctx, { logger: false, serveWeb: false });
    try {
      for (const [table, n] of Object.entries(before))
        expect(
          (await database.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n,
          table,
        ).toBe(n);
      const login = await app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { username: "demo-grid", password: "Demo@2026" },
      });
      expect(login.statusCode, login.body).toBe(200);
      const cookie = String(login.headers["set-cookie"]).split(";")[0];
      const list = await app.inject({ url: "/api/residents?pageSize=5", headers: { cookie } });
      expect(list.statusCode, list.body).toBe(200);
      const [row] = await database.query<{ c: string }>(
        "select phone_cipher as c from residents where phone_cipher is not null order by id limit 1",
      );
      expect(ctx.crypto.decrypt(row.c)).toMatch(/^1\d{10}$/);
    } finally {
      await app.close();
      await database.close();
    }
  }, 600_000);
});
