import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../helpers/app.ts";
import { eventually, type Harness, loginOk, PHONE, screenshot as shoot, startHarness } from "./harness.ts";

// Community affairs in the browser: a project from proposal to the published list, progress with a photo,
// and a resident's phone-verified rating (twice → refused); a deliberation whose two agreed actions become a
// work order and a project and are seen done in the public summary; an inspector on a phone records a failed
// 五有 item with a photo, and the rectification closes on re-inspection.

let h: Harness;
/** The PostgreSQL run's screenshots keep their own names, so both can be looked at. */
let suffix = "";
const screenshot = (page: Parameters<typeof shoot>[0], name: string, heading: string | RegExp) =>
  shoot(page, `${name}${suffix}`, heading);

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

async function inject<T = any>(
  user: string,
  method: "GET" | "POST",
  url: string,
  payload?: object,
): Promise<T> {
  const headers = await h.t.login(user);
  const r = await h.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  expect(r.statusCode, r.body).toBeLessThan(300);
  return r.json() as T;
}

const communityId = async () =>
  (await h.t.ctx.database.query<{ id: number }>("select id from org_units where code = '320613019010'"))[0]
    .id;

function quarterEnd() {
  const d = new Date();
  const m = Math.floor(d.getMonth() / 3) * 3 + 3;
  const end = new Date(Date.UTC(d.getFullYear(), m, 0));
  return end.toISOString().slice(0, 10);
}

