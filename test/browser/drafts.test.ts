import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, loginOk, PASSWORD, PHONE, screenshot, startHarness } from "./harness.ts";

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

type Headers = Awaited<ReturnType<Harness["t"]["login"]>>;

async function call<T>(url: string, headers: Headers, method = "GET", payload?: unknown): Promise<T> {
  const r = await h.t.app.inject({ method: method as "GET", url, headers, payload: payload as any });
  expect(r.statusCode, r.body).toBeLessThan(300);
  return r.json() as T;
}

/** Ends every session of `username` on the server, past the auth service's five-second cache. */
async function expire(username: string) {
  await h.t.ctx.database.query(
    "delete from sessions where account_id = (select id from accounts where username = $1)",
    [username],
  );
  await new Promise((r) => setTimeout(r, 5_500));
}

/** A tiny PNG (a 2×2 grey square), enough for the photo picker. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAAAAABX3VL4AAAADklEQVR4nGNoaGhgYGAAAAQQAQErT6ipAAAAAElFTkSuQmCC",
  "base64",
);

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
    // The select shows the stored code until the category tree has loaded, then its name.
    await eventually(() => field.textContent()).toContain("供水");
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

  it("keeps a resolution on the grid worker's phone through an expired session, photos named as not kept", async () => {
    // An order of 苏阳社区 第1网格 taken and reached by demo-grid, to be resolved from the phone queue.
    const [agent, grid] = await Promise.all([h.t.login("demo-agent"), h.t.login("demo-grid")]);
    const { items } = await call<{ items: { id: number }[] }>("/api/residents?pageSize=1", grid);
    let o = await call<{ id: number; number: string; version: number }>("/api/orders", agent, "POST", {
      channel: "hotline_12345",
      categoryCode: "utilities_water",
      description: "楼道水管漏水，地面积水",
      residentId: items[0].id,
    });
    for (const action of ["accept", "arrive"])
      o = {
        ...o,
        ...(await call<{ version: number }>(`/api/orders/${o.id}/actions/${action}`, grid, "POST", {
          version: o.version,
        })),
      };

    const { page, context, errors } = await h.open({ viewport: PHONE });
    await loginOk(page, "demo-grid");
    await page.waitForURL((u) => u.pathname === "/orders/queue");
    const card = page.locator(`[data-testid="order-card"][data-number="${o.number}"]`);
    await card.locator('[data-action="resolve"]').click();
    const dialog = page.getByRole("dialog");
    await dialog
      .locator('input[type="file"]')
      .setInputFiles({ name: "现场.png", mimeType: "image/png", buffer: PNG });
    const note = "已关闭阀门并更换接头，地面已清理";
    await dialog.getByLabel("备注").fill(note);

    await expire("demo-grid");
    await dialog.getByRole("button", { name: "确认办结" }).click();
    await page.waitForURL((u) => u.pathname === "/login" && u.searchParams.get("next") === "/orders/queue");
    await eventually(() => page.getByTestId("session-expired").textContent()).toBe(
      "会话已过期，请重新登录；已保存草稿",
    );
    await screenshot(page, "draft-resolve-expired-phone", "登录网格管家");

    await page.getByLabel("用户名").fill("demo-grid");
    await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/orders/queue");
    // The resolution form opens again on its order, filled, and says the photo must be picked again.
    await eventually(() => dialog.getByLabel("备注").inputValue()).toBe(note);
    expect(await dialog.textContent()).toContain(`办结 · 工单 ${o.number}`);
    expect(await dialog.getByTestId("draft-restored").textContent()).toContain(
      "照片没有随草稿保存，请重新选择",
    );
    await screenshot(page, "draft-resolve-restored-phone", "我的待办");
    await dialog.getByRole("button", { name: "确认办结" }).click();
    await eventually(() => card.count()).toBe(0);
    const keys = await page.evaluate(() =>
      Object.keys(localStorage).filter((k) => k.startsWith("gk.draft.")),
    );
    expect(keys).toEqual([]);
    const done = await call<{ order: { state: string } }>(
      `/api/orders/${o.id}`,
      await h.t.login("demo-grid"),
    );
    expect(done.order.state).toBe("resolved");
    expect(errors).toEqual([]);
    await context.close();
  });
});
