// Runs the whole suite (unit, integration on PGlite and on PostgreSQL when TEST_DATABASE_URL is set,
// browser) and ends with the one summary line CI reads: "N passed, N failed".
import { spawnSync } from "node:child_process";
import fs from "node:fs";

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
    ...process.argv.slice(2),
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
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || r.status !== 0 ? 1 : 0);
