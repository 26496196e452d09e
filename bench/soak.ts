// Soak (issue 19): two `gridkeeper serve` processes on one PostgreSQL database, a mixed load at half of the
// capacity measured in the same run, and every minute each kind's p99 and each process's RSS, so growth
// shows. Mixed load: intake POST /api/orders (each with its Idempotency-Key, as the web app sends them),
// the grid worker's queue, an accept on a fresh order, the order list, and the command dashboard.
//
//   npx tsx bench/soak.ts [--minutes 10] [--probe 15] [--share 0.5] [--reuse]
//
// Database: gk_bench_soak (the demo community 苏阳社区 with its accounts; recreated unless --reuse), dropped
// at the end unless --keep.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { freePort, type HttpSession, loginOver } from "../test/helpers/cluster.ts";
import {
  arg,
  BENCH_SECRET,
  BENCH_TMP,
  ms,
  pgDatabaseExists,
  pgUrl,
  psql,
  ROOT,
  recreatePgDatabase,
  stats,
} from "./lib.ts";

const DB = "gk_bench_soak";
const MINUTES = Number(arg("minutes", "10"));
const PROBE_S = Number(arg("probe", "15"));
const SHARE = Number(arg("share", "0.5"));
const PASSWORD = "Demo@2026";
const log = (m: string) => process.stderr.write(`${m}\n`);
const say = (m: string) => process.stdout.write(`${m}\n`);

const env = {
  ...process.env,
  DATABASE_URL: pgUrl(DB),
  GRIDKEEPER_SECRET: BENCH_SECRET,
  GRIDKEEPER_DATA_DIR: path.join(BENCH_TMP, "soak"),
  LOG_LEVEL: "warn",
  // The soak's single address would hit the public ceiling; it reads staff pages only, but keep it out.
  PUBLIC_RATE_LIMIT: "0",
};

function prepare() {
  if (arg("reuse") && pgDatabaseExists(DB)) return;
  log(`seeding ${DB} (苏阳社区, 2,000 orders)…`);
  recreatePgDatabase(DB);
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, "bin/gridkeeper.js"),
      "seed",
      "--scale",
      "community",
      "--seed",
      "1",
      "--demo-accounts",
      "--orders",
      "2000",
      "--order-days",
      "60",
    ],
    { env, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`seed failed: ${r.stderr}`);
}

interface Server {
  base: string;
  child: ChildProcess;
}

