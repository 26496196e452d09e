// Resident search benchmark: p50/p95 of GET /api/residents through the real Fastify app (app.inject:
// routing, session lookup, schema validation, decryption, serialisation) for a community admin and a
// district commander, each beside the bare SQL of the same search run directly with the same parameters.
//
//   npx tsx bench/search.ts [--db postgres|pglite] [--n 60] [--explain-all]
//
// Database: GK_BENCH_DATABASE_URL (postgres) or GK_BENCH_PGLITE_DIR (a GRIDKEEPER_DATA_DIR) if set, else the
// ones bench/seed.ts leaves (gk_bench_district, /tmp/gk-bench/pglite-district), else a fresh district seed.
// The database must have been seeded with --demo-accounts and GRIDKEEPER_SECRET = BENCH_SECRET.
import fs from "node:fs";
import path from "node:path";
import { loadConfig } from "../src/config.ts";
import { type Database, openPglite, openPostgres } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { subtreePattern } from "../src/domain/org/scope.ts";
import { classifyQuery, escapeLike } from "../src/domain/people/query.ts";
import { DEMO_COMMUNITY, DEMO_PASSWORD } from "../src/seed/demo.ts";
import { buildApp } from "../src/server/app.ts";
import { createContext } from "../src/server/boot.ts";
import { RESIDENT_COLUMNS, TOTAL_CAP } from "../src/server/modules/residents/service.ts";
import { FieldCrypto } from "../src/server/platform/crypto.ts";
import {
  arg,
  BENCH_SECRET,
  BENCH_TMP,
  DEFAULT_PG_DB,
  DEFAULT_PGLITE_DIR,
  log,
  ms,
  now,
  pgDatabaseExists,
  pgUrl,
  recreatePgDatabase,
  result,
  runCli,
  stats,
} from "./lib.ts";

const TARGET_P95 = 50;
const kind = arg("db", "postgres") as "postgres" | "pglite";
const N = Number(arg("n", "60"));
const WARMUP = 5;
const explainAll = process.argv.includes("--explain-all");

async function openBenchDatabase(): Promise<{ database: Database; where: string; dataDir: string }> {
  const dataDir = path.join(BENCH_TMP, "search-datadir");
  if (kind === "postgres") {
    let url = process.env.GK_BENCH_DATABASE_URL;
    if (!url) {
      if (!pgDatabaseExists(DEFAULT_PG_DB)) {
        log(`no district database: seeding ${DEFAULT_PG_DB} (takes minutes)…`);
        recreatePgDatabase(DEFAULT_PG_DB);
        await runCli(
          ["seed", "--scale", "district", "--seed", "1", "--demo-accounts"],
          {
            DATABASE_URL: pgUrl(DEFAULT_PG_DB),
            GRIDKEEPER_SECRET: BENCH_SECRET,
            GRIDKEEPER_DATA_DIR: dataDir,
          },
          { echo: (l) => !l.startsWith("生成居民") },
        );
      }
      url = pgUrl(DEFAULT_PG_DB);
    }
    const database = await openPostgres(url);
    await migrate(database);
    return { database, where: url.replace(/\/\/[^@]*@/, "//"), dataDir };
  }
  let dir = process.env.GK_BENCH_PGLITE_DIR;
  if (!dir) {
    dir = DEFAULT_PGLITE_DIR;
    if (!fs.existsSync(path.join(dir, "pglite"))) {
      log(`no district PGlite folder: seeding ${dir} (takes many minutes)…`);
      await runCli(
        ["seed", "--scale", "district", "--seed", "1", "--demo-accounts"],
        {
          GRIDKEEPER_DATA_DIR: dir,
          DATABASE_URL: "",
          GRIDKEEPER_SECRET: BENCH_SECRET,
        },
        { echo: (l) => !l.startsWith("生成居民") },
      );
    }
  }
  const database = await openPglite(path.join(dir, "pglite"));
  await migrate(database);
  return { database, where: dir, dataDir: dir };
}

interface Filter {
  q?: string;
  tag?: string;
}

