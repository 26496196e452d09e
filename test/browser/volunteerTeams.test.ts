import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAccount } from "../../src/server/modules/accounts/index.ts";
import {
  eventually,
  type Harness,
  loginOk,
  openTab,
  PASSWORD,
  PHONE,
  screenshot,
  startHarness,
} from "./harness.ts";

// Teams 志愿队 / functional party branches 功能型党支部 and a community's points rules, through the screens: the
// community forms a team on a phone (the demo volunteer as its secretary), the secretary keeps its roll on her
// phone (adds a member, marks one as left, the roll keeps them); the rules form on a desk, the server's field error
// shown under the field in Chinese, then saved.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const noSideScroll = async (page: Page) =>
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

describe("volunteer teams and rules", () => {
  it("a team formed on the phone desk; its secretary adds and removes a member on her phone", async () => {
    const q = <T>(sql: string) => h.t.ctx.database.query<T>(sql);
    const [secretary] = await q<{ name: string }>(
      "select m.name from volunteer_members m join accounts a on a.id = m.account_id where a.username = 'demo-volunteer'",
    );
    // A confirmed member of her community with a name no other member shares (the pick is by name).
    const [joiner] = await q<{ name: string }>(
      `select m.name from volunteer_members m join org_units o on o.id = m.community_id
       where o.code = '320613019010' and m.state = 'confirmed' and m.account_id is null
         and (select count(*) from volunteer_members x where x.name = m.name) = 1
       order by m.id limit 1`,
    );
    expect(joiner).toBeDefined();

    const desk = await h.open({ viewport: PHONE });
    const d = desk.page;
    await loginOk(d, "demo-community");
    await d.goto("/volunteers/desk");
    await openTab(d, "队伍");
    await eventually(() => d.getByTestId("team-card").count()).toBeGreaterThan(0);
    await d.getByLabel("类型").click();
    await d.getByTitle("志愿服务队", { exact: true }).click();
    await d.getByLabel("小区").fill("测试花园");
    await d.getByLabel("队伍名称").fill("测试花园志愿服务队");
    await d.getByLabel("书记").fill(secretary.name);
    await d
      .getByTitle(new RegExp(`^${secretary.name}`))
      .first()
      .click();
    await d.getByRole("button", { name: "组建" }).click();
    const card = d.getByTestId("team-card").filter({ hasText: "测试花园志愿服务队" });
    await eventually(() => card.count()).toBe(1);
    expect(await card.textContent()).toContain(secretary.name);
    await noSideScroll(d);
    await screenshot(d, "volunteer-teams-desk-phone", "志愿服务台");

    // The secretary, on her phone: 我的 → 我所在的队伍 → 管理名册.
    const sec = await h.open({ viewport: PHONE });
    const p = sec.page;
    await loginOk(p, "demo-volunteer");
    await p.waitForURL((u) => u.pathname === "/tasks");
    await p.getByText("我的", { exact: true }).click();
    await p
      .getByTestId("my-team")
      .filter({ hasText: "测试花园志愿服务队" })
      .getByRole("button", { name: "管理名册" })
      .click();
    const roll = p.getByTestId("roll");
    await eventually(() => roll.getByTestId("roll-member").count()).toBe(1);
    await roll.getByLabel("输入姓名或工作单位查找本社区成员").fill(joiner.name);
    await p
      .getByTitle(new RegExp(`^${joiner.name}`))
      .first()
      .click();
    await roll.getByRole("button", { name: "加入名册" }).click();
    const row = roll.getByTestId("roll-member").filter({ hasText: joiner.name });
    await eventually(() => row.count()).toBe(1);
    await eventually(() => roll.getByTestId("roll-counts").textContent()).toContain("在册 2 人");
    // Nobody new has served this quarter: both are below the minimum and marked.
    await eventually(() => row.getByText("时长不足").count()).toBe(1);
    expect(await row.getAttribute("data-below")).toBe("true");
    await noSideScroll(p);
    await screenshot(p, "volunteer-teams-roll-phone", "志愿任务");

    await row.getByRole("button", { name: "移出" }).click();
    const leave = p.locator(".ant-modal", { hasText: `将 ${joiner.name} 移出名册` });
    await leave.getByLabel(/退出原因/).fill("搬离小区");
    await leave.getByRole("button", { name: "移出" }).click();
    await eventually(() => roll.getByTestId("roll-counts").textContent()).toContain("本季度退出 1 人");
    await eventually(() => roll.getByText(/已退出（1）/).count()).toBe(1);
    const gone = roll.getByTestId("roll-member").filter({ hasText: "搬离小区" });
    expect(await gone.textContent()).toContain(joiner.name);
    expect(await gone.getByRole("button", { name: "移出" }).count()).toBe(0);
    // The secretary herself cannot be removed from her own roll: no button beside her.
    const self = roll.getByTestId("roll-member").filter({ hasText: secretary.name });
    expect(await self.getByRole("button", { name: "移出" }).count()).toBe(0);
    await noSideScroll(p);
    await screenshot(p, "volunteer-teams-roll-left-phone", "志愿任务");

    // The desk sees what she kept, and hands the team to another member (one with a login: the server's rule).
    await card.getByRole("button", { name: "查看名册" }).click();
    const deskRoll = d.getByTestId("roll");
    await eventually(() => deskRoll.getByTestId("roll-counts").textContent()).toContain("本季度退出 1 人");
    const [next] = await q<{ id: number; name: string }>(
      `select m.id, m.name from volunteer_members m join org_units o on o.id = m.community_id
       where o.code = '320613019010' and m.state = 'confirmed' and m.account_id is null and m.name <> '${joiner.name}'
         and (select count(*) from volunteer_members x where x.name = m.name) = 1
       order by m.id limit 1`,
    );
    await addAccount(h.t.ctx.database, {
      username: "vol-next-secretary",
      displayName: next.name,
      role: "volunteer",
      org: "320613019010",
      password: PASSWORD,
    });
    await h.t.ctx.database.query(
      "update volunteer_members set account_id = (select id from accounts where username = 'vol-next-secretary') where id = $1",
      [next.id],
    );
    await deskRoll.getByLabel("输入姓名或工作单位查找本社区成员").fill(next.name);
    await d
      .getByTitle(new RegExp(`^${next.name}`))
      .first()
      .click();
    await deskRoll.getByRole("button", { name: "加入名册" }).click();
    const nextRow = deskRoll.getByTestId("roll-member").filter({ hasText: next.name });
    await eventually(() => nextRow.count()).toBe(1);
    await nextRow.getByRole("button", { name: "设为书记" }).click();
    await d
      .locator(".ant-modal", { hasText: `将 ${next.name} 设为书记？` })
      .getByRole("button", { name: "设为书记" })
      .click();
    await eventually(() => nextRow.getByText("书记", { exact: true }).count()).toBe(1);
    await eventually(() => deskRoll.getByText(/^书记：/).textContent()).toContain(next.name);
    // She is a member of the roll now, with the buttons a member has.
    const former = deskRoll.getByTestId("roll-member").filter({ hasText: secretary.name });
    expect(await former.getByRole("button", { name: "设为书记" }).count()).toBe(1);
    await noSideScroll(d);
    await screenshot(d, "volunteer-teams-secretary-changed-phone", "志愿服务台");
    expect(desk.errors).toEqual([]);
    expect(sec.errors).toEqual([]);
    await desk.context.close();
    await sec.context.close();
  }, 120_000);

  it("the points rules on the desk: a refused value named in Chinese, then saved", async () => {
    const { page: d, context, errors } = await h.open();
    await loginOk(d, "demo-community");
    await d.goto("/volunteers/desk");
    await d.getByRole("tab", { name: "积分规则" }).click();
    const perHour = d.getByLabel("每服务 1 小时积分");
    await eventually(() => perHour.inputValue()).toBe("10");
    await perHour.fill("5000");
    await d.getByRole("button", { name: "保存规则" }).click();
    const fieldError = d.locator(".ant-form-item", { has: perHour }).locator(".ant-form-item-explain-error");
    await eventually(() => fieldError.count()).toBe(1);
    expect(await fieldError.textContent()).toMatch(/[\u4e00-\u9fa5]/);
    await screenshot(d, "volunteer-rules-refused", "志愿服务台");

    await perHour.fill("12");
    await d.getByLabel("每季度最低服务时长（小时）").fill("6");
    await d.getByRole("button", { name: "保存规则" }).click();
    await eventually(() => d.getByText("积分规则已保存").count()).toBeGreaterThan(0);
    await eventually(() => d.getByTestId("rules-updated").textContent()).toMatch(/^最近修改：/);
    expect(await fieldError.count()).toBe(0);
    const [saved] = await h.t.ctx.database.query<{ pointsPerHour: number; minHours: number }>(
      `select s.points_per_hour as "pointsPerHour", s.quarterly_min_hours as "minHours" from volunteer_settings s
       join org_units o on o.id = s.community_id where o.code = '320613019010'`,
    );
    expect(saved).toEqual({ pointsPerHour: 12, minHours: 6 });
    await screenshot(d, "volunteer-rules-saved", "志愿服务台");
    expect(errors).toEqual([]);
    await context.close();
  });
});
