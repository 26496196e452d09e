import { describe, expect, it } from "vitest";
import { openPostgres } from "../../src/db/client.ts";

// The server's LISTEN connection (live dashboards) when its backend is killed: it re-opens by itself, and a
// kill after the listener stopped must not release the pooled client twice (pg throws then, out of any
// request: an uncaught exception that took a CI run down). PostgreSQL only: PGlite has no connections.
const url = process.env.TEST_DATABASE_URL;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function killListeners(admin: Awaited<ReturnType<typeof openPostgres>>, channel: string) {
  const rows = await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and query ilike $1`,
    [`%${channel}%`],
  );
  return rows.length;
}

describe.skipIf(!url)("LISTEN on PostgreSQL", () => {
  it("re-opens after its connection is killed, and a kill after stopping is harmless", async () => {
    const db = await openPostgres(url as string, 4);
    const admin = await openPostgres(url as string, 1);
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on("uncaughtException", onUncaught);
    try {
      const channel = `gk_listen_test_${process.pid}`;
      const got: string[] = [];
      const stop = await db.listen(channel, (p) => got.push(p));
      await admin.query(`select pg_notify($1, 'one')`, [channel]);
      await expect.poll(() => got, { timeout: 5_000 }).toEqual(["one"]);

      await killListeners(admin, channel);
      // Re-opened a second after the drop; notify until it hears again.
      await expect
        .poll(
          async () => {
            await admin.query(`select pg_notify($1, 'two')`, [channel]);
            return got.includes("two");
          },
          { timeout: 10_000, interval: 300 },
        )
        .toBe(true);

      await stop();
      expect(await killListeners(admin, channel)).toBe(1);
      // The stopped listener's client sits idle in the pool (its last statement was the UNLISTEN); killing it
      // must neither re-open the listener nor release the client a second time.
      await sleep(1_500);
      const before = got.length;
      await admin.query(`select pg_notify($1, 'three')`, [channel]);
      await sleep(500);
      expect(got.length).toBe(before);
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
      await db.close().catch(() => {});
      await admin.close();
    }
  });

  it("survives a transaction's connection killed under it: the statement fails, the process stays up", async () => {
    const db = await openPostgres(url as string, 2);
    const admin = await openPostgres(url as string, 1);
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on("uncaughtException", onUncaught);
    try {
      const tag = `gk_tx_kill_${process.pid}`;
      // A transaction holds its connection between statements (as the SLA sweep and the outbox do): killed
      // while idle in it, and once more while a statement runs.
      // Each outcome caught at once: the second one fails while the test still waits on the first.
      const outcome = (p: Promise<unknown>) =>
        p.then(
          () => "committed",
          (e: Error) => e.message,
        );
      const idle = outcome(
        db.db.transaction(async (tx) => {
          await tx.execute(`select '${tag}-idle'`);
          await sleep(1_000);
          await tx.execute("select 1");
        }),
      );
      const busy = outcome(
        db.db.transaction(async (tx) => {
          await tx.execute(`select '${tag}-busy', pg_sleep(3)`);
        }),
      );
      await sleep(400);
      const killed = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and query like $1`,
        [`%${tag}%`],
      );
      expect(killed.length).toBe(2);
      expect(await idle).not.toBe("committed");
      expect(await busy).not.toBe("committed");
      // The pool dropped the broken connections and serves the next statement on fresh ones.
      expect(await db.query<{ n: number }>("select 1 as n")).toEqual([{ n: 1 }]);
      await sleep(200);
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
      await db.close().catch(() => {});
      await admin.close();
    }
  });
});
