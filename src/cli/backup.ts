import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { PGlite } from "@electric-sql/pglite";
import type { Config } from "../config.ts";
import { type Database, openPostgres, pgliteDatabase } from "../db/client.ts";
import { lockDataDir } from "../db/lock.ts";
import { openDatabase } from "../db/open.ts";
import { existingSecret, FieldCrypto } from "../server/platform/crypto.ts";
import { VERSION } from "../version.ts";

/**
 * `gridkeeper backup <file>` and `gridkeeper restore <file>`.
 *
 * A backup file is a header line and the database's own dump: `GKBACKUP1\n{json}\n` then, for PGlite, its
 * data directory as a gzipped tarball (PGlite's dumpDataDir: the folder as it is, consistent because the
 * server is stopped — PGlite is one process, so the backup takes the data folder's lock), for PostgreSQL
 * `pg_dump --format=custom` (one snapshot, consistent while servers keep writing). The header names the
 * encryption key by its fingerprint (never the key: a backup is not a way to carry it), the migrations
 * applied and the main tables' row counts. A restore refuses, before touching anything, when the secret in
 * force is another (every ID number and phone would be unreadable), restores, migrates a backup of an older
 * version forward, and checks the counts.
 */

const MAGIC = "GKBACKUP1\n";

export interface BackupHeader {
  format: "gridkeeper-backup";
  kind: "pglite" | "postgres";
  appVersion: string;
  createdAt: string;
  keyFingerprint: string;
  migrations: number;
  counts: Record<string, number>;
}

/** The tables whose row counts a restore must reproduce. */
const COUNTED = ["accounts", "org_units", "residents", "work_orders", "work_order_events", "audit_events"];

export class BackupError extends Error {}

async function counts(db: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of COUNTED) {
    const [r] = await db.query<{ n: number }>(`select count(*)::int as n from ${t}`);
    out[t] = r.n;
  }
  return out;
}

async function migrationsApplied(db: Database): Promise<number> {
  const [r] = await db.query<{ n: number }>("select count(*)::int as n from drizzle.__drizzle_migrations");
  return r.n;
}

function keyOf(config: Config): FieldCrypto {
  const secret = existingSecret(config.secret, config.dataDir);
  if (!secret)
    throw new BackupError(
      `找不到加密密钥：请设置 GRIDKEEPER_SECRET，或把原来的 ${path.join(config.dataDir, "secret.key")} 放回数据目录`,
    );
  return new FieldCrypto(secret);
}

const pgliteDir = (config: Config) => path.join(config.dataDir, "pglite");

/** Writes a backup of the configured database to `file`; returns its header. */
export async function backup(config: Config, file: string): Promise<BackupHeader> {
  const key = keyOf(config);
  const tmp = `${file}.partial`;
  try {
    let header: BackupHeader;
    if (config.databaseUrl) {
      const db = await openPostgres(config.databaseUrl, 2);
      try {
        header = await headerOf(db, "postgres", key);
      } finally {
        await db.close();
      }
      const out = fs.createWriteStream(tmp);
      out.write(`${MAGIC}${JSON.stringify(header)}\n`);
      const dump = spawn(
        "pg_dump",
        ["--format=custom", "--no-owner", "--no-privileges", `--dbname=${config.databaseUrl}`],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      const done = exited(dump, "pg_dump");
      await pipeline(dump.stdout, out);
      await done;
    } else {
      if (!fs.existsSync(pgliteDir(config))) throw new BackupError(`数据目录 ${config.dataDir} 中没有数据库`);
      const release = lockOrExplain(config);
      try {
        const client = await PGlite.create({ dataDir: pgliteDir(config) });
        try {
          header = await headerOf(pgliteDatabase(client), "pglite", key);
          const tarball = await client.dumpDataDir("gzip");
          fs.writeFileSync(tmp, `${MAGIC}${JSON.stringify(header)}\n`);
          fs.appendFileSync(tmp, Buffer.from(await tarball.arrayBuffer()));
        } finally {
          await client.close();
        }
      } finally {
        release();
      }
    }
    fs.renameSync(tmp, file);
    return header;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

async function headerOf(db: Database, kind: BackupHeader["kind"], key: FieldCrypto): Promise<BackupHeader> {
  return {
    format: "gridkeeper-backup",
    kind,
    appVersion: VERSION,
    createdAt: new Date().toISOString(),
    keyFingerprint: key.fingerprint(),
    migrations: await migrationsApplied(db),
    counts: await counts(db),
  };
}

function lockOrExplain(config: Config): () => void {
  try {
    return lockDataDir(config.dataDir);
  } catch (e) {
    throw new BackupError(
      `数据目录正被运行中的服务使用（内嵌数据库只能单进程打开）：请先停止服务。${(e as Error).message}`,
    );
  }
}

function exited(child: ReturnType<typeof spawn>, name: string): Promise<void> {
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.on("error", (e) =>
      reject(new BackupError(`无法运行 ${name}（需要 PostgreSQL 客户端工具）：${e.message}`)),
    );
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new BackupError(`${name} 失败（退出码 ${code}）：${err.trim()}`)),
    );
  });
}