/**
 * The SQL src/server/modules/residents/service.ts builds (searchWhere + searchResidents), copied so the
 * bare query runs with exactly the parameters the service would pass. Keep in step with the service.
 */
function bareSearch(scopePath: string, f: Filter, hash: (v: string) => string, page = 1, pageSize = 20) {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const conds = [`r.org_path collate "C" like ${p(subtreePattern(scopePath))}`];
  const inCommunity = scopePath.split("/").filter(Boolean).length >= 3;
  const tagsCol = inCommunity ? "(r.tags || '{}'::text[])" : "r.tags";
  const nameCol = inCommunity ? "(r.name || '')" : "r.name";
  const cap = inCommunity ? TOTAL_CAP.community : TOTAL_CAP.wide;
  if (f.tag) conds.push(`${tagsCol} @> array[${p(f.tag)}]::text[]`);
  const q = f.q ? classifyQuery(f.q) : null;
  if (q) {
    switch (q.kind) {
      case "tail":
        conds.push(`(r.phone_tail = ${p(q.value)} or r.id_tail = ${p(q.value)})`);
        break;
      case "phone":
        conds.push(`r.phone_hash = ${p(hash(q.value))}`);
        break;
      case "id_number":
        conds.push(`r.id_hash = ${p(hash(q.value))}`);
        break;
      case "initials":
        conds.push(`r.name_initials like ${p(`${q.value}%`)}`);
        break;
      case "text": {
        const like = p(`%${escapeLike(q.value)}%`);
        const text = p(q.value);
        conds.push(`(${nameCol} like ${p(`${escapeLike(q.value)}%`)} or (r.building_id = any(array(
          select b.id from buildings b where b.org_path like $1
            and (b.address like ${like} or ${text} like '%' || b.address || '%'${inCommunity ? ` or ${text} like '%' || b.name || '%'` : ""})))
          and r.address like ${like}))`);
        break;
      }
    }
  }
  const where = conds.join(" and ");
  const offset = (page - 1) * pageSize;
  return {
    rows: `select ${RESIDENT_COLUMNS} from residents r where ${where} order by r.org_path collate "C", r.id limit ${pageSize} offset ${offset}`,
    count: `select count(*)::int as n from (select 1 from residents r where ${where} limit ${cap + 1}) s`,
    params,
    pageSize,
    offset,
  };
}

/**
 * What searchResidents runs: the rows, then the capped count only when the page is full (a short page
 * already tells the total). Returns whether the count ran.
 */
async function runBare(database: Database, b: ReturnType<typeof bareSearch>): Promise<boolean> {
  const rows = await database.query(b.rows, b.params);
  const short = rows.length < b.pageSize && (rows.length > 0 || b.offset === 0);
  if (!short) await database.query(b.count, b.params);
  return !short;
}

interface Case {
  label: string;
  values: Filter[]; // cycled through over the N requests
}

function cases(tails: string[]): Case[] {
  return [
    { label: "list, no filter (first page)", values: [{}] },
    { label: 'name prefix "张"', values: [{ q: "张" }] },
    { label: 'name prefix "陈秀"', values: [{ q: "陈秀" }] },
    { label: 'pinyin initials "zs"', values: [{ q: "zs" }] },
    { label: 'pinyin initials "cxy"', values: [{ q: "cxy" }] },
    { label: `phone tail (${tails.length} real 4-digit tails)`, values: tails.map((t) => ({ q: t })) },
    { label: 'address "苏阳社区 12幢"', values: [{ q: "苏阳社区 12幢" }] },
    { label: "tag living_alone", values: [{ tag: "living_alone" }] },
    { label: 'tag aged_80_plus + name "王"', values: [{ tag: "aged_80_plus", q: "王" }] },
  ];
}

