import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Cluster, createCluster } from "./cluster.ts";

// A small filesystem of its own (a tmpfs, resized while mounted) for the disk-full tests: a database's data
// directory on it, then the disk filled to the last byte by a filler file, as a runaway log would, and
// freed again. Needs root (mount); CI runs as root.

export interface SmallDisk {
  dir: string;
  /** Shrinks the filesystem to what is used plus 1 MB and fills that with a filler file; returns its bytes. */
  fill(): number;
  /** Deletes the filler and gives the filesystem its room back. */
  free(): void;
  /** Bytes still free. */
  available(): number;
  /** Unmounts (lazily, should a process still hold a file) and removes the mount point. */
  unmount(): void;
}

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** Why a tmpfs cannot be mounted here (not root, no mount permission in a container), or undefined. */
export function smallDiskUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "mounting a small filesystem needs root";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gk-mountcheck-"));
  try {
    run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir]);
    run("umount", [dir]);
    return undefined;
  } catch (e: any) {
    return `cannot mount a tmpfs here: ${String(e.stderr || e.message).trim()}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function mountSmallDisk(prefix: string, sizeMb = 1024): SmallDisk {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // Mode 1777 as /tmp: the postgres user creates its cluster's folder in it.
  run("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m,mode=1777`, "tmpfs", dir]);
  const filler = path.join(dir, "filler");
  const statfs = () => fs.statfsSync(dir);
  return {
    dir,
    fill() {
      const s = statfs();
      const usedKb = ((s.blocks - s.bfree) * s.bsize) / 1024;
      run("mount", ["-o", `remount,size=${Math.ceil(usedKb) + 1024}k`, dir]);
      const fd = fs.openSync(filler, "w");
      const chunk = Buffer.alloc(64 * 1024, 1);
      let written = 0;
      try {
        for (;;) {
          try {
            written += fs.writeSync(fd, chunk);
          } catch (e: any) {
            if (e.code !== "ENOSPC") throw e;
            // The last partial chunk: byte by byte is too slow, 4 kB (a page) is what remains at most.
            const page = Buffer.alloc(4096, 1);
            for (;;) {
              try {
                written += fs.writeSync(fd, page);
              } catch {
                return written;
              }
            }
          }
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
      run("mount", ["-o", `remount,size=${sizeMb}m`, dir]);
    },
    available: () => statfs().bavail * statfs().bsize,
    unmount() {
      try {
        run("umount", [dir]);
      } catch {
        run("umount", ["-l", dir]);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A throw-away PostgreSQL cluster (cluster.ts) whose whole data directory, WAL included, is on the disk. */
export async function clusterOn(disk: SmallDisk, extraConf: string[] = []): Promise<Cluster> {
  // createCluster makes its folder in os.tmpdir(), which reads TMPDIR at each call.
  const tmp = process.env.TMPDIR;
  process.env.TMPDIR = disk.dir;
  try {
    const c = await createCluster(extraConf);
    if (!c.dir.startsWith(`${disk.dir}/`)) {
      c.destroy();
      throw new Error(`the cluster was made in ${c.dir}, not on the small disk ${disk.dir}`);
    }
    return c;
  } finally {
    if (tmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmp;
  }
}