async function start(): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, "bin/gridkeeper.js"), "serve"], {
    env: { ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/api/health/ready`)).ok) return { base, child };
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("server did not come up");
}

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

type Session = HttpSession;
const login = (base: string, username: string) => loginOver(base, username, PASSWORD);

type Kind = "intake" | "queue" | "accept" | "list" | "dashboard";
/** The mix, in shares of all requests. */
const MIX: [Kind, number][] = [
  ["intake", 0.3],
  ["queue", 0.25],
  ["accept", 0.1],
  ["list", 0.2],
  ["dashboard", 0.15],
];

async function main() {
  prepare();
  const servers = [await start(), await start()];
  const base = (i: number) => servers[i % 2].base;
  const agent = await login(servers[0].base, "demo-agent");
  const grid = await login(servers[0].base, "demo-grid");
  const commander = await login(servers[0].base, "demo-community");
  const [residentId] = psql(
    DB,
    "select id from residents where org_path like '%/320613019010-G01/%' order by id limit 50",
  )
    .split("\n")
    .map(Number);
  const fresh: number[] = [];
  let n = 0;

  const send = async (kind: Kind): Promise<{ ok: boolean; ms: number }> => {
    const i = n++;
    const t0 = performance.now();
    const json = (s: Session, extra: Record<string, string> = {}) => ({
      cookie: s.cookie,
      "x-csrf-token": s.csrf,
      "content-type": "application/json",
      ...extra,
    });
    let r: Response;
    try {
      switch (kind) {
        case "intake":
          r = await fetch(`${base(i)}/api/orders`, {
            method: "POST",
            headers: json(agent, { "idempotency-key": crypto.randomUUID() }),
            body: JSON.stringify({
              channel: "hotline_12345",
              categoryCode: "sanitation",
              description: `浸泡测试 ${i}`,
              residentId,
            }),
          });
          if (r.status === 201) fresh.push((await r.clone().json()).id);
          break;
        case "queue":
          r = await fetch(`${base(i)}/api/orders/queue`, { headers: { cookie: grid.cookie } });
          break;
        case "accept": {
          const id = fresh.shift();
          if (!id) return send("queue");
          const cur = await fetch(`${base(i)}/api/orders/${id}`, { headers: { cookie: grid.cookie } });
          const order = (await cur.json()).order;
          r = await fetch(`${base(i + 1)}/api/orders/${id}/actions/accept`, {
            method: "POST",
            headers: json(grid, { "idempotency-key": crypto.randomUUID() }),
            body: JSON.stringify({ version: order.version }),
          });
          // Another role may have acted first: a 409 is an answer, not an error.
          if (r.status === 409) return { ok: true, ms: performance.now() - t0 };
          break;
        }
        case "list":
          r = await fetch(`${base(i)}/api/orders?pageSize=20`, { headers: { cookie: commander.cookie } });
          break;
        case "dashboard":
          r = await fetch(`${base(i)}/api/command/dashboard`, { headers: { cookie: commander.cookie } });
          break;
      }
      await r.arrayBuffer();
      return { ok: r.ok, ms: performance.now() - t0 };
    } catch {
      return { ok: false, ms: performance.now() - t0 };
    }
  };
  const pick = (): Kind => {
    let x = Math.random();
    for (const [k, share] of MIX) {
      x -= share;
      if (x < 0) return k;
    }
    return "list";
  };

  // Capacity: closed loop, 16 clients, PROBE_S seconds.
  log(`capacity probe: 16 clients for ${PROBE_S} s…`);
  let done = 0;
  const probeEnd = Date.now() + PROBE_S * 1000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (Date.now() < probeEnd) {
        await send(pick());
        done++;
      }
    }),
  );
  const capacity = done / PROBE_S;
  const rate = capacity * SHARE;
  say(
    `capacity (mixed, 2 processes, 16 clients): ${capacity.toFixed(0)} req/s; soak at ${(SHARE * 100).toFixed(0)} %: ${rate.toFixed(0)} req/s for ${MINUTES} min`,
  );

  // Soak: open loop at `rate`, a report each minute.
  const perMinute: { kind: Kind; ms: number; ok: boolean }[] = [];
  let errors = 0;
  let total = 0;
  const started = Date.now();
  let issued = 0;
  const inflight = new Set<Promise<void>>();
  say(
    "minute | requests | errors | p99 intake | p99 queue | p99 accept | p99 list | p99 dashboard | p99 all | RSS A MB | RSS B MB",
  );
  for (let minute = 1; minute <= MINUTES; minute++) {
    const end = started + minute * 60_000;
    while (Date.now() < end) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      while (issued < due) {
        issued++;
        const kind = pick();
        const p = send(kind).then((r) => {
          perMinute.push({ kind, ...r });
          if (!r.ok) errors++;
          total++;
        });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const rows = perMinute.splice(0);
    const p99 = (k?: Kind) => stats(rows.filter((r) => !k || r.kind === k).map((r) => r.ms)).p99;
    say(
      [
        minute,
        rows.length,
        rows.filter((r) => !r.ok).length,
        ms(p99("intake")),
        ms(p99("queue")),
        ms(p99("accept")),
        ms(p99("list")),
        ms(p99("dashboard")),
        ms(p99()),
        rssMb(servers[0].child.pid!).toFixed(0),
        rssMb(servers[1].child.pid!).toFixed(0),
      ].join(" | "),
    );
  }
  await Promise.all(inflight);
  say(`total ${total} requests, ${errors} errors (target: 0); RSS per minute above (target: no growth)`);
  const dup = psql(
    DB,
    "select count(*) from (select description from work_orders where description like '浸泡测试 %' group by description having count(*) > 1) d",
  );
  say(`orders filed twice: ${dup} (target: 0)`);
  for (const s of servers) s.child.kill("SIGTERM");
  if (!arg("keep")) {
    await new Promise((r) => setTimeout(r, 1500));
    psql("postgres", `drop database if exists ${DB} with (force)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