/** Reads a backup's header and where its payload starts. */
export function readHeader(file: string): { header: BackupHeader; offset: number } {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const head = buf.subarray(0, n);
    if (head.subarray(0, MAGIC.length).toString("latin1") !== MAGIC)
      throw new BackupError(`${file} 不是网格管家的备份文件`);
    const end = head.indexOf(10, MAGIC.length);
    if (end < 0) throw new BackupError(`${file} 的文件头不完整`);
    const header = JSON.parse(head.subarray(MAGIC.length, end).toString("utf8")) as BackupHeader;
    if (header.format !== "gridkeeper-backup") throw new BackupError(`${file} 不是网格管家的备份文件`);
    return { header, offset: end + 1 };
  } finally {
    fs.closeSync(fd);
  }
}

export interface RestoreResult {
  header: BackupHeader;
  counts: Record<string, number>;
}

/**
 * Restores `file` into the configured database, which must be empty unless `force` (then it is replaced).
 * Refuses when the secret in force is not the backup's.
 */
export async function restore(
  config: Config,
  file: string,
  opts: { force?: boolean } = {},
): Promise<RestoreResult> {
  const { header, offset } = readHeader(file);
  const key = keyOf(config);
  if (key.fingerprint() !== header.keyFingerprint)
    throw new BackupError(
      `加密密钥不符：备份用的密钥指纹为 ${header.keyFingerprint}，当前密钥为 ${key.fingerprint()}。` +
        "用这个密钥恢复，身份证号和电话都将无法解密；请设置备份时的 GRIDKEEPER_SECRET（或放回原 secret.key）。未做任何更改。",
    );
  const kind = config.databaseUrl ? "postgres" : "pglite";
  if (kind !== header.kind)
    throw new BackupError(
      `备份来自 ${header.kind === "pglite" ? "内嵌数据库" : "PostgreSQL"}，当前配置为 ${kind === "pglite" ? "内嵌数据库" : "PostgreSQL"}`,
    );
  if (kind === "postgres") {
    const db = await openPostgres(config.databaseUrl!, 2);
    try {
      const [r] = await db.query<{ n: number }>(
        "select count(*)::int as n from information_schema.tables where table_schema in ('public', 'drizzle')",
      );
      if (r.n > 0 && !opts.force)
        throw new BackupError("目标数据库不是空库：确认要覆盖时加 --force（现有数据将被替换）");
      if (r.n > 0)
        await db.query(
          "drop schema if exists drizzle cascade; drop schema public cascade; create schema public",
        );
    } finally {
      await db.close();
    }
    const child = spawn(
      "pg_restore",
      [
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        `--dbname=${config.databaseUrl}`,
      ],
      { stdio: ["pipe", "ignore", "pipe"] },
    );
    const done = exited(child, "pg_restore");
    await pipeline(fs.createReadStream(file, { start: offset }), child.stdin!);
    await done;
  } else {
    const release = lockOrExplain(config);
    try {
      const dir = pgliteDir(config);
      if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
        if (!opts.force)
          throw new BackupError(`数据目录 ${dir} 不是空的：确认要覆盖时加 --force（现有数据将被替换）`);
        fs.rmSync(dir, { recursive: true, force: true });
      }
      fs.mkdirSync(dir, { recursive: true });
      const payload = fs.readFileSync(file).subarray(offset);
      const client = await PGlite.create({ dataDir: dir, loadDataDir: new Blob([payload]) });
      await client.close();
    } finally {
      release();
    }
  }
  // A backup of an older version is migrated forward; then the counts must be the backup's.
  const db = await openDatabase(config);
  try {
    const now = await counts(db);
    const differ = COUNTED.filter((t) => now[t] !== header.counts[t]);
    if (differ.length > 0)
      throw new BackupError(
        `恢复后的行数与备份不符：${differ.map((t) => `${t} ${now[t]}≠${header.counts[t]}`).join("，")}`,
      );
    return { header, counts: now };
  } finally {
    await db.close();
  }
}
