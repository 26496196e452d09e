// Cold start benchmark: `gridkeeper serve` and `gridkeeper start` (web already built) on an existing
// district PGlite folder — time from spawn to the first 200 of GET /api/health, and the server's RSS
// after it has served a few searches — beside `node -e 0` spawn time and a bare PGlite open of the folder.
//
//   npx tsx bench/coldstart.ts [--runs 3]
//
// Folder: GK_BENCH_PGLITE_DIR (a GRIDKEEPER_DATA_DIR) or /tmp/gk-bench/pglite-district from bench/seed.ts.
// "Cold" means a fresh process each time; the OS page cache is warm after the first run (the first run's
// figure is printed too).
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { ensureWebBuilt } from "../src/cli/webBuild.ts";
import { DEMO_PASSWORD } from "../src/seed/demo.ts";
import {
  arg,
  BENCH_SECRET,
  DEFAULT_PGLITE_DIR,
  log,
  mb,
  ms,
  now,
  procMem,
  ROOT,
  result,
  stats,
} from "./lib.ts";

const RUNS = Number(arg("runs", "3"));
const dataDir = process.env.GK_BENCH_PGLITE_DIR ?? DEFAULT_PGLITE_DIR;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => res(port));
    });
  });
}

function runToExit(args: string[]): Promise<{ ms: number; stdout: string }> {
  return new Promise((res, rej) => {
    const t = now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.on("exit", (code) =>
      code === 0 ? res({ ms: now() - t, stdout }) : rej(new Error(`${args.join(" ")} exited ${code}`)),
    );
  });
}

/** Bare PGlite open of the same folder in a fresh process: module import, then create + select 1. */
async function pgliteOpen() {
  const script = `
    const t0 = performance.now();
    const { PGlite } = await import("@electric-sql/pglite");
    const t1 = performance.now();
    const db = await PGlite.create({ dataDir: ${JSON.stringify(path.join(dataDir, "pglite"))} });
    await db.query("select 1");
    const t2 = performance.now();
    const rss = process.memoryUsage().rss;
    await db.close();
    console.log(JSON.stringify({ importMs: t1 - t0, openMs: t2 - t1, startupMs: t0, rss }));`;
  const r = await runToExit(["--input-type=module", "-e", script]);
  return {
    wallMs: r.ms,
    ...(JSON.parse(r.stdout) as { importMs: number; openMs: number; startupMs: number; rss: number }),
  };
}

async function getJson(base: string, url: string, cookie?: string) {
  const res = await fetch(base + url, { headers: cookie ? { cookie } : {} });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function bootOnce(command: "serve" | "start") {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t0 = now();
  const child = spawn(process.execPath, ["bin/gridkeeper.js", command], {
    cwd: ROOT,
    env: {
      ...process.env,
      GRIDKEEPER_DATA_DIR: dataDir,
      DATABASE_URL: "",
      PORT: String(port),
      GRIDKEEPER_SECRET: BENCH_SECRET,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  let exited = false;
  const exit = new Promise<void>((res) =>
    child.on("exit", () => {
      exited = true;
      res();
    }),
  );
  let readyMs = 0;
  while (!readyMs) {
    if (exited) throw new Error(`${command} exited before it was ready:\n${out}`);
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.status === 200) readyMs = now() - t0;
      await res.arrayBuffer();
    } catch {}
    if (!readyMs) await new Promise((r) => setTimeout(r, 10));
  }
  const rssReady = procMem(child.pid!).rss;
  const selfReported = /启动用时 (\d+) ms/.exec(out)?.[1];

  // A few searches as two users, then read the server's RSS.
  const searches: number[] = [];
  for (const username of ["demo-community", "demo-commander"]) {
    const login = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${await login.text()}`);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    for (const q of [
      "",
      "q=张",
      "q=zs",
      "q=1234",
      "q=苏阳社区 12幢",
      "tag=living_alone",
      "q=陈秀",
      "q=cxy",
      "page=3",
      "tag=aged_80_plus&q=王",
    ]) {
      const t = now();
      await getJson(base, `/api/residents?${encodeURI(q)}`, cookie);
      searches.push(now() - t);
    }
  }
  if (command === "start") {
    const res = await fetch(`${base}/`);
    const html = await res.text();
    if (res.status !== 200 || !html.includes("<div"))
      throw new Error(`start: GET / → ${res.status}, web not served`);
  }
  const mem = procMem(child.pid!);
  const tStop = now();
  child.kill("SIGTERM");
  await exit;
  return { readyMs, selfReported, rssReady, rss: mem.rss, hwm: mem.hwm, searches, stopMs: now() - tStop };
}

async function main() {
  if (!fs.existsSync(path.join(dataDir, "pglite")))
    throw new Error(`no PGlite district folder at ${dataDir}; run bench/seed.ts --db pglite first`);
  const lock = path.join(dataDir, "gridkeeper.lock");
  if (fs.existsSync(lock)) throw new Error(`${lock} exists: another Gridkeeper process holds this folder`);
  log(`cold start bench on ${dataDir}, ${RUNS} runs each`);
  let built = false;
  await ensureWebBuilt(() => (built = true));
  log(built ? "built the web first (not timed)" : "web already built");

  const spawns: number[] = [];
  for (let i = 0; i < 5; i++) spawns.push((await runToExit(["-e", "0"])).ms);
  const nodeSpawn = stats(spawns);
  const opens: Awaited<ReturnType<typeof pgliteOpen>>[] = [];
  for (let i = 0; i < RUNS; i++) opens.push(await pgliteOpen());
  const openWall = stats(opens.map((o) => o.wallMs));
  const openOnly = stats(opens.map((o) => o.openMs));
  const importOnly = stats(opens.map((o) => o.importMs));
  const anchor =
    `anchor: node -e 0 spawn→exit p50 ${ms(nodeSpawn.p50)} ms; bare PGlite open of the same folder in a fresh process ` +
    `(import ${ms(importOnly.p50)} ms + create+select 1 ${ms(openOnly.p50)} ms) spawn→exit p50 ${ms(openWall.p50)} ms, its RSS after open ${mb(Math.max(...opens.map((o) => o.rss)))} MB`;

  for (const command of ["serve", "start"] as const) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await bootOnce(command));
    const ready = stats(runs.map((r) => r.readyMs));
    const rss = Math.max(...runs.map((r) => r.rss));
    const hwm = Math.max(...runs.map((r) => r.hwm));
    const search = stats(runs.flatMap((r) => r.searches));
    result(
      `coldstart ${command} (pglite ${path.basename(dataDir)}): spawn→first 200 /api/health p50 ${ms(ready.p50)} ms, max ${ms(ready.max)} ms, first run ${ms(runs[0].readyMs)} ms` +
        ` (server's own 启动用时 ${runs.map((r) => r.selfReported ?? "?").join("/")} ms); RSS ready ${mb(runs[0].rssReady)} MB, after ${runs[0].searches.length} searches ${mb(rss)} MB` +
        ` (per run ${runs.map((r) => mb(r.rss)).join("/")} MB, peak ${mb(hwm)} MB), search p50 ${ms(search.p50)} ms p95 ${ms(search.p95)} ms over real HTTP | ${anchor}`,
    );
  }
}

await main();
