import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freshDatabase, pgliteFolder } from "../../test/helpers/app.ts";

const BIN = path.resolve("bin/gridkeeper.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gk-cli-"));
const env = (extra: Record<string, string>) => ({
  ...process.env,
  DATABASE_URL: "",
  LOG_LEVEL: "warn",
  ...extra,
});

/**
 * Runs the CLI to its exit. Asynchronous, not spawnSync: the tests run concurrently, and a synchronous spawn
 * would stop this file's event loop (another test's health polls and exit events) for as long as it runs.
 */
function run(
  args: string[],
  extra: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [BIN, ...args], { env: env(extra) });
    let stdout = "";
    let stderr = "";
    c.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    c.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    // A hang ends here at the latest (each test has its own, shorter or equal, limit too).
    const timer = setTimeout(() => c.kill("SIGTERM"), 110_000);
    c.on("error", reject);
    c.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitForHealth(port: number, ms = 40_000): Promise<any> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (r.ok) return r.json();
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("server did not come up");
}

// Concurrent: each test has its own folder, port or database, and most of their time is a child process
// seeding (CPU) or a test waiting on one (a server's health, a primary giving up on its workers): one after
// another the file took the sum, 89 s at load 12–15 against 40 s for the seed alone.
describe.concurrent("gridkeeper CLI", () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill("SIGTERM");
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("migrates, seeds, adds a user, and refuses a bad role with a clear message", async () => {
    const dir = path.join(tmp, "a");
    // A copy of the run's migrated database: `migrate` on it finds nothing to do, `seed` fills it.
    await pgliteFolder(path.join(dir, "pglite"), "empty");
    expect((await run(["migrate"], { GRIDKEEPER_DATA_DIR: dir })).status).toBe(0);
    const seeded = await run(["seed", "--scale", "community", "--seed", "3"], { GRIDKEEPER_DATA_DIR: dir });
    expect(seeded.status, seeded.stderr).toBe(0);
    expect(seeded.stdout).toMatch(/共 \d{4,} 人/);
    const ok = await run(
      [
        "user",
        "add",
        "--username",
        "admin1",
        "--role",
        "sysadmin",
        "--org",
        "320613",
        "--password",
        "Secret123",
      ],
      { GRIDKEEPER_DATA_DIR: dir },
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("账号已创建");
    const bad = await run(
      ["user", "add", "--username", "clerk2", "--role", "king", "--org", "320613", "--password", "Secret123"],
      { GRIDKEEPER_DATA_DIR: dir },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("未知角色");
  }, 120_000);

  it("a second server on the same PGlite folder refuses with a clear message", async () => {
    const dir = path.join(tmp, "b");
    await pgliteFolder(path.join(dir, "pglite"), "empty");
    // A port of its own, not a fixed one another run of this file on the machine may hold.
    const port = await freePort();
    const first = spawn(process.execPath, [BIN, "serve"], {
      env: env({ GRIDKEEPER_DATA_DIR: dir, PORT: String(port) }),
      stdio: "pipe",
    });
    children.push(first);
    const health = await waitForHealth(port);
    expect(health.db).toBe("pglite");
    const second = await run(["serve"], { GRIDKEEPER_DATA_DIR: dir, PORT: String(await freePort()) });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain("正被另一个 Gridkeeper 进程");
    // The first one is unharmed.
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
  }, 120_000);

  it("an unreachable DATABASE_URL fails fast with a clear message and a non-zero exit", async () => {
    const r = await run(["serve"], {
      DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
      GRIDKEEPER_DATA_DIR: path.join(tmp, "c"),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("无法连接 DATABASE_URL");
  }, 60_000);

  it.runIf(process.env.TEST_DATABASE_URL)(
    "--workers stops with a clear message when its workers cannot start (port taken), instead of restarting them forever",
    async () => {
      const db = await freshDatabase("postgres");
      const taken = net.createServer();
      await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
      const port = (taken.address() as net.AddressInfo).port;
      try {
        const started = Date.now();
        const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const c = spawn(process.execPath, [BIN, "serve", "--workers", "2"], {
            env: env({
              DATABASE_URL: db.url!,
              PORT: String(port),
              HOST: "127.0.0.1",
              GRIDKEEPER_DATA_DIR: path.join(tmp, "w"),
            }),
          });
          children.push(c);
          let stderr = "";
          c.stderr!.on("data", (d) => (stderr += d));
          c.on("exit", (code) => resolve({ code, stderr }));
        });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("未能启动");
        // Stops rather than restarting forever: well inside the test's own limit even on a loaded machine.
        expect(Date.now() - started).toBeLessThan(60_000);
      } finally {
        taken.close();
        await db.close();
      }
    },
    120_000,
  );

  it("--workers needs PostgreSQL: on the embedded database it refuses with a clear message", async () => {
    const r = await run(["serve", "--workers", "2"], { GRIDKEEPER_DATA_DIR: path.join(tmp, "d") });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("多进程（--workers）需要 PostgreSQL");
  }, 60_000);
});
