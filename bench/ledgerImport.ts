// Other people's requests while a 7,000-row ledger import runs (issue 10, point 1): the latency of
// GET /api/health and of an order list page, sampled by a second client over real HTTP, first with no
// import running (the anchor, same process, same run) and then while the import's background job writes
// its chunks. On the embedded database (PGlite, one connection) this is where an import could starve
// everyone else.
//
//   node --import tsx bench/ledgerImport.ts [--rows 7000]
import { monitorEventLoopDelay } from "node:perf_hooks";
import ExcelJS from "exceljs";
import { loadConfig } from "../src/config.ts";
import { openPglite } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { DEMO_COMMUNITY, DEMO_PASSWORD, loadDemo } from "../src/seed/demo.ts";
import { buildApp } from "../src/server/app.ts";
import { FieldCrypto } from "../src/server/platform/crypto.ts";
import { warmSpreadsheetReader } from "../src/server/platform/spreadsheet/index.ts";
import { VERSION } from "../src/version.ts";
import { arg, ms, now, secs, stats } from "./lib.ts";

const ROWS = Number(arg("rows", "7000"));
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const TAGS = ["独居", "空巢", "高龄80+", "慢病", "低保"];

const database = await openPglite(undefined);
await migrate(database);
const crypto = new FieldCrypto("bench-ledger-import");
process.stdout.write("loading the demo community… ");
await loadDemo(database, crypto, { scope: DEMO_COMMUNITY, seed: 1 });
console.log("done");
const ctx = { config: { ...loadConfig({}), logLevel: "silent" }, database, crypto, version: VERSION };
const app = await buildApp(ctx as never, { logger: false, serveWeb: false });
await app.listen({ port: 0, host: "127.0.0.1" });
warmSpreadsheetReader(); // as `gridkeeper serve` does after listening
const addr = app.server.address();
const base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;

async function login(username: string) {
  const r = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  const cookie = String(r.headers.get("set-cookie")).split(";")[0];
  return { cookie, "x-csrf-token": ((await r.json()) as { csrfToken: string }).csrfToken };
}
const admin = await login("demo-community");
const reader = await login("demo-commander");

// The ledger: the community's own residents with a change of category, so every row is written.
const people = await database.query<{ name: string; idCipher: string; tags: string[] }>(
  // (an ID number the demo gave twice would be refused as a name mismatch, as it should)
  `select name, id_cipher as "idCipher", tags from residents
   where id_hash in (select id_hash from residents group by id_hash having count(*) = 1) order by id limit ${ROWS}`,
);
async function ledger(rows: typeof people) {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet("重点人群台账");
  sheet.addRow(["序号", "姓名", "身份证号", "人群类别", "备注"]);
  for (const [i, p] of rows.entries())
    sheet.addRow([i + 1, p.name, crypto.decrypt(p.idCipher), TAGS[i % TAGS.length], ""]);
  return Buffer.from(await book.xlsx.writeBuffer());
}
let file: Awaited<ReturnType<typeof ledger>>;
const [community] = await database.query<{ id: number }>("select id from org_units where code = $1", [
  DEMO_COMMUNITY,
]);

/** A second user's requests, one after another with 20 ms between them, until `until` says stop. */
async function sample(until: () => boolean) {
  const health: number[] = [];
  const list: number[] = [];
  while (!until()) {
    let t = now();
    await (await fetch(`${base}/api/health`)).arrayBuffer();
    health.push(now() - t);
    t = now();
    await (await fetch(`${base}/api/orders?page=1&pageSize=20`, { headers: reader })).arrayBuffer();
    list.push(now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { health: stats(health), list: stats(list) };
}

// Anchor: the same requests with nothing else running, for as long as the import will take (≥ 10 s).
const stop = now() + 10_000;
const idle = await sample(() => now() > stop);

const upload = () =>
  fetch(`${base}/api/care/ledger/import?org=${community.id}&filename=ledger.xlsx`, {
    method: "POST",
    headers: { ...admin, "content-type": XLSX },
    body: file,
  });
// The demo registry has a few rows the import rightly refuses (a repeated name, say). As an admin would,
// leave them out: a trial upload with one row certain to fail is refused whole (nothing is written) and
// names every bad row; the measured upload then carries only good ones.
for (let tries = 0; tries < 3; tries++) {
  const trial = await ledger([...people, { name: "", idCipher: people[0].idCipher, tags: [] }]);
  const r = await fetch(`${base}/api/care/ledger/import?org=${community.id}&filename=trial.xlsx`, {
    method: "POST",
    headers: { ...admin, "content-type": XLSX },
    body: trial,
  });
  const b = (await r.json()) as { error?: { details?: { rows?: { row: number }[] } } };
  if (r.status !== 422) throw new Error(`the trial upload answered ${r.status}`);
  const bad = new Set((b.error?.details?.rows ?? []).map((x) => x.row - 2));
  bad.delete(people.length); // the planted row
  if (!bad.size) break;
  people.splice(0, people.length, ...people.filter((_, i) => !bad.has(i)));
}
file = await ledger(people);

// Event-loop delay of the server's process: how long any request could have waited for the thread.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
await sample(
  (
    (end) => () =>
      now() > end
  )(now() + 2_000),
);
loop.disable();
const idleLoopMax = loop.max / 1e6;
loop.reset();

// From here on the second user samples: while the file is read in its worker, and while the job writes.
let done = false;
loop.enable();
const busyRun = sample(() => done);
const started = now();
const post = await upload();
const body = (await post.json()) as { job?: { id: number }; id?: number };
const accepted = now() - started;
if (post.status !== 202) throw new Error(`import answered ${post.status}: ${JSON.stringify(body)}`);
const jobId = body.job?.id ?? body.id;
let final: Record<string, unknown> = {};
const poll = (async () => {
  while (!done) {
    const j = (await (await fetch(`${base}/api/jobs/${jobId}`, { headers: admin })).json()) as Record<
      string,
      unknown
    >;
    if (j.state === "succeeded" || j.state === "failed") {
      done = true;
      final = j;
    } else await new Promise((r) => setTimeout(r, 200));
  }
})();
await poll;
const busy = await busyRun;
loop.disable();
const busyLoopMax = loop.max / 1e6;
const took = now() - started;

const row = (what: string, s: ReturnType<typeof stats>) =>
  `  ${what.padEnd(34)} n=${String(s.n).padStart(4)}  p50 ${ms(s.p50).padStart(6)} ms  p99 ${ms(s.p99).padStart(6)} ms  max ${ms(s.max).padStart(6)} ms`;
console.log(
  `\nledger import of ${people.length} rows (${(file.length / 1024).toFixed(0)} KB xlsx) on PGlite`,
);
console.log(
  `  upload answered ${post.status} in ${ms(accepted)} ms; job ${final.state} after ${secs(took)} s`,
);
console.log(row("GET /api/health, no import", idle.health));
console.log(row("GET /api/health, upload + import", busy.health));
console.log(row("GET /api/orders page, no import", idle.list));
console.log(row("GET /api/orders page, upload+import", busy.list));
console.log(
  `  event-loop delay max: ${ms(idleLoopMax)} ms with nothing running, ${ms(busyLoopMax)} ms during upload + import`,
);
await app.close();
await database.close();
