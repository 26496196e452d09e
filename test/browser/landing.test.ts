import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, login, PASSWORD, PHONE, screenshot, startHarness } from "./harness.ts";

// Each person lands on their work, on a phone, without opening the menu: the agent at intake, the grid
// worker at their queue, the doctor at today's follow-ups, the commander at the command center, the
// volunteer at the community's tasks (志愿任务). "/" takes them to the same place; a link they
// followed before signing in still wins.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const LANDINGS = [
  { user: "demo-agent", path: "/orders/new", heading: "工单受理" },
  { user: "demo-grid", path: "/orders/queue", heading: "我的待办" },
  { user: "demo-doctor", path: "/care/followups", heading: "今日随访" },
  { user: "demo-commander", path: "/command", heading: "指挥中心" },
  { user: "demo-volunteer", path: "/tasks", heading: "志愿任务" },
] as const;

describe("landing pages", () => {
  for (const l of LANDINGS) {
    it(`${l.user} lands on ${l.path}`, async () => {
      const { page, context, errors } = await h.open({ viewport: PHONE });
      await login(page, l.user);
      await page.waitForURL((u) => u.pathname === l.path);
      await screenshot(page, `landing-${l.user}-phone`, l.heading);
      // The work is on the screen, the menu closed.
      expect(await page.locator(".ant-drawer-open").count()).toBe(0);
      if (l.user === "demo-volunteer")
        await eventually(() => page.getByTestId("task-card").count()).toBeGreaterThan(0);
      await page.goto("/");
      await page.waitForURL((u) => u.pathname === l.path);
      await eventually(() => page.getByRole("heading", { name: l.heading, exact: true }).count()).toBe(1);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it("a link followed before signing in still wins over the landing page", async () => {
    const { page, context, errors } = await h.open({ viewport: PHONE });
    await page.goto("/orders/queue");
    await page.waitForURL((u) => u.pathname === "/login");
    await page.getByLabel("用户名").fill("demo-agent");
    await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/orders/queue");
    expect(errors).toEqual([]);
    await context.close();
  });
});
