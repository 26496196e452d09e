import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { DEMO_PASSWORD } from "../../src/seed/demo.ts";

// Throw-away PostgreSQL clusters and server processes for the fault tests. A cluster of our own (initdb in
// /tmp, its own port) may be stopped and restarted at will; the shared server on 5432 is never touched.

const BIN = "/usr/lib/postgresql/15/bin";

/** A session on a running server, signed in over HTTP as a browser would be. */
export interface HttpSession {
  cookie: string;
  csrf: string;
}

export async function loginOver(
  base: string,
  username: string,
  password = DEMO_PASSWORD,
): Promise<HttpSession> {
  const r = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  return { cookie: String(r.headers.get("set-cookie")).split(";")[0], csrf: (await r.json()).csrfToken };
}

/** The headers a write needs: the session cookie and its CSRF token. */
export const sessionHeaders = (s: HttpSession) => ({ cookie: s.cookie, "x-csrf-token": s.csrf });

export const hasPgBinaries = () => fs.existsSync(path.join(BIN, "initdb"));

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Runs a PostgreSQL tool as the postgres user (initdb and the server refuse to run as root). */
function asPostgres(tool: string, args: string[]): string {
  const runAs = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  const [cmd, ...rest] = [...runAs, path.join(BIN, tool), ...args];
  return execFileSync(cmd, rest, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export interface Cluster {
  port: number;
  dir: string;
  /** A URL to a database on it (as the superuser "root", trusted on loopback). */
  url(db?: string): string;
  start(): void;
  /** fast: sessions are ended, as an orderly restart; immediate: as a crash. */
  stop(mode?: "fast" | "immediate"): void;
  destroy(): void;
}

/** initdb a new cluster in /tmp and start it on a free port; with `replicaOf`, a streaming replica of that one. */
export async function createCluster(extraConf: string[] = [], replicaOf?: Cluster): Promise<Cluster> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gk-pg-"));
  fs.chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  fs.mkdirSync(data);
  fs.chownSync(data, uidOf("postgres"), gidOf("postgres"));
  fs.chmodSync(data, 0o700);
  if (replicaOf)
    asPostgres("pg_basebackup", [
      "-D",
      data,
      "-R",
      "-X",
      "stream",
      // A fast checkpoint: the default spread one makes the copy wait minutes.
      "--checkpoint=fast",
      "-h",
      "127.0.0.1",
      "-p",
      String(replicaOf.port),
      "-U",
      "root",
    ]);
  else
    asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "root", "--no-sync", "-E", "UTF8", "--locale=C"]);
  fs.appendFileSync(
    path.join(data, "postgresql.conf"),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      "fsync = off",
      "shared_buffers = 64MB",
      "max_connections = 60",
      ...extraConf,
      "",
    ].join("\n"),
  );
  const c: Cluster = {
    port,
    dir,
    url: (db = "postgres") => `postgres://root@127.0.0.1:${port}/${db}`,
    start() {
      asPostgres("pg_ctl", ["-D", data, "-l", path.join(dir, "log"), "-w", "-t", "30", "start"]);
    },
    stop(mode = "fast") {
      asPostgres("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "30", "stop"]);
    },
    destroy() {
      try {
        c.stop("immediate");
      } catch {}
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  c.start();
  return c;
}

function uidOf(user: string): number {
  return Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
}
function gidOf(user: string): number {
  return Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
}

/** Copies a database from one server to another with pg_dump | pg_restore (the target database is created). */
export function copyDatabaseTo(fromUrl: string, toAdminUrl: string, name: string): string {
  execFileSync("psql", [toAdminUrl, "-qc", `create database ${name}`]);
  const to = new URL(toAdminUrl);
  to.pathname = `/${name}`;
  execFileSync(
    "bash",
    [
      "-c",
      `pg_dump --format=custom --no-owner --no-privileges --dbname="$1" | pg_restore --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$2"`,
      "copy",
      fromUrl,
      to.toString(),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return to.toString();
}

export interface ServerProcess {
  port: number;
  child: ChildProcess;
  base: string;
  log(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `gridkeeper serve` on a free port and waits until it answers /api/health/live. With `dataDir` (a
 * PGlite folder to restart on after a kill) the folder is the caller's and outlives the process.
 */
export async function startServer(
  env: Record<string, string>,
  opts: { dataDir?: string; readyMs?: number } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "gk-srv-"));
  let out = "";
  const child = spawn(process.execPath, [path.resolve("bin/gridkeeper.js"), "serve"], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      GRIDKEEPER_DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    out += d;
  });
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + (opts.readyMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    try {
      if ((await fetch(`${base}/api/health/live`)).ok) break;
    } catch {}
    if (Date.now() > until) {
      // Not left running on the data folder for the next test to trip over.
      child.kill("SIGKILL");
      throw new Error(`server did not come up: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    child,
    base,
    log: () => out,
    async kill(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill(signal);
      await gone;
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
