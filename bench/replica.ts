// Read replica (issue 19, point 2): the command dashboard read from a streaming replica against the same read
// from the primary, both under the same intake load, and how far the replica trails. Two clusters of our own
// (initdb, then pg_basebackup for the standby, as test/helpers/cluster.ts makes them), the demo community with
// 2,000 orders seeded on the primary by the CLI.
//
//   npx tsx bench/replica.ts [--seconds 60] [--clients 4]
//
// Figures (each beside its anchor of the same run):
// - dashboard p50/p95 through an app whose DATABASE_REPLICA_URL is the standby, and through one on the primary
//   alone, the two taking turns while intake runs; anchor: a bare `select 1` on each pool in the same loop;
// - replication lag: after a commit on the primary (beside the intake's), the time until a client sees the
//   standby replayed past the primary's WAL position (looked at every 2 ms); p50/p95/p99; anchor: one look's
//   round trip, and how many commits were not yet replayed at the first look;
// - intake rate during the run, and the load average (uptime) at start and end.

import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadConfig } from "../src/config.ts";
import { type Database, openPostgres } from "../src/db/client.ts";
import { withReplica } from "../src/db/replica.ts";
import { buildApp } from "../src/server/app.ts";
import type { AppContext } from "../src/server/context.ts";
import { FieldCrypto } from "../src/server/platform/crypto.ts";
import { VERSION } from "../src/version.ts";
import { createCluster } from "../test/helpers/cluster.ts";
import { arg, BENCH_SECRET, log, ms, ROOT, result, stats } from "./lib.ts";

const SECONDS = Number(arg("seconds", "60"));
const CLIENTS = Number(arg("clients", "4"));
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