describe.each(DB_KINDS)("community affairs on %s", (kind) => {
  beforeAll(async () => {
    h = await startHarness(kind);
    suffix = kind === "pglite" ? "" : "-pg";
  });
  afterAll(() => h?.close());

  it("proposal → published list → progress photo → a resident rates once", async () => {
    const desk = await h.open();
    const d = desk.page;
    await loginOk(d, "demo-community");
    await d.goto("/affairs");
    await d.getByRole("heading", { name: "社区事务" }).waitFor();
    await d.getByRole("button", { name: "登记意见" }).click();
    const propDialog = d.getByRole("dialog", { name: "登记意见" });
    await propDialog.getByLabel("名称").fill("小区增设休闲座椅");
    await propDialog.getByLabel("内容").fill("老人散步没有地方歇脚");
    await propDialog.getByRole("button", { name: /确\s*定|OK/ }).click();
    const propRow = d.locator("tr", { hasText: "小区增设休闲座椅" }).first();
    await propRow.getByRole("button", { name: "采纳", exact: true }).click();
    const dialog = d.getByRole("dialog", { name: "新增项目" });
    await dialog.getByLabel("预算（元）").fill("36000");
    await dialog.getByLabel("责任单位").fill("苏阳社区居委会");
    await dialog.getByLabel("完成期限").fill(quarterEnd());
    await dialog.getByLabel("完成期限").press("Enter");
    await dialog.getByRole("button", { name: "保存" }).click();
    const row = d.locator("tr", { hasText: "小区增设休闲座椅" }).last();
    await row.getByRole("button", { name: "公布" }).click();
    await row.getByRole("button", { name: "晒进度" }).click();
    const upd = d.getByRole("dialog", { name: /晒进度/ });
    await upd.getByLabel("进展说明").fill("座椅已安装 6 组，3幢502室门前一组");
    await upd.getByLabel("进度（%）").fill("80");
    await upd
      .locator('input[type="file"]')
      .setInputFiles({ name: "seat.png", mimeType: "image/png", buffer: PNG });
    await upd.getByRole("button", { name: "晒进度" }).click();
    await eventually(() => row.textContent()).toContain("80%");
    await screenshot(d, "affairs-projects-desk", "社区事务");

    // A resident on a phone: the public list, a one-time code, one rating.
    const pub = await h.open({ viewport: PHONE });
    const p = pub.page;
    await p.goto(`/projects/${await communityId()}`);
    await p.getByRole("heading", { name: /实事项目公开/ }).waitFor();
    const card = p.locator(".ant-card", { hasText: "小区增设休闲座椅" }).first();
    await eventually(() => card.locator("img").count()).toBe(1);
    expect(await card.textContent()).not.toContain("502室");
    await card.getByRole("button", { name: "评价" }).click();
    await card.getByLabel("手机号").fill("13962907777");
    await card.getByRole("button", { name: "获取验证码" }).click();
    await eventually(() => card.getByLabel("验证码").count()).toBe(1);
    const [msg] = await h.t.ctx.database.query<{ body: string }>(
      "select body from notifications where kind = 'affairs.rating_code' order by id desc limit 1",
    );
    await card.getByLabel("验证码").fill(/(\d{6})/.exec(msg.body)![1]);
    await card.getByRole("button", { name: "验证", exact: true }).click();
    await card.getByText("满意", { exact: true }).click();
    await card.getByRole("button", { name: "提交评价" }).click();
    await eventually(() => card.textContent()).toContain("100%（1）");
    await screenshot(p, "affairs-public-rated-phone", /实事项目公开/);
    // The same phone again: refused.
    await card.getByRole("button", { name: "评价" }).click();
    await card.getByRole("button", { name: "提交评价" }).click();
    await eventually(() => card.getByRole("alert").textContent()).toContain("已评价过");
    await screenshot(p, "affairs-public-rated-twice-phone", /实事项目公开/);
    expect(pub.errors).toEqual([]);
    expect(desk.errors).toEqual([]);
    await pub.context.close();
    await desk.context.close();
  }, 120_000);

  it("a deliberation's two actions become a work order and a project, and are seen done in the public summary", async () => {
    const desk = await h.open();
    const d = desk.page;
    await loginOk(d, "demo-community");
    await d.goto("/affairs");
    await d.getByRole("heading", { name: "社区事务" }).waitFor();
    await d.getByRole("tab", { name: "议事协商" }).click();
    await d.getByRole("button", { name: "提出议题" }).click();
    const nd = d.getByRole("dialog", { name: "提出议题" });
    await nd.getByLabel("议题").fill("苏阳路电动车乱停放");
    await nd.getByLabel("背景").fill("人行道被电动车占满，老人推车难行");
    await nd.getByRole("button", { name: /确\s*定|OK/ }).click();
    // The dialog's request may still be on its way: wait for the topic to be stored.
    const stored = () =>
      h.t.ctx.database.query<{ id: number }>(
        "select id from deliberations where title = '苏阳路电动车乱停放'",
      );
    await eventually(async () => (await stored()).length).toBe(1);
    const [topic] = await stored();
    await inject("demo-community", "POST", `/api/affairs/deliberations/${topic.id}/meeting`, {
      meetingAt: new Date().toISOString(),
      place: "社区议事厅",
      parties: [
        { kind: "resident_rep", name: "居民代表", present: true },
        { kind: "property", name: "物业服务中心", present: true },
        { kind: "department", name: "城管中队", present: true },
      ],
      agenda: "停放方案",
      minutes: "各方同意清理并新建停车棚",
    });
    await d.getByRole("button", { name: "苏阳路电动车乱停放" }).click();
    await d.getByRole("button", { name: "形成决定" }).click();
    const dd = d.getByRole("dialog", { name: "形成决定" });
    await dd.getByLabel("形成决定").fill("清理人行道电动车，新建非机动车停车棚");
    await dd.getByLabel("事项").first().fill("清理人行道乱停电动车");
    await dd.getByLabel("责任单位").first().fill("城管中队");
    await dd.getByLabel("期限").first().fill(quarterEnd());
    await dd.getByLabel("期限").first().press("Enter");
    await dd.getByLabel("诉求分类").click();
    await d.getByTitle("违章停车").click();
    await dd.getByRole("button", { name: "添加事项" }).click();
    await dd.getByLabel("事项").nth(1).fill("新建非机动车停车棚");
    await dd.getByLabel("责任单位").nth(1).fill("苏阳社区居委会");
    await dd.getByLabel("期限").nth(1).fill(quarterEnd());
    await dd.getByLabel("期限").nth(1).press("Enter");
    await dd.getByRole("button", { name: /确\s*定|OK/ }).click();
    const drawer = d.locator(".ant-drawer");
    await eventually(() => drawer.locator(".ant-table-row").count()).toBe(2);
    await screenshot(d, "affairs-deliberation-decided", "社区事务");

    // The order is worked and the project finished, each in its own module's way.
    const detail = await inject("demo-community", "GET", `/api/affairs/deliberations/${topic.id}`);
    const [orderAction, projectAction] = detail.actions;
    expect(orderAction.workOrderId).toBeTypeOf("number");
    expect(projectAction.projectId).toBeTypeOf("number");
    for (const action of ["accept", "arrive", "resolve"]) {
      const o = await inject("demo-community", "GET", `/api/orders/${orderAction.workOrderId}`);
      await inject("demo-community", "POST", `/api/orders/${orderAction.workOrderId}/actions/${action}`, {
        version: o.order.version,
        note: "已清理",
      });
    }
    await inject("demo-community", "POST", `/api/affairs/projects/${projectAction.projectId}/publish`);
    await inject("demo-community", "POST", `/api/affairs/projects/${projectAction.projectId}/updates`, {
      note: "停车棚建成投用",
      progress: 100,
    });

    const pub = await h.open({ viewport: PHONE });
    const p = pub.page;
    await p.goto(`/deliberations/${topic.id}`);
    await p.getByRole("heading", { name: /议事结果公开/ }).waitFor();
    await eventually(() => p.locator("tr", { hasText: "已完成" }).count()).toBe(2);
    await screenshot(p, "affairs-deliberation-public-phone", /议事结果公开/);
    expect(pub.errors).toEqual([]);
    expect(desk.errors).toEqual([]);
    await pub.context.close();
    await desk.context.close();
  }, 120_000);

  it("an inspector records a failed 五有 item on a phone; the rectification closes on re-inspection", async () => {
    const s = await h.open({ viewport: PHONE });
    const p = s.page;
    await loginOk(p, "demo-community");
    await p.goto("/affairs/inspect");
    await p.getByRole("heading", { name: "企业检查" }).waitFor();
    const first = p.locator(".ant-card", { hasText: "五有" }).first();
    const name = (await first.locator("b").textContent())!;
    await screenshot(p, "affairs-inspect-list-phone", "企业检查");
    await first.click();
    const item = p.locator(".ant-card", { hasText: "有适量防护物资储备" });
    await item.getByText("不合格").click();
    await item.getByRole("textbox").fill("N95 口罩储备不足 50 只");
    await p
      .locator('input[type="file"]')
      .setInputFiles({ name: "site.png", mimeType: "image/png", buffer: PNG });
    await screenshot(p, "affairs-inspect-checklist-phone", "企业检查");
    await p.getByRole("button", { name: "提交检查" }).click();
    await p.getByRole("heading", { name: /我的检查任务/ }).waitFor();
    const rect = p.locator(".ant-card", {
      hasText: "N95 口罩储备不足",
      has: p.getByRole("button", { name: "复查合格销号" }),
    });
    await eventually(() => rect.count()).toBe(1);
    expect(await rect.textContent()).toContain(name);
    const [r] = await h.t.ctx.database.query<{ id: number; state: string; photos: number }>(
      `select r.id, r.state, (select count(*)::int from affairs_photos f where f.entity = 'inspection' and f.entity_id = r.inspection_id) as photos
       from rectifications r where r.finding like 'N95%'`,
    );
    expect(r).toMatchObject({ state: "open", photos: 1 });
    await screenshot(p, "affairs-inspect-rectification-phone", "企业检查");
    await rect.getByRole("button", { name: "复查合格销号" }).click();
    await eventually(() => rect.count()).toBe(0);
    const [after] = await h.t.ctx.database.query<{ state: string }>(
      "select state from rectifications where id = $1",
      [r.id],
    );
    expect(after.state).toBe("closed");
    expect(s.errors).toEqual([]);
    await s.context.close();
  }, 120_000);

  it("the district sees key projects sorted by delay and the inspection counts per street", async () => {
    const s = await h.open();
    const p = s.page;
    await loginOk(p, "demo-commander");
    await p.goto("/affairs");
    await p.getByRole("heading", { name: "社区事务" }).waitFor();
    await p.getByRole("tab", { name: "重点工程" }).click();
    await eventually(() => p.getByText("滞后", { exact: true }).count()).toBeGreaterThan(0);
    await screenshot(p, "affairs-key-projects-board", "社区事务");
    await p.getByRole("tab", { name: "企业检查" }).click();
    await eventually(() => p.locator("tr", { hasText: "秦灶街道" }).count()).toBeGreaterThan(0);
    await screenshot(p, "affairs-enterprises-district", "社区事务");
    expect(s.errors).toEqual([]);
    await s.context.close();
  }, 60_000);
});
