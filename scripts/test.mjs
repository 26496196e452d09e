// Runs the whole suite (unit, integration on PGlite and on PostgreSQL when TEST_DATABASE_URL is set,
// browser) and ends with the one summary line CI reads: "N passed, N failed".
//
// The browser tests need three Debian packages that npm cannot install: chromium, fonts-noto-cjk (Chinese in
// pages and PDFs) and poppler-utils (pdftoppm renders a printed card). On a fresh machine this installs them
// when it can (root with apt-get), and otherwise names what is missing in one line before running nothing.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const has = (cmd, args = ["--version"]) => spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
const onPath = (cmd) => has("sh", ["-c", `command -v ${cmd}`]);

function missingPackages() {
  const need = [];
  if (!fs.existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium")) need.push("chromium");
  const fonts = spawnSync("fc-list", [":lang=zh"], { encoding: "utf8" });
  const noto = "/usr/share/fonts/opentype/noto";
  const cjk =
    (fonts.status === 0 && /noto (sans|serif) cjk/i.test(fonts.stdout)) ||
    (fs.existsSync(noto) && fs.readdirSync(noto).some((f) => f.includes("CJK")));
  if (!cjk) need.push("fonts-noto-cjk");
  if (!onPath("pdftoppm")) need.push("poppler-utils");
  return need;
}

/**
 * Not required — the tests run in chromium without it — but lighter (test/browser/chromium.ts): installed
 * along with the others where they can be.
 */
function wantedPackages() {
  const shell = "/usr/lib/chromium/chromium-headless-shell";
  return process.env.CHROMIUM_PATH || fs.existsSync(shell) ? [] : ["chromium-headless-shell"];
}

/** Only the browser project needs them: `npm test -- --project unit` runs without. */
function browserTestsRun(args) {
  const projects = args.flatMap((a, i) =>
    a === "--project" ? [args[i + 1]] : a.startsWith("--project=") ? [a.slice(10)] : [],
  );
  return projects.length === 0 || projects.includes("browser");
}

function finish(passed, failed, status) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || status !== 0 ? 1 : 0);
}

const args = process.argv.slice(2);
if (browserTestsRun(args)) {
  let need = missingPackages();
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const wanted = wantedPackages();
  const install = [...need, ...wanted];
  if (install.length > 0 && root && onPath("apt-get")) {
    console.log(`安装浏览器测试所需的系统包 / installing: ${install.join(" ")}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    // The wanted one apart: should it fail to install, the required ones are in all the same.
    for (const pkgs of [need, wanted].filter((p) => p.length > 0)) {
      spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...pkgs], {
        stdio: ["ignore", "ignore", "inherit"],
        env,
      });
    }
    need = missingPackages();
  }
  if (need.length > 0) {
    console.log(
      `缺少浏览器测试所需的系统包 / missing system packages: ${need.join(" ")} — run: sudo apt-get install -y ${need.join(" ")}`,
    );
    finish(0, 1, 1);
  }
}

fs.mkdirSync("test-results", { recursive: true });
const out = "test-results/vitest.json";
fs.rmSync(out, { force: true });
const r = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${out}`,
    ...args,
  ],
  { stdio: "inherit" },
);
let passed = 0;
let failed = 0;
try {
  const j = JSON.parse(fs.readFileSync(out, "utf8"));
  passed = j.numPassedTests;
  failed = j.numFailedTests + (j.numRuntimeErrorTestSuites ?? 0);
  if (!j.success && failed === 0) failed = 1; // a suite that crashed before its tests ran
} catch {
  failed = 1;
}
if (r.status !== 0 && failed === 0) failed = 1;
finish(passed, failed, r.status);
