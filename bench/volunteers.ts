// Volunteers benchmark on its own PostgreSQL database (gk_bench_volunteers, recreated unless --reuse):
//
//   npx tsx bench/volunteers.ts [--members 165] [--per-month 23] [--n 60] [--clients 500] [--seconds 10] [--reuse]
//
//   load         the district org tree and seedVolunteers at district scope: --members per community (182 × 165 ≈
//                30,000) and --per-month past tasks of 10 places per community (≈ 500 k confirmed claims → ≈ 1 M
//                ledger entries): wall time, rows.
//   leaderboard  GET /api/volunteers/leaderboard?period=quarter (district, as a commander) through app.inject,
//                p50/p95, interleaved with the bare SQL of the quarterly rollup's top 50 (anchor), the same ranking
//                summed from three months of the monthly rollup (the way it was read before migration 0034), and
//                the street, community and district-monthly rankings through app.inject; once, for scale, the same
//                ranking summed from the raw entries.
//   balance      memberLedger(member) (balance, totals, last 30 entries: one statement) for random members,
//                p50/p95, beside the bare balance lookup.
//   check        checkLedger over every entry (balances, transactions, both rollups against the entries), beside a
//                bare count/sum scan of points_entries.
//   claims       --clients concurrent clients claiming 50-place tasks for --seconds (claimFor: the claim statement,
//                its audit row, one transaction each): claims/s, p50/p99, overbooked tasks (must be 0); anchor:
//                the same clients running the bare claim UPDATE alone.

