import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, loginOk, PHONE, screenshot, startHarness } from "./harness.ts";

// 节假日安排 in the browser: the district commander is warned that next year has no arrangement, follows
// the banner, sees a bad table refused line by line with nothing imported, imports next year's 春节,
// enters and deletes a single day, and reads the page at phone width; a grid worker may read the days
// but the menu does not offer the page and the server refuses a change.

let h: Harness;
const year = new Date().getFullYear() + 1;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

describe("holiday arrangements", () => {
  it("a commander is warned, imports next year's 春节 and enters a day", async () => {
    const { page, errors, context } = await h.open();
    await loginOk(page, "demo-commander");
    const banner = page.getByTestId("holiday-coverage-banner");
    await expect
      .poll(() => banner.textContent(), { timeout: 15_000 })
      .toContain(`${year} 年节假日安排尚未录入`);
    await banner.getByRole("button", { name: "去录入" }).click();
    await page.waitForURL("**/admin/holidays");
    await eventually(() => page.getByTestId("holidays-uncovered").textContent()).toContain(`${year} 年`);

    // A table with an impossible date and a day given two meanings: nothing imported, each line named.
    const paste = page.getByLabel("粘贴表格");
    await paste.fill(`${year}-02-06,${year}-02-12,春节,休\n${year}-02-30,,春节,休\n${year}-02-12,,春节,班`);
    await page.getByRole("button", { name: "导入粘贴的内容" }).click();
    const problems = page.getByTestId("holidays-import-errors");
    await eventually(() => problems.textContent()).toContain("未导入任何日期");
    expect(await problems.locator("li").count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId("holidays-uncovered").count()).toBe(1);

    await paste.fill(
      `开始日期,结束日期,名称,类型\n${year}-02-06,${year}-02-12,春节,休\n${year}-02-14,,春节,班`,
    );
    await page.getByRole("button", { name: "导入粘贴的内容" }).click();
    await eventually(() => page.getByTestId("holidays-uncovered").count()).toBe(0);
    const spring = page.locator('[data-run="春节-holiday"]');
    await eventually(() => spring.textContent()).toContain("休 7 天");
    expect(await spring.textContent()).toContain("区里录入");
    expect(await page.locator('[data-run="春节-workday"]').textContent()).toContain("调休上班 1 天");
    // The banner is gone once the coming year is covered (on the next check).
    await page.reload();
    await eventually(() => page.getByTestId("holidays-runs").count()).toBe(1);
    expect(await page.getByTestId("holiday-coverage-banner").count()).toBe(0);

    // One day entered by hand, then deleted again.
    await page.getByLabel("日期", { exact: true }).fill(`${year}-04-05`);
    await page.getByLabel("节日名称").fill("清明节");
    await page.getByRole("button", { name: "保存", exact: true }).click();
    const qingming = page.locator('[data-run="清明节-holiday"]');
    await eventually(() => qingming.textContent()).toContain("区里录入");
    await screenshot(page, "holidays-desktop", "节假日安排");
    await qingming.getByRole("button", { name: /4月5日/ }).click();
    await page.getByRole("button", { name: "删除", exact: true }).click();
    // The package has nothing for next year, so the day is gone altogether.
    await eventually(() => qingming.count()).toBe(0);

    // The server's calendars took the import: next year's 春节 rests.
    const view = await h.t.app.inject({
      url: `/api/holidays?year=${year}`,
      headers: await h.t.login("demo-grid"),
    });
    expect(view.statusCode).toBe(200);
    const days = view.json().days as { day: string; kind: string; source: string }[];
    expect(days.filter((d) => d.source === "entered" && d.kind === "holiday").length).toBe(7);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("reads well at phone width", async () => {
    const { page, errors, context } = await h.open({ viewport: PHONE });
    await loginOk(page, "demo-commander");
    await page.goto("/admin/holidays");
    await eventually(() => page.locator('[data-run="春节-holiday"]').count()).toBe(1);
    await screenshot(page, "holidays-phone", "节假日安排");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a grid worker reads the days but may not change them", async () => {
    const { page, context } = await h.open();
    await loginOk(page, "demo-grid");
    expect(await page.getByRole("menuitem", { name: "节假日安排" }).count()).toBe(0);
    const headers = await h.t.login("demo-grid");
    const put = await h.t.app.inject({
      method: "PUT",
      url: `/api/holidays/${year}-05-01`,
      headers,
      payload: { kind: "holiday", name: "劳动节" },
    });
    expect(put.statusCode).toBe(403);
    await context.close();
  });
});
