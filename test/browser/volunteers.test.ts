import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeIdCard } from "../../src/domain/idcard/idcard.ts";
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

// 双报到 · 志愿服务 on a phone: a new member registers → the community confirms → the member claims a task and
// checks in and out by the QR code's text → the publisher confirms the hours → points → a property-fee credit;
// a wish the grid worker records on their phone page is published on the desk, claimed and fulfilled with a photo,
// and confirmed by the grid worker; a 点单 entered and accepted by the grid, dispatched on the desk, reaches the
// member as expert.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await addAccount(h.t.ctx.database, {
    username: "vol-phone",
    displayName: "新报到党员",
    role: "volunteer",
    org: "320613019010",
    password: PASSWORD,
  });
});
afterAll(() => h?.close());

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe("volunteers", () => {
  it("register → confirm → claim → QR check-in/out → hours → points → redeem; a wish and a 点单", async () => {
    const api = async (user: string, method: "GET" | "POST", url: string, payload?: object) => {
      const headers = await h.t.login(user);
      const r = await h.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      expect(r.statusCode, r.body).toBeLessThan(300);
      return r.json();
    };
    const [{ id: communityId }] = await h.t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010'",
    );

    // The member registers on the phone.
    const member = await h.open({ viewport: PHONE });
    const p = member.page;
    await loginOk(p, "vol-phone");
    await p.waitForURL((u) => u.pathname === "/tasks");
    await p.getByLabel("姓名").fill("顾丽");
    await p.getByLabel("身份证号").fill(composeIdCard("320602", "1988-06-12", 222));
    await p.getByLabel("手机号").fill("13962900022");
    await p.getByLabel("工作单位").fill("南通市第二中学");
    await p.getByLabel("技能（如 消杀、驾驶、摄影）").fill("消杀 摄影");
    await p.getByLabel("专长（党员专家库）").click();
    await p.getByTitle("教育").click();
    await p.keyboard.press("Escape");
    await screenshot(p, "volunteers-register-phone", "志愿任务");
    await p.getByRole("button", { name: "提交报到" }).click();
    await eventually(() => p.getByText("报到已提交，等待社区确认").count()).toBe(1);

    // The community confirms on the desk.
    const desk = await h.open();
    const d = desk.page;
    await loginOk(d, "demo-community");
    await d.goto("/volunteers/desk");
    const row = d.locator("tr", { hasText: "顾丽" });
    await row.getByRole("button", { name: "确认" }).click();
    await eventually(() => row.getByText("已确认").count()).toBe(1);
    await screenshot(d, "volunteers-desk-registrations", "志愿服务台");

    // A task now; its QR text from the publisher's drawer.
    const start = new Date(Date.now() - 10 * 60_000);
    await api("demo-community", "POST", "/api/volunteers/tasks", {
      kind: "task",
      title: "楼道消杀（测试）",
      place: "苏阳社区 3幢",
      orgUnitId: communityId,
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 3600_000).toISOString(),
      capacity: 2,
      requiredSkills: ["消杀"],
    });
    await api("demo-community", "POST", "/api/volunteers/catalogue", {
      communityId,
      kind: "property_fee",
      name: "物业费抵扣（测试）",
      cost: 10,
      stock: 3,
    });

    // The member claims and checks in and out.
    await p.reload();
    const card = p.getByTestId("task-card").filter({ hasText: "楼道消杀（测试）" });
    await card.getByRole("button", { name: "认领" }).click();
    await eventually(() => card.getByText("已认领").count()).toBe(1);
    await d.getByRole("tab", { name: "任务发布" }).click();
    await d.locator("tr", { hasText: "楼道消杀（测试）" }).click();
    const token = (await d.getByTestId("qr-token").first().textContent())?.trim() ?? "";
    expect(token).toMatch(/^VT1\./);
    await card.getByRole("button", { name: "扫码签到" }).click();
    await p.getByLabel("签到码").fill(token);
    await p.getByRole("dialog").getByRole("button", { name: "扫码签到" }).click();
    await eventually(() => card.getByRole("button", { name: "扫码签退" }).count()).toBe(1);
    await card.getByRole("button", { name: "扫码签退" }).click();
    await p.getByLabel("签到码").fill(token);
    await p.getByRole("dialog").getByRole("button", { name: "扫码签退" }).click();
    await eventually(() => card.getByText("待发布人确认时长").count()).toBe(1);
    await screenshot(p, "volunteers-checked-out-phone", "志愿任务");

    // The publisher confirms 60 minutes on the desk (the member checked out at once; corrected) → 10 points.
    await d.reload();
    await d.getByRole("tab", { name: "任务发布" }).click();
    await d.locator("tr", { hasText: "楼道消杀（测试）" }).click();
    await d.getByRole("button", { name: "确认时长" }).click();
    const confirmHours = d.locator(".ant-modal", { hasText: "确认时长" });
    await confirmHours.getByLabel("服务时长（分钟）").fill("60");
    await screenshot(d, "volunteers-desk-confirm-hours", "志愿服务台");
    await confirmHours.getByRole("button", { name: /确\s*定|OK/ }).click();
    await eventually(() => d.getByText("时长已确认").count()).toBe(1);
    await screenshot(d, "volunteers-desk-task", "志愿服务台");
    await d.locator(".ant-drawer-close").click();

    // Points, then the property-fee credit.
    await p.reload();
    await p.getByText("我的", { exact: true }).click();
    await eventually(() => p.getByTestId("balance").textContent()).toContain("10");
    const item = p.locator(".ant-list-item", { hasText: "物业费抵扣（测试）" });
    await item.getByRole("button", { name: "兑换" }).click();
    await eventually(() => p.getByText(/兑换成功，券码 GK/).count()).toBeGreaterThan(0);
    await p.getByRole("button", { name: /OK|知道了|确定/ }).click();
    await eventually(() => p.getByTestId("balance").textContent()).toContain("0");
    await screenshot(p, "volunteers-redeemed-phone", "志愿任务");

    // The hours were recorded by mistake: the desk reverses the award from her ledger. She spent the points, so it
    // is refused (nothing written) until the desk reverses the redemption (with a reason) first.
    await d.getByRole("tab", { name: "报到审核" }).click();
    const openLedger = async () => {
      await d
        .locator("tr", { hasText: "顾丽" })
        .getByRole("button", { name: /积分明细/ })
        .click();
      return d.locator(".ant-drawer", { hasText: "顾丽 · 积分明细" });
    };
    let ledger = await openLedger();
    const awardRow = ledger.getByTestId("ledger-entry").filter({ hasText: "楼道消杀（测试）" });
    await awardRow.getByRole("button", { name: "撤销奖励" }).click();
    const reverseAward = d.locator(".ant-modal", { hasText: "撤销奖励" });
    await reverseAward.getByPlaceholder(/撤销原因/).fill("工时登记有误，当天实际未到岗");
    await reverseAward.getByRole("button", { name: "撤销奖励" }).click();
    await eventually(() => d.getByText(/不能撤销：顾丽现有 0 分，这笔奖励 10 分/).count()).toBeGreaterThan(0);
    await screenshot(d, "volunteers-desk-reverse-refused", "志愿服务台");
    await reverseAward.getByRole("button", { name: /取\s*消|Cancel/ }).click();
    await d.locator(".ant-drawer-close").click();
    await d.getByRole("tab", { name: "兑换" }).click();
    await d.locator("tr", { hasText: "物业费抵扣（测试）" }).getByRole("button", { name: "撤销" }).click();
    const reverseRedemption = d.locator(".ant-modal", { hasText: "物业费抵扣（测试）" });
    await reverseRedemption.getByPlaceholder(/撤销原因/).fill("时长有误，兑换退回");
    await reverseRedemption.getByRole("button", { name: "撤销" }).click();
    await eventually(() =>
      d.locator("tr", { hasText: "物业费抵扣（测试）" }).getByText("时长有误，兑换退回").count(),
    ).toBe(1);
    await d.getByRole("tab", { name: "报到审核" }).click();
    ledger = await openLedger();
    await ledger
      .getByTestId("ledger-entry")
      .filter({ hasText: "楼道消杀（测试）" })
      .getByRole("button", { name: "撤销奖励" })
      .click();
    await reverseAward.getByPlaceholder(/撤销原因/).fill("工时登记有误，当天实际未到岗");
    await reverseAward.getByRole("button", { name: "撤销奖励" }).click();
    await eventually(() =>
      ledger.getByText(/撤销奖励「志愿服务「楼道消杀（测试）」1 小时」：工时登记有误/).count(),
    ).toBe(1);
    await eventually(() =>
      ledger
        .getByTestId("ledger-entry")
        .filter({ hasText: /^(?!.*撤销奖励「).*楼道消杀（测试）/ })
        .getByText("已撤销")
        .count(),
    ).toBe(1);
    await screenshot(d, "volunteers-desk-award-reversed", "志愿服务台");
    await d.locator(".ant-drawer-close").click();
    const [check] = await h.t.ctx.database.query<{ balance: number }>(
      "select a.balance::int as balance from points_accounts a join volunteer_members m on m.id = a.member_id where a.kind = 'member' and m.name = '顾丽'",
    );
    expect(check.balance).toBe(0);

    // A wish from the grid worker on the phone (网格心愿与点单, found in the menu), published on the desk; the member
    // claims it and sends the photo; the grid worker sees the photo and confirms.
    const grid = await h.open({ viewport: PHONE });
    const g = grid.page;
    await loginOk(g, "demo-grid");
    await g.getByRole("button", { name: "打开导航" }).click();
    await g.getByRole("menuitem", { name: "网格心愿与点单" }).click();
    await g.waitForURL((u) => u.pathname === "/volunteers/grid");
    await g.getByLabel("心愿", { exact: true }).fill("想要一台收音机（测试）");
    await g.getByLabel(/^情况/).fill("陈叔住 12幢 2单元 301室，电话 13962900123，眼睛不好，想听广播");
    await g.getByRole("button", { name: "登记心愿" }).click();
    const gw = g.getByTestId("grid-wish").filter({ hasText: "想要一台收音机（测试）" });
    await eventually(() => gw.getByText("待审核").count()).toBe(1);
    await d.getByRole("tab", { name: "微心愿" }).click();
    await d
      .locator("tr", { hasText: "想要一台收音机（测试）" })
      .getByRole("button", { name: "发布到心愿墙" })
      .click();
    await eventually(() =>
      d.locator("tr", { hasText: "想要一台收音机（测试）" }).getByText("待认领").count(),
    ).toBe(1);
    await p.getByText("微心愿", { exact: true }).click();
    const w = p.getByTestId("wish-card").filter({ hasText: "想要一台收音机（测试）" });
    expect(await w.textContent()).not.toContain("13962900123");
    expect(await w.textContent()).not.toContain("301");
    await w.getByRole("button", { name: "认领心愿" }).click();
    await eventually(() => w.getByTestId("wish-photo").count()).toBe(1);
    await w
      .getByTestId("wish-photo")
      .setInputFiles({ name: "radio.png", mimeType: "image/png", buffer: PNG });
    await eventually(() => w.getByText("已圆梦待确认").count()).toBe(1);
    await screenshot(p, "volunteers-wish-phone", "志愿任务");
    await g.reload();
    await eventually(() => gw.getByText("已圆梦待确认").count()).toBe(1);
    const photo = gw.getByTestId("grid-wish-photo");
    await eventually(() =>
      photo.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth),
    ).toBeGreaterThan(0);
    await screenshot(g, "volunteers-grid-wish-fulfilled-phone", "网格心愿与点单");
    await gw.getByRole("button", { name: "确认圆梦" }).click();
    await eventually(() => gw.getByText("已确认").count()).toBe(1);

    // A 点单 for education: the grid worker enters it and accepts it (居民点单 → 网格接单), the desk dispatches it
    // to her as the expert, and she takes it on her phone.
    await g.getByText("点单", { exact: true }).click();
    await g.getByLabel("专长").click();
    await g.getByTitle("教育").click();
    await g.getByLabel("需求").fill("孩子学习困难，想请老师辅导方法");
    await g.getByRole("button", { name: "提交点单" }).click();
    const gr = g.getByTestId("grid-request").filter({ hasText: "孩子学习困难" });
    await gr.getByRole("button", { name: "网格接单" }).click();
    await eventually(() => gr.getByText("网格已接单").count()).toBe(1);
    await screenshot(g, "volunteers-grid-request-phone", "网格心愿与点单");
    expect(await g.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await d.getByRole("tab", { name: "点单" }).click();
    await d.locator("tr", { hasText: "孩子学习困难" }).getByRole("button", { name: "派单" }).click();
    const dispatch = d.locator(".ant-modal", { hasText: "派单" });
    await dispatch.getByLabel("派单").fill("顾丽");
    await d.getByTitle(/^顾丽/).first().click();
    await dispatch.getByRole("button", { name: /确\s*定|OK/ }).click();
    await eventually(() => d.locator("tr", { hasText: "孩子学习困难" }).getByText("已派单").count()).toBe(1);
    await p.getByText("我的", { exact: true }).click();
    await p.reload();
    await p.getByText("我的", { exact: true }).click();
    const r = p.locator(".ant-list-item", { hasText: "孩子学习困难" });
    await r.getByRole("button", { name: "接单" }).click();
    await eventually(() => r.getByText("党员已接单").count()).toBe(1);
    await screenshot(p, "volunteers-request-phone", "志愿任务");
    expect(grid.errors).toEqual([]);
    await grid.context.close();

    // Rankings by 任务数: her month has the wish (the task's hours were reversed), on the phone and at the desk.
    await p.reload();
    await p.getByText("我的", { exact: true }).click();
    await p.getByText("按任务数", { exact: true }).click();
    await eventually(() => p.getByTestId("my-rank").textContent()).toMatch(/我的名次：第 \d+ 名/);
    await p.getByTestId("my-rank").scrollIntoViewIfNeeded();
    await screenshot(p, "volunteers-ranking-tasks-phone", "志愿任务");
    await d.getByRole("tab", { name: "排行" }).click();
    await d.getByTitle("按积分").click();
    await d.getByTitle("按任务数").click();
    await eventually(() => d.getByRole("columnheader", { name: "任务数" }).count()).toBe(1);
    // Ties share a rank (the demo's members with one service this month too): she is found by her initials.
    await d.getByPlaceholder("按姓名或拼音首字母查找").fill("gl");
    const gu = d.locator("tr", { hasText: "顾丽" });
    await eventually(() => gu.count()).toBe(1);
    await screenshot(d, "volunteers-desk-ranking-tasks", "志愿服务台");
    expect(member.errors).toEqual([]);
    expect(desk.errors).toEqual([]);
    await member.context.close();
    await desk.context.close();
  }, 240_000);

  it("the community desk on a phone: a member found by name, their ledger, the ranking by 任务数", async () => {
    const [demo] = await h.t.ctx.database.query<{ name: string }>(
      "select m.name from volunteer_members m join accounts a on a.id = m.account_id where a.username = 'demo-volunteer'",
    );
    const { page, context, errors } = await h.open({ viewport: PHONE });
    await loginOk(page, "demo-community");
    await page.goto("/volunteers/desk");
    await page.getByLabel("按姓名或工作单位查找").fill(demo.name);
    await page.getByLabel("按姓名或工作单位查找").press("Enter");
    await page
      .locator("tr", { hasText: demo.name })
      .getByRole("button", { name: /积分明细/ })
      .click();
    const drawer = page.locator(".ant-drawer", { hasText: `${demo.name} · 积分明细` });
    await eventually(() => drawer.getByRole("button", { name: "撤销奖励" }).count()).toBeGreaterThan(0);
    await screenshot(page, "volunteers-desk-ledger-phone", "志愿服务台");
    await drawer.locator(".ant-drawer-close").click();
    await openTab(page, "排行");
    await page.getByTitle("按积分").click();
    await page.getByTitle("按任务数").click();
    await eventually(() => page.getByRole("columnheader", { name: "任务数" }).count()).toBe(1);
    await screenshot(page, "volunteers-desk-ranking-phone", "志愿服务台");
    // 每季一评比: members short of the quarter's minimum hours are reminded, once per quarter.
    await page.getByRole("button", { name: "提醒本季度时长不足的成员" }).click();
    await eventually(() => page.getByText(/低于最低时长 \d+ 人，本次提醒 \d+ 人/).count()).toBeGreaterThan(0);
    await screenshot(page, "volunteers-desk-reminders-phone", "志愿服务台");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the demo volunteer lands on 志愿任务 with the community's tasks", async () => {
    const { page, context, errors } = await h.open({ viewport: PHONE });
    await loginOk(page, "demo-volunteer");
    await page.waitForURL((u) => u.pathname === "/tasks");
    await eventually(() => page.getByTestId("task-card").count()).toBeGreaterThan(0);
    await screenshot(page, "volunteers-landing-phone", "志愿任务");
    expect(errors).toEqual([]);
    await context.close();
  });
});