async function main() {
  const { database, where, dataDir } = await openBenchDatabase();
  log(`search bench on ${kind} (${where}), ${N} timed requests per case after ${WARMUP} warm-up`);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: "",
    GRIDKEEPER_DATA_DIR: dataDir,
    GRIDKEEPER_SECRET: BENCH_SECRET,
  });
  const ctx = await createContext(config, database);
  const app = await buildApp(ctx, { logger: false, serveWeb: false });
  const crypto = new FieldCrypto(BENCH_SECRET);

  const [{ n: residents }] = await database.query<{ n: number }>("select count(*)::int as n from residents");
  const [community] = await database.query<{ path: string }>("select path from org_units where code = $1", [
    DEMO_COMMUNITY,
  ]);
  const tails = (
    await database.query<{ t: string }>(
      "select distinct phone_tail as t from residents where org_path like $1 and phone_tail is not null order by 1 limit 40",
      [`${community.path}%`],
    )
  ).map((r) => r.t);
  log(`${residents} residents; phone tails sampled from ${community.path}`);

  const actors = [
    { username: "demo-community", who: "community admin (苏阳社区)" },
    { username: "demo-commander", who: "commander (崇川区)" },
  ];
  const slow: { who: string; label: string; f: Filter; scopePath: string }[] = [];

  for (const a of actors) {
    const login = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: a.username, password: DEMO_PASSWORD },
    });
    if (login.statusCode !== 200) throw new Error(`login ${a.username}: ${login.statusCode} ${login.body}`);
    const cookie = login.cookies.find((c) => c.name === "gk_session")!;
    const [acc] = await database.query<{ path: string }>(
      "select o.path from accounts a join org_units o on o.id = a.org_unit_id where a.username = $1",
      [a.username],
    );
    const scopePath = acc.path;

    for (const c of cases(tails)) {
      const http: number[] = [];
      const sql: number[] = [];
      let total = 0;
      let capped = false;
      let counted = false;
      for (let i = 0; i < WARMUP + N; i++) {
        const f = c.values[i % c.values.length];
        const qs = new URLSearchParams(
          Object.entries(f).filter(([, v]) => v !== undefined) as [string, string][],
        ).toString();
        // Interleave the HTTP request and the bare SQL so both see the same cache state and machine load.
        let t = now();
        const res = await app.inject({
          method: "GET",
          url: `/api/residents?${qs}`,
          cookies: { gk_session: cookie.value },
        });
        const httpMs = now() - t;
        if (res.statusCode !== 200) throw new Error(`${c.label}: HTTP ${res.statusCode} ${res.body}`);
        const b = bareSearch(scopePath, f, (v) => crypto.hash(v));
        t = now();
        counted = await runBare(database, b);
        const sqlMs = now() - t;
        if (i >= WARMUP) {
          http.push(httpMs);
          sql.push(sqlMs);
          const body = res.json() as { total: number; totalCapped: boolean };
          total = body.total;
          capped = body.totalCapped;
        }
      }
      const h = stats(http);
      const s = stats(sql);
      const flag = h.p95 > TARGET_P95 ? "  ** over 50 ms target" : "";
      result(
        `search ${kind} ${a.who} ${c.label}: HTTP p50 ${ms(h.p50)} ms, p95 ${ms(h.p95)} ms (n=${h.n}, total ${total}${capped ? "+" : ""})` +
          ` | anchor: bare SQL (rows${counted ? " + capped count" : "; page short, no count"}) p50 ${ms(s.p50)} ms, p95 ${ms(s.p95)} ms${flag}`,
      );
      if (h.p95 > TARGET_P95 || explainAll)
        slow.push({ who: a.who, label: c.label, f: c.values[0], scopePath });
    }
  }

  for (const s of slow) {
    const b = bareSearch(s.scopePath, s.f, (v) => crypto.hash(v));
    for (const [name, text] of [
      ["rows", b.rows],
      ["count", b.count],
    ] as const) {
      const plan = await database.query<{ "QUERY PLAN": string }>(
        `explain (analyze, buffers) ${text}`,
        b.params,
      );
      result(
        `\nEXPLAIN ANALYZE (${kind}) ${s.who} ${s.label} — ${name} query, params ${JSON.stringify(b.params)}:`,
      );
      for (const r of plan) result(`  ${r["QUERY PLAN"]}`);
    }
  }

  await app.close();
  await database.close();
}

await main();
