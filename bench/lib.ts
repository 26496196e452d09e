// Shared helpers for the benchmarks. Benchmarks print a figure next to a physical anchor measured in
// the same run; they never assert. Bench data lives under /tmp, never in the repo.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BENCH_TMP = process.env.GK_BENCH_TMP ?? "/tmp/gk-bench";
/** Same secret for every bench database, so a bench can compute the keyed hashes the server stores. */
export const BENCH_SECRET = "gridkeeper-bench-secret-not-for-production";
export const PG_HOST = process.env.GK_BENCH_PGHOST ?? "127.0.0.1";
export const PG_ADMIN_URL = `postgres://root@${PG_HOST}:5432/postgres`;
export const pgUrl = (db: string) => `postgres://root@${PG_HOST}:5432/${db}`;
/** Where bench/seed.ts leaves its databases for search.ts and coldstart.ts to reuse. */
export const DEFAULT_PG_DB = "gk_bench_district";
export const DEFAULT_PGLITE_DIR = path.join(BENCH_TMP, "pglite-district");

export function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith("--") ? "true" : v;
}

export const now = () => performance.now();

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = now();
  const value = await fn();
  return { ms: now() - t, value };
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: quantile(s, 0.5),
    p95: quantile(s, 0.95),
    p99: quantile(s, 0.99),
    max: s[s.length - 1],
  };
}

export const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
export const secs = (v: number) => (v / 1000).toFixed(1);
export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
export const gb = (bytes: number) => (bytes / 1024 / 1024 / 1024).toFixed(2);

export function duBytes(dir: string): number {
  const r = spawnSync("du", ["-sb", dir], { encoding: "utf8" });
  return Number(r.stdout.split(/\s/)[0]);
}

export function psql(db: string, sql: string): string {
  const r = spawnSync(
    "psql",
    ["-h", PG_HOST, "-U", "root", "-d", db, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
    {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.trim();
}

export function recreatePgDatabase(db: string) {
  psql("postgres", `drop database if exists ${db} with (force)`);
  psql("postgres", `create database ${db}`);
}

export function pgDatabaseExists(db: string): boolean {
  return psql("postgres", `select count(*) from pg_database where datname = '${db}'`) === "1";
}

/** Peak and current RSS (bytes) of a live process, from /proc. */
export function procMem(pid: number): { rss: number; hwm: number } {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Runs the Gridkeeper CLI to completion, echoing its output with a prefix; returns wall time and peak RSS. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  opts: { echo?: (line: string) => boolean } = {},
): Promise<{ ms: number; peakRss: number; output: string }> {
  const t0 = now();
  const child = spawn(process.execPath, ["bin/gridkeeper.js", ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let peakRss = 0;
  const poll = setInterval(() => {
    peakRss = Math.max(peakRss, procMem(child.pid!).hwm);
  }, 200);
  let output = "";
  const onData = (d: Buffer) => {
    const text = d.toString();
    output += text;
    for (const line of text.split("\n"))
      if (line && (opts.echo?.(line) ?? true)) process.stderr.write(`    | ${line}\n`);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const code: number = await new Promise((res) => child.on("exit", (c) => res(c ?? 1)));
  clearInterval(poll);
  if (code !== 0)
    throw new Error(`gridkeeper ${args.join(" ")} exited with ${code}:\n${output.slice(-2000)}`);
  return { ms: now() - t0, peakRss, output };
}

export function log(msg: string) {
  process.stderr.write(`${msg}\n`);
}

/** The figure lines go to stdout (everything else to stderr), so `npx tsx bench/x.ts > out.txt` keeps just the results. */
export function result(line: string) {
  process.stdout.write(`${line}\n`);
}

/** The part of a Fastify instance the HTTP-vs-SQL helpers use (app.inject). */
export type InjectApp = {
  inject(
    opts: any,
  ): Promise<{ statusCode: number; body: string; json(): any; cookies: { name: string; value: string }[] }>;
};

export type BareQuery = { name: string; text: string; params: unknown[] };

/** p50/p95 of an HTTP GET (app.inject) interleaved with its bare SQL; prints EXPLAIN when over target. */
export async function httpVsSql(opts: {
  app: InjectApp;
  database: { query<T = any>(text: string, params?: unknown[]): Promise<T[]> };
  cookie: string;
  url: string;
  bare: BareQuery[];
  label: string;
  target: number;
  n: number;
  warmup?: number;
  /** Stop timing after this many ms (at least 3 samples), for cases that take seconds each. */
  budgetMs?: number;
  explain?: boolean;
  describe?: (body: any) => string;
}) {
  const http: number[] = [];
  const sql: number[] = [];
  let described = "";
  const started = performance.now();
  for (let i = 0; i < (opts.warmup ?? 5) + opts.n; i++) {
    if (opts.budgetMs && http.length >= 3 && performance.now() - started > opts.budgetMs) break;
    let t = now();
    const res = await opts.app.inject({ method: "GET", url: opts.url, headers: { cookie: opts.cookie } });
    const hMs = now() - t;
    if (res.statusCode !== 200)
      throw new Error(`${opts.url}: HTTP ${res.statusCode} ${res.body.slice(0, 500)}`);
    t = now();
    for (const q of opts.bare) await opts.database.query(q.text, q.params);
    const sMs = now() - t;
    if (i >= (opts.warmup ?? 5)) {
      http.push(hMs);
      sql.push(sMs);
    }
    if (i === 0 && opts.describe) described = opts.describe(res.json());
  }
  const h = stats(http);
  const s = stats(sql);
  const over = h.p95 > opts.target;
  result(
    `${opts.label}: HTTP p50 ${ms(h.p50)} ms, p95 ${ms(h.p95)} ms (n=${h.n}${described ? `, ${described}` : ""}) | anchor: bare SQL ` +
      `(${opts.bare.map((q) => q.name).join(" + ")}) p50 ${ms(s.p50)} ms, p95 ${ms(s.p95)} ms${over ? `  ** over ${opts.target} ms target` : ""}`,
  );
  if (over || opts.explain) {
    for (const q of opts.bare) {
      const plan = await opts.database.query<{ "QUERY PLAN": string }>(
        `explain (analyze, buffers) ${q.text}`,
        q.params,
      );
      result(`\nEXPLAIN ANALYZE ${opts.label} — ${q.name}, params ${JSON.stringify(q.params)}:`);
      for (const r of plan) result(`  ${r["QUERY PLAN"]}`);
    }
    result("");
  }
}

export async function injectLogin(app: InjectApp, username: string, password = "Demo@2026") {
  const r = await app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { username, password },
  });
  if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
  const c = r.cookies.find((x) => x.name === "gk_session")!;
  return `gk_session=${c.value}`;
}
