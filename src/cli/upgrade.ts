import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { MIGRATIONS_DIR, migrate } from "../db/migrate.ts";
import { openDatabase } from "../db/open.ts";
import { existingSecret, FieldCrypto } from "../server/platform/crypto.ts";

/**
 * `gridkeeper upgrade-check`: opens the configured database (a PGlite data folder or DATABASE_URL) as an
 * older version left it, says what it finds (the migrations applied and pending, the main tables' rows,
 * whether the encryption key in force reads its ID numbers and phones), applies the pending migrations
 * (unless --dry-run) and checks afterwards that every row is still there. It refuses, before changing
 * anything, a database made by a newer version or one the key in force cannot read.
 */

export class UpgradeError extends Error {}

/** The tables whose rows an upgrade must keep (those of them the old version had). */
const COUNTED = [
  "accounts",
  "org_units",
  "buildings",
  "households",
  "residents",
  "work_orders",
  "work_order_events",
  "audit_events",
];

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

export interface UpgradeReport {
  kind: Database["kind"];
  /** Migrations found applied, and this version's count. */
  before: { applied: number; latest: string | null };
  shipped: number;
  /** The tags applied by this run (or that would be, with --dry-run). */
  pending: string[];
  applied: string[];
  key: "ok" | "no-encrypted-rows" | "no-key";
  countsBefore: Record<string, number>;
  countsAfter: Record<string, number> | null;
  ms: number;
}

function journal(): Journal {
  return JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, "meta", "_journal.json"), "utf8"));
}

async function tableExists(db: Database, name: string, schema = "public"): Promise<boolean> {
  const [r] = await db.query<{ n: number }>(
    "select count(*)::int as n from information_schema.tables where table_schema = $1 and table_name = $2",
    [schema, name],
  );
  return r.n > 0;
}

async function counts(db: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of COUNTED)
    if (await tableExists(db, t))
      out[t] = (await db.query<{ n: number }>(`select count(*)::int as n from ${t}`))[0].n;
  return out;
}

/** The key in force must read what the old version encrypted: else every ID number and phone is lost. */
async function checkKey(db: Database, config: Config): Promise<UpgradeReport["key"]> {
  const [row] = await db.query<{ c: string }>(
    "select id_cipher as c from residents where id_cipher is not null order by id limit 1",
  );
  if (!row) return "no-encrypted-rows";
  const secret = existingSecret(config.secret, config.dataDir);
  if (!secret) return "no-key";
  try {
    new FieldCrypto(secret).decrypt(row.c);
    return "ok";
  } catch {
    throw new UpgradeError(
      "加密密钥不符：当前密钥读不出这个数据库里的身份证号。请设置原来的 GRIDKEEPER_SECRET（或放回原 secret.key）。未做任何更改。",
    );
  }
}

export async function upgradeCheck(config: Config, opts: { dryRun?: boolean } = {}): Promise<UpgradeReport> {
  const started = Date.now();
  const db = await openDatabase(config, { migrate: false });
  try {
    if (!(await tableExists(db, "org_units")))
      throw new UpgradeError("这不是网格管家的数据库（没有 org_units 表）：未做任何更改");
    const entries = journal().entries;
    const done = (await tableExists(db, "__drizzle_migrations", "drizzle"))
      ? await db.query<{ createdAt: string }>(
          'select created_at::text as "createdAt" from drizzle.__drizzle_migrations order by created_at',
        )
      : [];
    const lastWhen = done.length ? Number(done[done.length - 1].createdAt) : 0;
    // Drizzle applies every migration newer than the last one applied: one it does not know came from a newer version.
    const known = new Set(entries.map((e) => e.when));
    const unknown = done.filter((d) => !known.has(Number(d.createdAt)));
    if (unknown.length)
      throw new UpgradeError(
        `数据库由更新的版本创建（有 ${unknown.length} 个本版本没有的迁移）：请用新版本打开。未做任何更改。`,
      );
    const pending = entries.filter((e) => e.when > lastWhen).map((e) => e.tag);
    const key = await checkKey(db, config);
    const countsBefore = await counts(db);
    const report: UpgradeReport = {
      kind: db.kind,
      before: {
        applied: done.length,
        latest: entries.find((e) => e.when === lastWhen)?.tag ?? null,
      },
      shipped: entries.length,
      pending,
      applied: [],
      key,
      countsBefore,
      countsAfter: null,
      ms: 0,
    };
    if (!opts.dryRun && pending.length) {
      await migrate(db);
      report.applied = pending;
    }
    if (!opts.dryRun) {
      const after = await counts(db);
      const lost = Object.keys(countsBefore).filter((t) => after[t] !== countsBefore[t]);
      if (lost.length)
        throw new UpgradeError(
          `迁移后行数变化：${lost.map((t) => `${t} ${countsBefore[t]}→${after[t]}`).join("，")}`,
        );
      const [{ n }] = await db.query<{ n: number }>(
        "select count(*)::int as n from drizzle.__drizzle_migrations",
      );
      if (n !== entries.length)
        throw new UpgradeError(`迁移未全部完成：已应用 ${n} 个，本版本有 ${entries.length} 个`);
      report.countsAfter = after;
    }
    report.ms = Date.now() - started;
    return report;
  } finally {
    await db.close();
  }
}

/** The report as the CLI prints it. */
export function describeUpgrade(r: UpgradeReport, dryRun: boolean): string[] {
  const lines = [
    `数据库：${r.kind === "pglite" ? "内嵌数据库 (PGlite)" : "PostgreSQL"}`,
    `已应用迁移 ${r.before.applied} 个（最新 ${r.before.latest ?? "无"}），本版本共 ${r.shipped} 个`,
    r.key === "ok"
      ? "加密密钥：能读出原有的身份证号"
      : r.key === "no-key"
        ? "加密密钥：未设置（GRIDKEEPER_SECRET 或数据目录中的 secret.key），无法核对"
        : "加密密钥：库中没有加密字段，无需核对",
    `原有行数：${Object.entries(r.countsBefore)
      .map(([t, n]) => `${t} ${n}`)
      .join("，")}`,
  ];
  if (!r.pending.length) lines.push("已是最新，无需迁移");
  else if (dryRun)
    lines.push(`待执行迁移 ${r.pending.length} 个：${r.pending.join(", ")}（--dry-run，未执行）`);
  else {
    lines.push(`已执行迁移 ${r.applied.length} 个：${r.applied.join(", ")}`);
    lines.push(`迁移后行数不变，全部 ${r.shipped} 个迁移已应用（用时 ${(r.ms / 1000).toFixed(1)} 秒）`);
  }
  return lines;
}
