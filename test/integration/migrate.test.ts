import crypto from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openPglite, openPostgres } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";

describe("migrations", () => {
  it("apply on PGlite and are idempotent", async () => {
    const db = await openPglite(undefined);
    await migrate(db);
    await migrate(db);
    const [r] = await db.query<{ n: number }>(
      "select count(*)::int as n from information_schema.tables where table_name = 'residents'",
    );
    expect(r.n).toBe(1);
    await db.close();
  });

  it.runIf(!!process.env.TEST_DATABASE_URL)(
    "two server processes migrating one PostgreSQL at once both succeed",
    async () => {
      const base = process.env.TEST_DATABASE_URL!;
      const name = `gk_mig_${crypto.randomBytes(5).toString("hex")}`;
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`create database ${name}`);
      const url = new URL(base);
      url.pathname = `/${name}`;
      const [a, b] = await Promise.all([openPostgres(url.toString(), 2), openPostgres(url.toString(), 2)]);
      try {
        await Promise.all([migrate(a), migrate(b)]);
        const rows = await a.query<{ n: number }>(
          "select count(*)::int as n from drizzle.__drizzle_migrations",
        );
        expect(rows[0].n).toBeGreaterThan(0);
      } finally {
        await a.close();
        await b.close();
        await admin.query(`drop database ${name} with (force)`);
        await admin.end();
      }
    },
  );
});
