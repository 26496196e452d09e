import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, loginOk, PASSWORD, screenshot, startHarness } from "./harness.ts";

// Forms survive an expired session: an agent filling an order when the session ends on the server is told
// why the password is asked again and that the draft is kept, signs in, and finds the form as it was.

let h: Harness;
let caller: { id: number; name: string };

beforeAll(async () => {
  h = await startHarness();
  [caller] = await h.t.ctx.database.query<{ id: number; name: string }>(
    `select r.id, r.name from residents r where r.phone_cipher is not null and length(r.name) = 3
       and (select count(*) from residents o where o.name = r.name) = 1 order by r.id desc limit 1`,
  );
});
afterAll(() => h?.close());

describe("drafts", () => {
  it("keeps an intake through an expired session and brings it back after signing in", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-agent");
    await page.goto("/orders/new");
    await page.getByLabel("查找来电人").fill(caller.name);
    await page.getByRole("button", { name: `选择 ${caller.name}`, exact: true }).click();
    const category = page.getByLabel("诉求分类");
    await category.click();
    await category.fill("停水");
    await category.press("Enter");
    const text = "整栋楼从早上开始停水，家里有卧床老人";
    await page.getByLabel("诉求内容").fill(text);

    // The session ends on the server (expired, or signed out elsewhere) while the agent types.
    await h.t.ctx.database.query(
      "delete from sessions where account_id = (select id from accounts where username = 'demo-agent')",
    );
    // Each process keeps a resolved session for at most five seconds (auth service's cache).
    await new Promise((r) => setTimeout(r, 5_500));
    await page.getByRole("button", { name: "提交并派单" }).click();
    await page.waitForURL((u) => u.pathname === "/login" && u.searchParams.get("next") === "/orders/new");
    await eventually(() => page.getByTestId("session-expired").textContent()).toBe(
      "会话已过期，请重新登录；已保存草稿",
    );
    await screenshot(page, "draft-session-expired", "登录网格管家");

    await page.getByLabel("用户名").fill("demo-agent");
    await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/orders/new");
    await eventually(() => page.getByLabel("诉求内容").inputValue()).toBe(text);
    await eventually(() => page.getByTestId("picked-resident").textContent()).toContain(caller.name);
    const field = page.locator(".ant-form-item").filter({ has: page.locator("#categoryCode") });
    expect(await field.textContent()).toContain("供水");
    await eventually(() => page.getByText("已恢复未提交的草稿").count()).toBe(1);
    await screenshot(page, "draft-restored", "工单受理");

    // Filed: the draft is gone.
    await page.getByRole("button", { name: "提交并派单" }).click();
    await page.waitForURL(/\/orders\/\d+$/);
    const keys = await page.evaluate(() =>
      Object.keys(localStorage).filter((k) => k.startsWith("gk.draft.")),
    );
    expect(keys).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