import { loadConfig } from "../src/config.ts";
import { openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { seedOrgTree } from "../src/seed/orgTree.ts";
import { buildApp } from "../src/server/app.ts";
import type { AppContext } from "../src/server/context.ts";
import { addAccount } from "../src/server/modules/accounts/index.ts";
import {
  checkLedger,
  claimFor,
  memberLedger,
  seedVolunteers,
} from "../src/server/modules/volunteers/index.ts";
import { systemPrincipal } from "../src/server/platform/access.ts";
import { FieldCrypto } from "../src/server/platform/crypto.ts";
import { VERSION } from "../src/version.ts";
import {
  arg,
  BENCH_SECRET,
  injectLogin,
  log,
  ms,
  now,
  pgUrl,
  recreatePgDatabase,
  result,
  secs,
  stats,
} from "./lib.ts";

const DB = "gk_bench_volunteers";
const N = Number(arg("n", "60"));
const url = pgUrl(DB);

if (arg("reuse") !== "true") recreatePgDatabase(DB);
const db = await openPostgres(url, 20);
await migrate(db);
const ctx: AppContext = {
  config: loadConfig({}),
  database: db,
  crypto: new FieldCrypto(BENCH_SECRET),
  version: VERSION,
};

if (arg("reuse") !== "true") {
  const t0 = now();
  await seedOrgTree(db);
  await addAccount(db, {
    username: "bench-commander",
    displayName: "区指挥中心",
    role: "commander",
    org: "320613",
    password: "Demo@2026",
  });
  const n = await seedVolunteers(db, {
    scope: "320613",
    membersPerCommunity: Number(arg("members", "165")),
    tasksPerMonth: Number(arg("per-month", "23")),
  });
  await db.query("vacuum analyze");
  result(`load: ${n.members} members, ${n.entries} ledger entries in ${secs(now() - t0)} s`);
}
const [size] = await db.query<{ members: number; entries: number; claims: number }>(
  "select (select count(*)::int from volunteer_members) members, (select count(*)::int from points_entries) entries, (select count(*)::int from volunteer_claims) claims",
);
result(`data: ${size.members} members, ${size.claims} claims, ${size.entries} entries`);

async function interleave(name: string, cases: [string, () => Promise<unknown>][]) {
  const samples = cases.map(() => [] as number[]);
  for (let i = 0; i < N + 5; i++)
    for (const [k, [, fn]] of cases.entries()) {
      const t = now();
      await fn();
      if (i >= 5) samples[k].push(now() - t);
    }
  for (const [k, [label]] of cases.entries()) {
    const s = stats(samples[k]);
    result(`${name} ${label}: p50 ${ms(s.p50)} ms, p95 ${ms(s.p95)} ms (n=${s.n})`);
  }
}

// ——— leaderboard ———
const app = await buildApp(ctx, { logger: false, serveWeb: false });
const cookie = await injectLogin(app, "bench-commander");
const month = new Date(Date.now() + 8 * 3600_000 - 40 * 86400_000).toISOString().slice(0, 7);
const y = Number(month.slice(0, 4));
const q0 = Math.floor((Number(month.slice(5)) - 1) / 3) * 3 + 1;
const months = [0, 1, 2].map((i) => `${y}-${String(q0 + i).padStart(2, "0")}`);
const quarter = `${y}-Q${(q0 + 2) / 3}`;
const [street] = await db.query<{ id: number }>("select id from org_units where code = '320613019'");
const [sample] = await db.query<{ id: number }>("select id from org_units where code = '320613019010'");
const board = (qs: string) => async () => {
  const r = await app.inject({ url: `/api/volunteers/leaderboard?${qs}`, headers: { cookie } });
  if (r.statusCode !== 200) throw new Error(r.body);
};
await interleave("district quarterly leaderboard", [
  [
    "GET /api/volunteers/leaderboard (app.inject)",
    async () => {
      const r = await app.inject({
        url: `/api/volunteers/leaderboard?period=quarter&at=${month}&limit=50`,
        headers: { cookie },
      });
      if (r.statusCode !== 200) throw new Error(r.body);
    },
  ],
  [
    "bare SQL on the quarterly rollup (anchor)",
    () =>
      db.query(
        "select account_id, points, minutes from points_quarterly where quarter = $1 and org_path like '/320613/%' order by points desc nulls last, account_id limit 50",
        [quarter],
      ),
  ],
  [
    "bare SQL summing three months of the monthly rollup (as read before 0034)",
    () =>
      db.query(
        "select account_id, sum(points) p, sum(minutes) m from points_monthly where month = any($1::text[]) and org_path like '/320613/%' group by account_id order by p desc limit 50",
        [months],
      ),
  ],
  [
    "street 秦灶街道 quarterly by hours (app.inject)",
    board(`period=quarter&by=hours&org=${street.id}&at=${month}&limit=50`),
  ],
  [
    "community 苏阳社区 quarterly (app.inject)",
    board(`period=quarter&org=${sample.id}&at=${month}&limit=50`),
  ],
  ["district monthly (app.inject)", board(`period=month&at=${month}&limit=50`)],
]);
{
  const t = now();
  await db.query(
    `select e.account_id, sum(e.amount) from points_entries e join points_accounts a on a.id = e.account_id and a.kind = 'member'
     where e.created_at >= $1::date and e.created_at < ($1::date + interval '3 months') and e.amount > 0 group by 1 order by 2 desc limit 50`,
    [`${months[0]}-01`],
  );
  result(`district quarterly leaderboard from the raw entries (for scale, once): ${ms(now() - t)} ms`);
}

// ——— balance and history ———
const ids = (
  await db.query<{ id: number }>(
    "select member_id as id from points_accounts where kind = 'member' order by random() limit 500",
  )
).map((r) => r.id);
let i = 0;
await interleave("member balance and history", [
  ["memberLedger (balance, totals, 30 entries)", () => memberLedger(db, ids[i++ % ids.length])],
  [
    "bare balance lookup (anchor)",
    () =>
      db.query("select balance from points_accounts where kind = 'member' and member_id = $1", [
        ids[i % ids.length],
      ]),
  ],
]);

// ——— consistency check ———
{
  const t = now();
  const c = await checkLedger(db);
  const checkMs = now() - t;
  const t2 = now();
  await db.query("select count(*), sum(amount) from points_entries");
  result(
    `check: ${c.entries} entries, ${c.accounts} accounts, rollup rows differing ${c.rollups.length}, ok=${c.ok} in ${ms(checkMs)} ms; bare count/sum scan (anchor) ${ms(now() - t2)} ms`,
  );
}

// ——— claim contention ———
const CLIENTS = Number(arg("clients", "500"));
const SECONDS = Number(arg("seconds", "10"));
const [community] = await db.query<{ id: number; path: string }>(
  "select id, path from org_units where code = '320613019010'",
);
async function contention(label: string, claim: (task: number, member: number) => Promise<unknown>) {
  const tasks = (
    await db.query<{ id: number }>(
      `insert into volunteer_tasks (title, place, org_unit_id, org_path, starts_at, ends_at, capacity, qr_nonce)
       select '压测任务', '现场', $1, $2, now() + interval '1 day', now() + interval '1 day 2 hours', 50, md5(random()::text)
       from generate_series(1, 400) returning id`,
      [community.id, community.path],
    )
  ).map((r) => r.id);
  const members = (
    await db.query<{ id: number }>(
      `insert into volunteer_members (kind, name, id_hash, id_cipher, community_id, org_path, state)
       select 'volunteer', '压测', 'bench-' || md5(random()::text), 'x', $1, $2, 'confirmed' from generate_series(1, $3::int) returning id`,
      [community.id, community.path, CLIENTS],
    )
  ).map((r) => r.id);
  const lat: number[] = [];
  let done = 0;
  let errors = 0;
  const end = now() + SECONDS * 1000;
  await Promise.all(
    members.map(async (m, c) => {
      let k = c % tasks.length;
      while (now() < end) {
        const t = now();
        try {
          await claim(tasks[k], m);
          done++;
          lat.push(now() - t);
        } catch {
          errors++;
        }
        k = (k + 37) % tasks.length;
      }
    }),
  );
  const s = stats(lat);
  const [over] = await db.query<{ n: number; miscounted: number; claimed: number }>(
    `select count(*) filter (where t.claimed > t.capacity)::int n,
       count(*) filter (where t.claimed <> (select count(*) from volunteer_claims c where c.task_id = t.id and c.state = 'claimed'))::int miscounted,
       sum(t.claimed)::int claimed from volunteer_tasks t where t.id = any($1::int[])`,
    [tasks],
  );
  result(
    `claims ${label}: ${CLIENTS} clients × ${SECONDS} s on 400 tasks of 50 places: ${(done / SECONDS).toFixed(0)} claims/s, p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms, refused ${errors}, places taken ${over.claimed}, overbooked tasks ${over.n}, tasks whose count differs from their claim rows ${over.miscounted}`,
  );
}
const sys = systemPrincipal("bench", "压测", community.path);
await contention("via claimFor (statement + audit, one transaction)", (task, member) =>
  claimFor(
    ctx,
    sys,
    {
      id: member,
      accountId: null,
      name: "",
      kind: "volunteer",
      state: "confirmed",
      communityId: community.id,
      orgPath: community.path,
      skills: [],
      specialties: [],
    },
    task,
  ),
);
await contention("bare claim UPDATE only (anchor)", (task) =>
  db.query(
    "update volunteer_tasks set claimed = claimed + 1 where id = $1 and claimed < capacity returning id",
    [task],
  ),
);
log("done");
await app.close();
await db.close();
