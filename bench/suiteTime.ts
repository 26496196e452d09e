// Issue 9, point 6: the test suite's time against its anchor, measured in the same run on the same machine.
// The anchor is the suite as it stood when the issue was filed (commit 2ee76ed: 42 test files, every
// integration file seeding its own demo), run with its own `npm test` from a worktree of its own. Beside it:
// the same 42 files in today's code (`node scripts/test.mjs <files>`), and with --whole today's whole
// `npm test`. Runs alternate (anchor, today, anchor, today …) so a machine that slows down or warms up
// weighs on both; each starts cold as CI does (no built web, no Vite cache). Wall time, the machine's busy
// CPU time (from /proc/stat: user + nice + system + irq + softirq + steal, all cores) and the load average.
//
//   node --import tsx bench/suiteTime.ts [--anchor 2ee76ed] [--runs 2] [--whole]
//
// TEST_DATABASE_URL (default postgres://root@127.0.0.1:5432/test) is set for both, so both run their
// PostgreSQL tests too. The anchor's worktree is kept under /tmp/gk-bench for the next run.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { arg, BENCH_TMP, log, ROOT, result } from "./lib.ts";

const anchor = arg("anchor", "2ee76ed")!;
const runs = Number(arg("runs", "2"));
const whole = arg("whole") === "true";
const env = {
  ...process.env,
  TEST_DATABASE_URL: process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test",
};

function git(args: string[], cwd = ROOT): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Busy and total jiffies of all cores (the first line of /proc/stat). */
function cpu(): { busy: number; all: number } {
  const [, ...f] = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f.map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, all: busy + idle! + iowait! };
}
const HZ = 100; // USER_HZ on Linux

interface Run {
  what: string;
  wallS: number;
  busyS: number;
  passed: number;
  failed: number;
  load: string;
}

/** Runs a suite from cold (no built web, no Vite cache) and reads its counts from the Vitest JSON report. */
async function suite(what: string, cwd: string, args: string[], report: string): Promise<Run> {
  for (const p of ["dist/web", "node_modules/.vite"])
    fs.rmSync(path.join(cwd, p), { recursive: true, force: true });
  fs.rmSync(path.join(cwd, report), { force: true });
  const load = os.loadavg()[0]!.toFixed(2);
  const c0 = cpu();
  const t0 = performance.now();
  const logFile = path.join(BENCH_TMP, `suite-${what.replace(/\W+/g, "-")}.log`);
  const out = fs.openSync(logFile, "w");
  const code = await new Promise<number | null>((resolve) => {
    const c = spawn(args[0]!, args.slice(1), { cwd, env, stdio: ["ignore", out, out] });
    c.on("close", resolve);
  });
  fs.closeSync(out);
  const wallS = (performance.now() - t0) / 1000;
  const busyS = (cpu().busy - c0.busy) / HZ;
  let passed = 0;
  let failed = 0;
  try {
    const j = JSON.parse(fs.readFileSync(path.join(cwd, report), "utf8"));
    passed = j.numPassedTests;
    failed = j.numFailedTests;
  } catch {
    failed = -1;
  }
  log(`${what}: ${wallS.toFixed(1)} s, exit ${code}, log ${logFile}`);
  return { what, wallS, busyS, passed, failed, load: `${load} → ${os.loadavg()[0]!.toFixed(2)}` };
}

fs.mkdirSync(BENCH_TMP, { recursive: true });
const sha = git(["rev-parse", anchor]);
const tree = path.join(BENCH_TMP, `anchor-${sha.slice(0, 7)}`);
if (!fs.existsSync(path.join(tree, "package.json"))) {
  log(`worktree of ${sha.slice(0, 7)} in ${tree}`);
  spawnSync("git", ["worktree", "prune"], { cwd: ROOT });
  git(["worktree", "add", "--detach", tree, sha]);
}
if (!fs.existsSync(path.join(tree, "node_modules"))) {
  log("npm install in the anchor's worktree");
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: tree, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm install failed in the anchor's worktree");
}
const files = git(["ls-tree", "-r", "--name-only", sha])
  .split("\n")
  .filter((f) => /\.test\.tsx?$/.test(f));
const missing = files.filter((f) => !fs.existsSync(path.join(ROOT, f)));
if (missing.length > 0) throw new Error(`not in today's tree: ${missing.join(", ")}`);
log(`${files.length} test files at ${sha.slice(0, 7)}`);

// Both runners write their counts to the same report (scripts/test.mjs, then and now).
const REPORT = "test-results/vitest.json";
const rows: Run[] = [];
for (let i = 0; i < runs; i++) {
  rows.push(await suite(`anchor ${sha.slice(0, 7)} npm test #${i + 1}`, tree, ["npm", "test"], REPORT));
  rows.push(
    await suite(
      `today, its ${files.length} files #${i + 1}`,
      ROOT,
      [process.execPath, "scripts/test.mjs", ...files],
      REPORT,
    ),
  );
}
if (whole) rows.push(await suite("today, whole npm test", ROOT, ["npm", "test"], REPORT));

const head = git(["rev-parse", "--short", "HEAD"]);
result(`suite time (${os.cpus().length} cores; today = ${head}, anchor = ${sha.slice(0, 7)})`);
result("what | wall s | busy CPU s | passed | failed | load 1 min");
for (const r of rows) {
  result(`${r.what} | ${r.wallS.toFixed(1)} | ${r.busyS.toFixed(0)} | ${r.passed} | ${r.failed} | ${r.load}`);
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const a = median(rows.filter((r) => r.what.startsWith("anchor")).map((r) => r.wallS));
const t = median(rows.filter((r) => r.what.startsWith("today, its")).map((r) => r.wallS));
result(
  `median: today's run of the anchor's files ${t.toFixed(1)} s / anchor ${a.toFixed(1)} s = ${(t / a).toFixed(2)}`,
);
