import crypto from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initCity } from "../../src/cli/city.ts";
import { eventually, type Harness, loginOk, screenshot, startHarness } from "./harness.ts";

// The city scope on the command page: a district commander of a deployment with CITY_DATABASE_URL sees every
// district's month side by side with the city's total; a street's commander does not. The city database here
// is filled the way replication fills it (rows of two districts in the same tables); the replication itself is
// tested with three clusters in test/integration/city.test.ts. The city database needs a PostgreSQL server.

describe.runIf(process.env.TEST_DATABASE_URL)("全市汇总 on the command page", () => {
  let h: Harness;
  let admin: pg.Client;
  const name = `gk_city_${crypto.randomBytes(5).toString("hex")}`;
  const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    await initCity(url.toString());
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      await c.query(
        `insert into city_districts (code, name, subscription) values ('320613', '崇川区', 'gk_city_320613'), ('320614', '海门区', 'gk_city_320614')`,
      );
      // 崇川区: 40 dispatched, 36 on time (90%); 海门区: 10 dispatched, 5 on time (50%); city: 41/50 = 82%.
      await c.query(
        `insert into rate_counts_daily (day, org_path, dispatched, accepted_on_time, resolved, resolved_on_time, resolved_first_time, callbacks, callbacks_solved, rated_callbacks, rated_satisfied)
         values ($1::date, '/320613/320613019/320613019010/320613019010-G01/', 40, 36, 20, 18, 17, 10, 9, 10, 10),
                ($1::date, '/320614/320614100/320614100001/320614100001-G01/', 10, 5, 4, 2, 4, 2, 1, 2, 1)`,
        [`${month}-01`],
      );
      await c.query(
        `insert into order_flow_daily (day, org_path, received, closed) values
           ($1::date, '/320613/320613019/320613019010/', 42, 18), ($1::date, '/320614/320614100/320614100001/', 11, 3)`,
        [`${month}-01`],
      );
      await c.query(
        `insert into points_monthly (account_id, month, org_path, points, minutes, tasks) values
           (7, $1, '/320613/320613019/320613019010/', 30, 180, 2), (7, $1, '/320614/320614100/320614100001/', 10, 90, 1)`,
        [month],
      );
    } finally {
      await c.end();
    }
    h = await startHarness("pglite");
    h.t.ctx.config.cityDatabaseUrl = url.toString();
  });
  afterAll(async () => {
    await h?.close();
    await admin?.query(`drop database if exists ${name} with (force)`);
    await admin?.end();
  });

  it("a district commander sees each district's month and the city's; a street commander does not", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-commander");
    await page.waitForURL((u) => u.pathname === "/command", { timeout: 30_000 });
    const panel = page.getByTestId("command-city");
    await eventually(() => panel.locator("tbody tr.ant-table-row").count()).toBe(3);
    const rows = await panel.locator("tbody tr.ant-table-row").allInnerTexts();
    expect(rows[0]).toContain("崇川区（320613）");
    expect(rows[0]).toContain("90.0%");
    expect(rows[1]).toContain("海门区（320614）");
    expect(rows[1]).toContain("50.0%");
    // The city's rate is the rate of the summed counts (41 / 50), not the mean of 90 % and 50 %.
    expect(rows[2]).toContain("全市合计");
    expect(rows[2]).toContain("82.0%");
    expect(rows[2]).toContain("53");
    // Not subscribed here: each district is marked as not connected, with its last figures.
    expect(rows[0]).toContain("未连接");
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, "command-city", "指挥中心");
    expect(errors).toEqual([]);
    await context.close();

    const street = await h.open();
    await loginOk(street.page, "demo-street");
    await street.page.waitForURL((u) => u.pathname === "/command", { timeout: 30_000 });
    await eventually(() => street.page.getByTestId("command-unit").textContent()).toBe("秦灶街道");
    expect(await street.page.getByTestId("command-city").count()).toBe(0);
    await street.context.close();
  });
});
