import crypto from "node:crypto";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statementLabel } from "../../src/db/statement.ts";
import { composeIdCard } from "../../src/domain/idcard/idcard.ts";
import { buildApp } from "../../src/server/app.ts";
import { redactMessage, safeError, safeMessage } from "../../src/server/platform/logSafe.ts";
import { createTestApp, DB_KINDS, type TestApp } from "../helpers/app.ts";

// Personal data goes through the paths that fail and log: a unique violation and a forced error on real
// routes (the error handler), a failing query logged as the background jobs log theirs, an error logged
// as pino's first argument, and the CLI's one-line message. The log is then searched for each value.

describe.each(DB_KINDS)("logs without personal data on %s", (kind) => {
  let t: TestApp;
  let logging: Awaited<ReturnType<typeof buildApp>>;
  let logged = "";
  const name = "欧阳测试";
  const phone = "13912345678";
  const idNumber = composeIdCard("320602", "1948-07-09", 913);
  const finding = `老人右腿浮肿独居无人照料${crypto.randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    t = await createTestApp(kind);
    const sink = new PassThrough();
    sink.on("data", (c) => {
      logged += c;
    });
    logging = await buildApp(
      { ...t.ctx, config: { ...t.ctx.config, logLevel: "info" } },
      { logger: sink, serveWeb: false },
    );
  });
  afterAll(async () => {
    await logging?.close();
    await t?.close();
  });

  const login = async (username: string) => {
    const r = await logging.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username, password: "Demo@2026" },
    });
    return { cookie: String(r.headers["set-cookie"]).split(";")[0], "x-csrf-token": r.json().csrfToken };
  };

  it("logs a unique violation on a real route by statement and code, without the duplicated value", async () => {
    const grid = await login("demo-grid");
    const [r] = await t.ctx.database.query<{ id: number }>(
      "select r.id from residents r join org_units u on r.org_path like u.path || '%' where u.code = '320613019010-G01' and r.tags <> '{}' order by r.id limit 1",
    );
    // A unique index the service does not expect: the second visit with this finding violates it.
    await t.ctx.database.query(
      "create unique index test_visits_findings_uq on care_visits (findings) where findings like '老人右腿浮肿%'",
    );
    const visit = () => ({
      clientId: crypto.randomUUID(),
      residentId: r.id,
      kind: "door",
      visitedAt: new Date(Date.now() - 60_000).toISOString(),
      durationMinutes: 20,
      findings: finding,
    });
    expect(
      (await logging.inject({ method: "POST", url: "/api/care/visits", headers: grid, payload: visit() }))
        .statusCode,
    ).toBe(201);
    const dup = await logging.inject({
      method: "POST",
      url: "/api/care/visits",
      headers: grid,
      payload: visit(),
    });
    expect(dup.statusCode).toBe(500);
    expect(dup.body).not.toContain(finding);
    expect(logged).toContain('"code":"23505"');
    expect(logged).toContain("insert into care_visits");
    expect(logged).toContain("test_visits_findings_uq");
    expect(logged).not.toContain(finding);
    await t.ctx.database.query("drop index test_visits_findings_uq");
  });

  it("logs a forced query error on a real route without the resident's name, phone or ID number", async () => {
    const grid = await login("demo-grid");
    const [h] = await t.ctx.database.query<{ householdId: number }>(
      `select r.household_id as "householdId" from residents r join org_units u on r.org_path like u.path || '%' where u.code = '320613019010-G01' limit 1`,
    );
    await t.ctx.database.query(`create function test_refuse() returns trigger language plpgsql as $$
      begin raise exception 'forced failure' using errcode = 'XX001'; end $$`);
    await t.ctx.database.query(
      "create trigger test_refuse before insert on residents for each row execute function test_refuse()",
    );
    const r = await logging.inject({
      method: "POST",
      url: "/api/residents",
      headers: grid,
      payload: { name, idNumber, phone, householdId: h.householdId, tags: ["living_alone"] },
    });
    expect(r.statusCode).toBe(500);
    await t.ctx.database.query("drop trigger test_refuse on residents");
    await t.ctx.database.query("drop function test_refuse()");
    expect(logged).toContain('"code":"XX001"');
    expect(logged).toContain("forced failure");
    for (const value of [name, phone, idNumber, idNumber.slice(-8)]) expect(logged).not.toContain(value);
  });

  it("logs a failing background query and an error given as the message, without the values", async () => {
    const fail = async (sql: string, params: unknown[]) =>
      t.ctx.database.query(sql, params).then(
        () => {
          throw new Error("expected a failure");
        },
        (e: unknown) => e,
      );
    // As background.ts logs a failed job.
    const err = await fail("select $1::int as n", [idNumber]);
    expect(String((err as Error).message)).toContain(idNumber);
    logging.log.error({ err }, "sla sweep failed");
    logging.log.error(await fail("select $1::date", [`${name} ${phone}`]));
    // Drizzle's wrapper, whose message is the query and its parameters.
    const { sql } = await import("drizzle-orm");
    const wrapped = await t.ctx.database.db.execute(sql`select ${finding}::int`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(String((wrapped as Error).message)).toContain(finding);
    logging.log.error({ err: wrapped }, (wrapped as Error).message);
    logging.log.warn({ err: wrapped }, "outbox delivery failed");
    await new Promise((r) => setImmediate(r));
    expect(logged).toContain("sla sweep failed");
    expect(logged).toContain('"code":"22003"'); // integer out of range
    expect(logged).toContain('"code":"22P02"'); // invalid text for a type
    for (const value of [name, phone, idNumber, finding]) expect(logged).not.toContain(value);
    // The CLI's one line.
    for (const e of [err, wrapped]) {
      const line = safeMessage(e);
      expect(line).toMatch(/\b22(003|P02)\b/);
      for (const value of [idNumber, finding]) expect(line).not.toContain(value);
    }
  });

  it("names statements and cuts quoted values out of messages", () => {
    expect(statementLabel('insert into "residents" ("name") values ($1)')).toBe("insert into residents");
    expect(statementLabel("update accounts set x = 'secret' where id = $1")).toBe("update accounts");
    expect(statementLabel("select a from work_orders o where o.id = $1")).toBe("select … from work_orders");
    expect(redactMessage('invalid input syntax for type integer: "张三"')).toBe(
      "invalid input syntax for type integer: [redacted]",
    );
    expect(redactMessage('duplicate key value violates unique constraint "residents_id_hash_uq"')).toBe(
      'duplicate key value violates unique constraint "residents_id_hash_uq"',
    );
    const e = Object.assign(new Error("boom"), {
      detail: `Key (phone)=(${phone}) already exists.`,
      code: "23505",
    });
    expect(JSON.stringify(safeError(e))).not.toContain(phone);
    expect(safeMessage(new Error("组织不存在"))).toBe("组织不存在");
  });
});
