import fs from "node:fs";
import path from "node:path";

const LOCK_NAME = "gridkeeper.lock";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite is single-process: two servers on one data folder would corrupt it. The first takes an
 * exclusive pid lock file; a second sees a live pid and refuses. A stale lock (dead pid) is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, "utf8") === String(process.pid)) fs.unlinkSync(file);
        } catch {}
      };
      process.once("exit", release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(fs.readFileSync(file, "utf8"));
      if (Number.isInteger(pid) && pid > 0 && alive(pid) && pid !== process.pid) {
        throw new DataDirLockedError(dataDir, pid);
      }
      fs.unlinkSync(file); // stale: the previous owner died without cleaning up
    }
  }
  throw new Error(`无法锁定数据目录 ${dataDir}`);
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `数据目录 ${dataDir} 正被另一个 Gridkeeper 进程 (pid ${pid}) 使用。嵌入式数据库只能由一个进程打开；` +
        `请先停止它，或用 GRIDKEEPER_DATA_DIR 指定其他目录，或用 DATABASE_URL 连接 PostgreSQL 服务器以运行多个进程。` +
        ` / The data folder is in use by another Gridkeeper process (pid ${pid}).`,
    );
  }
}