async function main() {
  const loadStart = load();
  log(`load average at start: ${loadStart}`);
  const primary = await createCluster(["wal_level = replica", "max_wal_senders = 4"]);
  let standby: Awaited<ReturnType<typeof createCluster>> | undefined;
  const dbs: Database[] = [];
  try {
    spawnSync("psql", [primary.url(), "-qc", "create database gk_bench_replica"]);
    const url = primary.url("gk_bench_replica");
    log("seeding the primary (苏阳社区, 2,000 orders)…");
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gk-bench-replica-"));
    const seed = spawnSync(
      process.execPath,
      [
        path.join(ROOT, "bin/gridkeeper.js"),
        "seed",
        "--scale",
        "community",
        "--demo-accounts",
        "--orders",
        "2000",
        "--order-days",
        "60",
      ],
      {
        env: {
          ...process.env,
          DATABASE_URL: url,
          GRIDKEEPER_SECRET: BENCH_SECRET,
          GRIDKEEPER_DATA_DIR: dataDir,
          LOG_LEVEL: "warn",
        },
        encoding: "utf8",
      },
    );
    if (seed.status !== 0) throw new Error(`seed failed: ${seed.stderr}`);
    log("standby by pg_basebackup…");
    standby = await createCluster([], primary);
    const replicaUrl = standby.url("gk_bench_replica");

    const config = { ...loadConfig({}), logLevel: "silent", dataDir };
    const crypt = new FieldCrypto(BENCH_SECRET);
    const onPrimary = await openPostgres(url, 8);
    const withStandby = withReplica(await openPostgres(url, 8), replicaUrl, { maxLagMs: 5000 });
    dbs.push(onPrimary, withStandby);
    const appOf = (database: Database) =>
      buildApp({ config, database, crypto: crypt, version: VERSION } as AppContext, {
        logger: false,
        serveWeb: false,
      });
    const primaryApp = await appOf(onPrimary);
    const replicaApp = await appOf(withStandby);
    for (let i = 0; i < 100 && !withStandby.replicaStatus!().healthy; i++) await sleep(100);
    if (!withStandby.replicaStatus!().healthy) throw new Error("the standby never became healthy");

    const login = async (app: typeof primaryApp, username: string) => {
      const r = await app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { username, password: "Demo@2026" },
      });
      if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode}`);
      return { cookie: String(r.headers["set-cookie"]).split(";")[0], csrf: r.json().csrfToken as string };
    };
    const agent = await login(primaryApp, "demo-agent");
    // The commander only reads (no write of theirs keeps them on the primary).
    const commander = (await login(primaryApp, "demo-community")).cookie;
    const [{ id: residentId }] = await onPrimary.query<{ id: number }>(
      "select id from residents where org_path like '%/320613019010-G01/%' order by id limit 1",
    );
    // Bare pools for the anchors and the lag probe.
    const bareP = await openPostgres(url, 2);
    const bareR = await openPostgres(replicaUrl, 2);
    dbs.push(bareP, bareR);

    let stop = false;
    let filed = 0;
    const intakeErrors = new Map<string, number>();
    const intake = async () => {
      while (!stop) {
        const r = await primaryApp.inject({
          method: "POST",
          url: "/api/orders",
          headers: {
            cookie: agent.cookie,
            "x-csrf-token": agent.csrf,
            "idempotency-key": crypto.randomUUID(),
          },
          payload: {
            channel: "hotline_12345",
            categoryCode: "sanitation",
            description: `副本压测 ${filed}`,
            residentId,
          },
        });
        if (r.statusCode === 201) filed++;
        else {
          const k = `${r.statusCode} ${r.json().error?.code ?? ""}`;
          intakeErrors.set(k, (intakeErrors.get(k) ?? 0) + 1);
        }
      }
    };
    const lagMs: number[] = [];
    const probeMs: number[] = [];
    let waited = 0;
    const lagProbe = async () => {
      while (!stop) {
        // The primary's position right after a commit (the intake's are going on beside it).
        const [{ lsn }] = await bareP.query<{ lsn: string }>(
          "insert into system_settings (key, value) values ('bench_replica_tick', to_jsonb(now()::text)) on conflict (key) do update set value = excluded.value returning pg_current_wal_lsn()::text as lsn",
        );
        const t0 = performance.now();
        let first = true;
        for (;;) {
          const q0 = performance.now();
          const [{ ok }] = await bareR.query<{ ok: boolean }>(
            "select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok",
            [lsn],
          );
          probeMs.push(performance.now() - q0);
          if (!first && ok) waited++;
          first = false;
          if (ok) break;
          await sleep(2);
        }
        lagMs.push(performance.now() - t0);
        await sleep(100);
      }
    };
    const dash = {
      replica: [] as number[],
      primary: [] as number[],
      selectR: [] as number[],
      selectP: [] as number[],
    };
    const before = withStandby.replicaStatus!().queries;
    const reader = async () => {
      while (!stop) {
        for (const [name, app] of [
          ["replica", replicaApp],
          ["primary", primaryApp],
        ] as const) {
          const t0 = performance.now();
          const r = await app.inject({ url: "/api/command/dashboard", headers: { cookie: commander } });
          if (r.statusCode !== 200) throw new Error(`dashboard ${r.statusCode} ${r.body}`);
          dash[name].push(performance.now() - t0);
        }
        let t0 = performance.now();
        await bareR.query("select 1");
        dash.selectR.push(performance.now() - t0);
        t0 = performance.now();
        await bareP.query("select 1");
        dash.selectP.push(performance.now() - t0);
      }
    };
    // One look each first: the dashboard's minute-long caches (hot spots, care lines) are the process's, shared
    // by both apps, and the first look fills them (16-17 s at load 12), whichever app makes it.
    for (const app of [replicaApp, primaryApp])
      await app.inject({ url: "/api/command/dashboard", headers: { cookie: commander } });
    const started = performance.now();
    const work = [...Array.from({ length: CLIENTS }, intake), lagProbe(), reader()];
    await sleep(SECONDS * 1000);
    stop = true;
    await Promise.all(work);
    const secs = (performance.now() - started) / 1000;
    const served = withStandby.replicaStatus!().queries - before;
    const loadEnd = load();

    const line = (label: string, s: ReturnType<typeof stats>) =>
      `${label}: n ${s.n}, p50 ${ms(s.p50)} ms, p95 ${ms(s.p95)} ms, p99 ${ms(s.p99)} ms`;
    result(`replica bench, ${SECONDS} s, ${CLIENTS} intake clients; load average ${loadStart} → ${loadEnd}`);
    result(
      `intake: ${filed} orders (${(filed / secs).toFixed(1)}/s), refused: ${JSON.stringify(Object.fromEntries(intakeErrors))}`,
    );
    result(line("dashboard via the replica", stats(dash.replica)));
    result(line("dashboard on the primary", stats(dash.primary)));
    result(line("  anchor select 1 on the replica", stats(dash.selectR)));
    result(line("  anchor select 1 on the primary", stats(dash.selectP)));
    result(`  statements the replica served: ${served}`);
    result(line("replication lag (commit → replayed on the standby)", stats(lagMs)));
    result(line("  anchor: one look at the standby's replay position (round trip)", stats(probeMs)));
    result(`  commits not yet replayed at the first look: ${waited} of ${lagMs.length}`);
    await primaryApp.close();
    await replicaApp.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  } finally {
    for (const d of dbs) await d.close().catch(() => {});
    standby?.destroy();
    primary.destroy();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
