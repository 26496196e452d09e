import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countIn,
  eventually,
  type Harness,
  login,
  loginOk,
  navigatorRoot,
  residentRows,
  screenshot,
  signedIn,
  startHarness,
} from "./harness.ts";

// (a) Every demo role sees exactly its own scope; volunteers get the no-permission page.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function totalShown(page: import("playwright-core").Page): Promise<number> {
  const text = await page.getByTestId("resident-total").first().textContent();
  return countIn(text);
}

describe("scope by role", () => {
  it("shows the login page and rejects a wrong password in Chinese", async () => {
    const { page, context, errors } = await h.open();
    await page.goto("/");
    await page.waitForURL(/\/login/);
    await screenshot(page, "login", "登录网格管家");
    await login(page, "demo-grid", "wrong-password");
    await eventually(() => page.getByRole("alert").textContent()).toContain("用户名或密码错误");
    await screenshot(page, "login-wrong-password", "登录网格管家");
    expect(errors).toEqual([]);
    await context.close();
  });

  it.each([
    ["demo-commander", "崇川区"],
    ["demo-street", "秦灶街道"],
    ["demo-community", "苏阳社区"],
    ["demo-grid", "第1网格"],
    ["demo-agent", "崇川区"],
    ["demo-doctor", "秦灶街道"],
  ])("%s sees its own unit %s at the navigator's root", async (user, unit) => {
    // Each role lands on its work (landing.test.ts, through the form); its unit's page is where the navigator
    // starts, opened here as a bookmark is, signed in: one page load, where the form and the landing page
    // before it were two more per role.
    const me = (await h.t.app.inject({ url: "/api/me", headers: await h.t.login(user) })).json();
    const { page, context, errors } = await h.open();
    await signedIn(h, page, user, `/orgs/${me.org.id}`);
    await eventually(() => navigatorRoot(page).textContent()).toBe(unit);
    await eventually(() => page.locator(".ant-breadcrumb").textContent()).toContain(unit);
    await screenshot(page, `org-${user}`, unit);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the grid worker's resident list holds only 苏阳社区 第1网格, fewer than the community's", async () => {
    const admin = await h.open();
    await signedIn(h, admin.page, "demo-community", "/residents");
    await eventually(() => residentRows(admin.page).count()).toBe(20);
    const communityTotal = await totalShown(admin.page);
    await admin.context.close();

    const { page, context, errors } = await h.open();
    await signedIn(h, page, "demo-grid", "/residents");
    await eventually(() => residentRows(page).count()).toBe(20);
    await screenshot(page, "residents-grid-worker", "居民查询");
    const addresses = await page.locator(".ant-table-tbody td.gk-address").allTextContents();
    expect(addresses).toHaveLength(20);
    for (const a of addresses) expect(a.startsWith("苏阳社区")).toBe(true);
    const gridTotal = await totalShown(page);
    expect(gridTotal).toBeGreaterThan(0);
    expect(gridTotal).toBeLessThan(communityTotal);

    // The server agrees: the grid's statistics count the same residents.
    const me = await page.evaluate(() => fetch("/api/me").then((r) => r.json()));
    const unit = await page.evaluate((id) => fetch(`/api/orgs/${id}`).then((r) => r.json()), me.org.id);
    me.org.parentId = unit.unit.parentId;
    const stats = await page.evaluate(
      (id) => fetch(`/api/orgs/${id}/stats`).then((r) => r.json()),
      me.org.id,
    );
    expect(gridTotal).toBe(stats.residents);

    // A resident of another grid is out of reach.
    const adminHeaders = await h.t.login("demo-community");
    const grids = (
      await h.t.app.inject({ url: `/api/orgs?parent=${me.org.parentId ?? ""}`, headers: adminHeaders })
    ).json();
    const otherGrid = grids.items.find((g: { id: number }) => g.id !== me.org.id);
    const outsider = (
      await h.t.app.inject({ url: `/api/residents?org=${otherGrid.id}&pageSize=1`, headers: adminHeaders })
    ).json().items[0];
    await page.goto(`/residents/${outsider.id}`);
    await eventually(() => page.locator(".ant-result-title").textContent()).toMatch(/无权访问|记录不存在/);
    await screenshot(page, "resident-out-of-scope", /无权访问|记录不存在/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a volunteer sees the no-permission page", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-volunteer");
    // A volunteer lands on the tasks page (landing.test.ts); the welcome page still says what is not theirs.
    await page.waitForURL(/\/tasks$/);
    await page.goto("/welcome");
    await eventually(() => page.getByText("您的角色暂无居民信息查看权限").count()).toBe(1);
    await screenshot(page, "welcome-volunteer", "欢迎使用网格管家");
    await page.goto("/residents");
    await eventually(() => page.getByText("您的角色暂无居民信息查看权限").count()).toBe(1);
    expect(await residentRows(page).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a locked account is told how long to wait", async () => {
    for (let i = 0; i < 5; i++) {
      await h.t.app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { username: "demo-agent", password: "wrong-password" },
      });
    }
    const { page, context, errors } = await h.open();
    await login(page, "demo-agent");
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toMatch(/账号已暂时锁定，请在\d+ (秒|分钟)后重试/);
    await screenshot(page, "login-locked", "登录网格管家");
    expect(errors).toEqual([]);
    await context.close();
  });
});
