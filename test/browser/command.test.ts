import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedOrders } from "../../src/seed/orders.ts";
import { runDailyReports } from "../../src/server/modules/command/index.ts";
import { DB_KINDS } from "../helpers/app.ts";
import {
  eventually,
  type Harness,
  loginOk,
  PHONE,
  SCREENSHOTS,
  screenshot as shoot,
  startHarness,
} from "./harness.ts";

// The command center as a commander meets it: the district's situation on landing, a drill from the district
// through a street and a community to a grid and one of its orders, a new order showing up without a reload,
// the wall screen at 1920×1080, and the same page on a phone.

const tile = (page: import("playwright-core").Page, label: string) =>
  page
    .getByTestId("command-situation")
    .locator(".ant-statistic")
    .filter({ hasText: label })
    .locator(".ant-statistic-content-value");

describe.each(DB_KINDS)("指挥中心 on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
    // Forty days of the street's orders, walked through the real workflow, and three complaints of one kind
    // from one building of 苏阳社区 第1网格 today: a hot spot, and open orders in the grid the test drills to.
    await seedOrders(h.t.ctx.database, h.t.ctx.crypto, "320613019", { count: 400, days: 40, seed: 7 });
    const agent = await h.t.login("demo-agent");
    const [b] = await h.t.ctx.database.query<{ id: number; orgUnitId: number }>(
      `select id, org_unit_id as "orgUnitId" from buildings where org_path like '/320613/320613019/320613019010/320613019010-G01/%' order by id limit 1`,
    );
    for (let i = 0; i < 3; i++) {
      const r = await h.t.app.inject({
        method: "POST",
        url: "/api/orders",
        headers: agent,
        payload: {
          channel: "hotline_12345",
          categoryCode: "sanitation",
          description: "楼道垃圾无人清运",
          buildingId: b.id,
          orgUnitId: b.orgUnitId,
        },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
  });
  afterAll(() => h?.close());
  // Screenshots of the PostgreSQL run keep their own names, so both can be looked at.
  const screenshot = (page: Parameters<typeof shoot>[0], name: string, heading: string | RegExp) =>
    shoot(page, kind === "pglite" ? name : `${name}-pg`, heading);

  it("a district commander lands on the dashboard and drills down to a grid and an order", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-commander");
    await page.waitForURL((u) => u.pathname === "/command", { timeout: 30_000 });
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("崇川区");
    // The tiles say what the database says.
    const api = await page.evaluate(() => fetch("/api/command/dashboard").then((r) => r.json()));
    await eventually(() => tile(page, "在办").textContent()).toBe(api.situation.open.toLocaleString("en-US"));
    expect(await page.getByTestId("command-rates").locator("[data-rate]").count()).toBe(5);
    expect(await page.getByTestId("command-care").textContent()).toContain("重点人群");
    expect(await page.getByTestId("command-volunteers").textContent()).toContain("今日服务");
    expect(await page.getByTestId("command-campaigns").textContent()).toContain("敲门行动");
    await screenshot(page, "command-district", "指挥中心");

    // District → 秦灶街道 → 苏阳社区 → 第1网格, each by its name in the table of units below.
    for (const [name, label] of [
      ["秦灶街道", "秦灶街道"],
      ["苏阳社区", "苏阳社区"],
      ["第1网格", "苏阳社区·第1网格"],
    ]) {
      await page.getByTestId("command-children").getByRole("button", { name, exact: true }).click();
      await eventually(() => page.getByTestId("command-unit").textContent()).toBe(label);
    }
    expect(new URL(page.url()).searchParams.get("org")).toBeTruthy();
    await eventually(() => page.getByTestId("command-hotspots").textContent()).toContain("苏阳社区·第1网格·");
    await screenshot(page, "command-grid", "指挥中心");
    // The grid's open orders, and one of them.
    await page.getByTestId("command-situation").getByText("在办").click();
    await page.waitForURL((u) => u.pathname === "/orders", { timeout: 30_000 });
    // An order number (17 digits) on the board, not a link of the page being left (its hot spots link here too).
    await eventually(() => page.getByRole("heading", { name: "工单调度", exact: true }).count()).toBe(1);
    const first = page.getByRole("link", { name: /^\d{17}$/ }).first();
    await eventually(() => first.count()).toBe(1);
    await Promise.all([page.waitForURL(/\/orders\/\d+$/, { timeout: 30_000 }), first.click()]);
    // Back up: the unit the commander was on is kept in the address.
    await page.goBack();
    await page.goBack();
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("苏阳社区·第1网格");
    await page.getByRole("button", { name: "秦灶街道", exact: true }).click();
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("秦灶街道");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows a new order without a reload", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-street");
    await page.waitForURL((u) => u.pathname === "/command");
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("秦灶街道");
    const before = Number((await tile(page, "今日受理").textContent())?.replaceAll(",", ""));
    const [g1] = await h.t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010-G01'",
    );
    const agent = await h.t.login("demo-agent");
    const r = await h.t.app.inject({
      method: "POST",
      url: "/api/orders",
      headers: agent,
      payload: {
        channel: "hotline_12345",
        categoryCode: "sanitation",
        description: "路灯不亮",
        orgUnitId: g1.id,
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    // Pushed: well before the page's own re-read a minute later.
    await eventually(() => tile(page, "今日受理").textContent(), { timeout: 10_000 }).toBe(
      (before + 1).toLocaleString("en-US"),
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  // The page's own timers, not the database: once is enough.
  it.runIf(kind === "pglite")(
    "asks once for the city's figures where there is no city database",
    async () => {
      const { page, context, errors } = await h.open();
      await page.clock.install();
      const asked: string[] = [];
      page.on("request", (r) => {
        if (new URL(r.url()).pathname === "/api/command/city") asked.push(r.url());
      });
      await loginOk(page, "demo-commander");
      await page.waitForURL((u) => u.pathname === "/command");
      await eventually(() => page.getByTestId("command-unit").textContent()).toBe("崇川区");
      await eventually(() => asked.length).toBe(1);
      // Half a minute on the wall: the panel asked again every 10 s for a 404 that does not change.
      await page.clock.runFor(35_000);
      // An absence is seen by waiting: what the timers sent has left the page well within a second.
      await page.waitForTimeout(1000);
      expect(asked).toHaveLength(1);
      expect(await page.getByTestId("command-city").count()).toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    },
  );

  it("runs on a wall screen at 1920×1080 by itself", async () => {
    const { page, context, errors } = await h.open({ viewport: { width: 1920, height: 1080 } });
    await loginOk(page, "demo-commander");
    await page.getByRole("button", { name: "大屏模式" }).click();
    await page.waitForURL((u) => u.pathname === "/command/screen");
    await eventually(() => page.locator("[data-kpi=open]").textContent()).toMatch(/^[\d,]+$/);
    // No menu, no scroll bars: everything fits the screen.
    expect(await page.locator(".ant-layout-sider, .ant-menu").count()).toBe(0);
    const size = await page.evaluate(() => ({
      w: document.documentElement.scrollWidth,
      h: document.documentElement.scrollHeight,
    }));
    expect(size).toEqual({ w: 1920, h: 1080 });
    await screenshot(page, "command-screen-1920", /^指挥中心 · 崇川区$/);
    // The map panel, pinned: the district's streets shaded, readable from across the room.
    await page.goto("/command/screen?panel=map");
    await eventually(() => page.locator("[data-panel=map] canvas").count()).toBeGreaterThan(0);
    await eventually(() => page.locator("[data-panel=map] .gk-map-spot").count()).toBeGreaterThan(5);
    await screenshot(page, "command-screen-map", /^指挥中心 · 崇川区$/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("downloads yesterday's daily report as a PDF that reads in Chinese", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-street");
    await page.waitForURL((u) => u.pathname === "/command", { timeout: 30_000 });
    await page.getByRole("button", { name: "信息日报" }).click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("menuitem", { name: "昨日日报（PDF）" }).click(),
    ]);
    const file = path.join(SCREENSHOTS, `command-daily-report-${kind}.pdf`);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await download.saveAs(file);
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe("%PDF-");
    const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" });
    expect(text).toContain("秦灶街道 信息日报");
    expect(text).toContain("苏阳社区");
    // The first page as a picture, for a person to look at.
    execFileSync("pdftoppm", [
      "-png",
      "-r",
      "70",
      "-f",
      "1",
      "-l",
      "1",
      "-singlefile",
      file,
      file.replace(/\.pdf$/, ""),
    ]);
    expect(fs.statSync(file.replace(/\.pdf$/, ".png")).size).toBeGreaterThan(20_000);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("fits a phone", async () => {
    const { page, context, errors } = await h.open({ viewport: PHONE });
    await loginOk(page, "demo-community");
    await page.goto("/command");
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("苏阳社区");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, "command-phone", "指挥中心");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("drills down on the map to a grid and an order, turns a hot spot into a governance order (未诉先办)", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-street");
    await page.waitForURL((u) => u.pathname === "/command", { timeout: 30_000 });
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("秦灶街道");
    const map = page.getByTestId("command-map");
    await eventually(() => map.locator("canvas").count()).toBeGreaterThan(0);
    await eventually(() => map.getByRole("button", { name: "苏阳社区", exact: true }).count()).toBe(1);
    await screenshot(page, "command-map-street", "指挥中心");
    // No tile layer unless one is configured (MAP_TILE_URL): boundaries only.
    expect(await map.getByTestId("command-map-tiles").count()).toBe(0);
    // A click on 苏阳社区's area, then on 第1网格's: the same page, one level down each time.
    await map.getByRole("button", { name: "苏阳社区", exact: true }).click();
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("苏阳社区");
    await eventually(() => map.getByRole("button", { name: "第1网格", exact: true }).count()).toBe(1);
    await map.getByRole("button", { name: "第1网格", exact: true }).click();
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("苏阳社区·第1网格");
    // In the grid the open orders are points; the measure picker shades by satisfaction too.
    await eventually(() => map.getByRole("button", { name: /^\d{17}$/ }).count()).toBeGreaterThan(2);
    await map.getByText("满意率(%)").click();
    await screenshot(page, "command-map-grid", "指挥中心");
    // Redrawn in the new measure (a drawing that failed while the screenshot resized the page comes back by itself).
    await eventually(() => map.getByRole("button", { name: /^\d{17}$/ }).count()).toBeGreaterThan(2);
    await Promise.all([
      page.waitForURL(/\/orders\/\d+$/, { timeout: 30_000 }),
      map
        .getByRole("button", { name: /^\d{17}$/ })
        .last()
        .click(),
    ]);
    await page.goBack();
    await eventually(() => page.getByTestId("command-unit").textContent()).toBe("苏阳社区·第1网格");
    // 未诉先办: the building's repeated complaint becomes one order to the grid.
    const hot = page.getByTestId("command-hotspots");
    await eventually(() => hot.getByRole("button", { name: "转治理工单" }).count()).toBeGreaterThan(0);
    await Promise.all([
      page.waitForURL(/\/orders\/\d+$/, { timeout: 30_000 }),
      hot.getByRole("button", { name: "转治理工单" }).first().click(),
    ]);
    const id = Number(new URL(page.url()).pathname.split("/").pop());
    const [order] = await h.t.ctx.database.query<{ channel: string; description: string }>(
      "select channel, description from work_orders where id = $1",
      [id],
    );
    expect(order.channel).toBe("proactive");
    await eventually(() => page.getByText("未诉先办").count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("keeps the 08:00 reports in an archive, and the district picks who receives them", async () => {
    await runDailyReports(h.t.ctx, new Date());
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-street");
    await page.waitForURL((u) => u.pathname === "/command", { timeout: 30_000 });
    await page.getByRole("button", { name: "信息日报" }).click();
    await page.getByRole("menuitem", { name: "日报存档与接收人" }).click();
    await page.waitForURL((u) => u.pathname === "/command/reports");
    const archive = page.getByTestId("report-archive");
    await eventually(() => archive.textContent()).toContain("秦灶街道");
    // Only the street's own report: not the district's, not another street's.
    expect(await archive.locator("tbody tr.ant-table-row").count()).toBe(1);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      archive.getByRole("link", { name: /PDF/ }).click(),
    ]);
    const file = path.join(SCREENSHOTS, `command-archived-report-${kind}.pdf`);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await download.saveAs(file);
    expect(execFileSync("pdftotext", [file, "-"], { encoding: "utf8" })).toContain("秦灶街道 信息日报");
    await eventually(() => page.getByTestId("report-recipients").textContent()).toContain("接收人由区级设置");
    await screenshot(page, "command-reports-street", "日报存档");
    await context.close();

    // The district: its own list, editable, found by pinyin initials.
    const d = await h.open();
    await loginOk(d.page, "demo-commander");
    await d.page.goto("/command/reports");
    const card = d.page.getByTestId("report-recipients");
    await eventually(() => card.getByRole("button", { name: "保存接收人" }).count()).toBe(1);
    await card.getByRole("combobox", { name: /选择接收人/ }).fill("jd");
    await eventually(() => d.page.locator(".ant-select-item-option").count()).toBeGreaterThan(0);
    await d.page.locator(".ant-select-item-option").first().click();
    await d.page.keyboard.press("Escape");
    await card.getByRole("button", { name: "保存接收人" }).click();
    await eventually(() => d.page.getByText("已保存接收人").count()).toBe(1);
    await screenshot(d.page, "command-reports-district", "日报存档");
    expect([...errors, ...d.errors]).toEqual([]);
    await d.context.close();
  });
});
