import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncUpstream } from "../../src/server/modules/open311/index.ts";
import { eventually, type Harness, loginOk, PHONE, screenshot, startHarness } from "./harness.ts";

// An order a third-party platform (Open311, e.g. FixMyStreet) filed shows staff what the platform sent with
// it: the reporter's email masked, the service's extra fields in their own words, the photo links.

let h: Harness;
let orderId: number;

beforeAll(async () => {
  h = await startHarness();
  const commander = await h.t.login("demo-commander");
  const [{ id: street }] = await h.t.ctx.database.query<{ id: number }>(
    "select id from org_units where code = '320613019'",
  );
  const key = (
    await h.t.app.inject({
      method: "POST",
      url: "/api/open311/keys",
      headers: commander,
      payload: { name: "FixMyStreet", orgUnitId: street },
    })
  ).json().key as string;
  const r = await h.t.app.inject({
    method: "POST",
    url: "/open311/v2/requests.json",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({
      api_key: key,
      service_code: "municipal_road",
      address_string: "苏阳社区 3幢",
      description: "路面塌陷\r\n有一个大坑",
      email: "reporter@example.org",
      first_name: "小明",
      last_name: "张",
      media_url: "https://fms.example/photo/42.jpeg",
      "attribute[size]": "medium",
      "attribute[depth_cm]": "15",
    }).toString(),
  });
  expect(r.statusCode, r.body).toBe(201);
  orderId = Number(r.json()[0].service_request_id);
});
afterAll(() => h?.close());

describe("an Open311 order's platform details", () => {
  for (const [name, viewport] of [
    ["desktop", { width: 1366, height: 900 }],
    ["phone", PHONE],
  ] as const) {
    it(`are shown to staff on the order page (${name})`, async () => {
      const s = await h.open({ viewport });
      await loginOk(s.page, "demo-commander");
      await s.page.goto(`${h.base}/orders/${orderId}`);
      const card = s.page.getByTestId("client-extras");
      await card.waitFor();
      const text = (await card.textContent()) ?? "";
      expect(text).toContain("第三方平台附加信息");
      expect(text).toContain("r*******@example.org");
      expect(text).toContain("破损范围");
      expect(text).toContain("1–5 平方米");
      expect(text).toContain("附件 1");
      expect(text).not.toContain("reporter@");
      await screenshot(s.page, `open311-order-${name}`, /工单 \d+/);
      expect(s.errors).toEqual([]);
    });
  }
});

// 上级交办: the admin card where a district links its city's 12345 platform (add, edit, disable; the key
// only masked; the server's Chinese field errors under the fields), and an order that came from that
// platform showing staff its upstream id and how its updates are getting back.
describe("an upstream 12345 link", () => {
  const SECRET = "nt12345-issued-key-7f3a9c2e";
  const BASE = "http://127.0.0.1:9/open311/v2";
  let linkId: number;

  beforeAll(async () => {
    const commander = await h.t.login("demo-commander");
    const [{ id: street }] = await h.t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019'",
    );
    const made = await h.t.app.inject({
      method: "POST",
      url: "/api/open311/upstream",
      headers: commander,
      payload: {
        name: "南通市12345热线",
        baseUrl: BASE,
        apiKey: SECRET,
        jurisdictionId: "320600",
        orgUnitId: street,
        defaultCategory: "municipal_road",
      },
    });
    expect(made.statusCode, made.body).toBe(201);
    linkId = made.json().id;
    // The Open311 order stands for one the platform delivered: its steps so far are queued for the platform,
    // which is down (nothing listens on port 9), so they wait with the error.
    await h.t.ctx.database.query(
      `insert into upstream_requests (link_id, origin, upstream_id, order_id, requested_at) values ($1, $2, 'NT20261202000123', $3, now())`,
      [linkId, BASE, orderId],
    );
    const r = await syncUpstream(h.t.ctx, { timeoutMs: 300 });
    expect(r.queued).toBeGreaterThan(0);
    expect(r.failed).toBeGreaterThan(0);
  });

  for (const [name, viewport] of [
    ["desktop", { width: 1366, height: 900 }],
    ["phone", PHONE],
  ] as const) {
    it(`shows its upstream id and sync state on the order (${name})`, async () => {
      const s = await h.open({ viewport });
      await loginOk(s.page, "demo-commander");
      await s.page.goto(`${h.base}/orders/${orderId}`);
      const card = s.page.getByTestId("order-upstream");
      await card.waitFor();
      const text = (await card.textContent()) ?? "";
      for (const part of ["上级交办", "南通市12345热线", "NT20261202000123", "待回传", "上级平台无法连接"])
        expect(text).toContain(part);
      await screenshot(s.page, `open311-order-upstream-${name}`, /工单 \d+/);
      expect(s.errors).toEqual([]);
    });

    it(`is added, edited and disabled from the admin card, the key only masked (${name})`, async () => {
      const s = await h.open({ viewport });
      const page = s.page;
      await loginOk(page, "demo-commander");
      await page.goto(`${h.base}/admin/open311`);
      const card = page.getByTestId("upstream-links");
      const first = card.locator(`[data-link-id="${linkId}"]`);
      await first.waitFor();
      for (const part of ["南通市12345热线", BASE, "****9c2e", "上级平台无法连接", "待回传"])
        await eventually(() => first.textContent()).toContain(part);
      expect(await page.locator("body").textContent()).not.toContain(SECRET);

      // A new link: the form asks for the fields; the server's word on the address lands under it.
      await card.getByRole("button", { name: "新建对接" }).click();
      const dialog = page.getByRole("dialog").filter({ hasText: "新建上级交办对接" });
      await dialog.getByRole("button", { name: "创建" }).click();
      await eventually(() => dialog.getByText("请填写接口密钥").count()).toBe(1);
      const jurisdiction = `3206${name === "phone" ? "99" : "98"}`;
      await dialog.getByLabel("名称").fill(`如东县12345（${name}）`);
      await dialog.getByLabel("接口地址").fill("ftp://12345.rudong.example/open311");
      await dialog.getByLabel("接口密钥").fill("rd-key-000011112222");
      await dialog.getByLabel("辖区编码").fill(jurisdiction);
      await dialog.getByLabel("接收单位").click();
      // The tree opens at the district (not a unit a link may deliver into); its streets load as it opens.
      const tree = await openList(page);
      await tree
        .locator(".ant-select-tree-treenode", { hasText: /^崇川区$/ })
        .locator(".ant-select-tree-switcher")
        .click();
      await tree.locator(".ant-select-tree-title", { hasText: /^秦灶街道$/ }).click();
      await dialog.getByLabel("默认分类").click();
      await (await openList(page)).locator(".ant-select-item-option").first().click();
      await dialog.getByRole("button", { name: "创建" }).click();
      await eventually(() => dialog.getByText(/须为 http\(s\) 地址/).count()).toBe(1);
      await screenshot(page, `open311-upstream-form-error-${name}`, "Open311 接口密钥");
      await dialog.getByLabel("接口地址").fill(`${BASE}/`);
      await dialog.getByRole("button", { name: "创建" }).click();
      await eventually(() => dialog.isVisible()).toBe(false);
      const added = card.locator("[data-link-id]").filter({ hasText: `如东县12345（${name}）` });
      await eventually(() => added.textContent()).toContain("****2222");
      expect(await added.textContent()).toContain(`${BASE} · ${jurisdiction}`);

      // Edit: a blank key keeps the key; a wrong interval is named; then disabled.
      await added.getByRole("button", { name: /修改/ }).click();
      const edit = page.getByRole("dialog").filter({ hasText: "修改对接" });
      expect(await edit.getByLabel("接口密钥").getAttribute("placeholder")).toContain("****2222");
      // The saved unit by its name (the tree has not loaded its branch).
      await eventually(() =>
        edit.locator(".ant-select-tree-select, .ant-select").first().textContent(),
      ).toContain("秦灶街道");
      await edit.getByLabel("轮询间隔（分钟）").fill("5000");
      await edit.getByRole("button", { name: "保存" }).click();
      await eventually(() => edit.getByText("须为 1–1440 分钟的整数").count()).toBe(1);
      await edit.getByLabel("轮询间隔（分钟）").fill("10");
      await edit.getByRole("switch").click();
      await screenshot(page, `open311-upstream-edit-${name}`, "Open311 接口密钥");
      await edit.getByRole("button", { name: "保存" }).click();
      await eventually(() => edit.isVisible()).toBe(false);
      await eventually(() => added.textContent()).toContain("已停用");
      expect(await added.textContent()).toContain("每 10 分钟拉取");
      expect(await added.textContent()).toContain("****2222");
      await screenshot(page, `open311-upstream-card-${name}`, "Open311 接口密钥");
      expect(s.errors).toEqual([]);
    });
  }
});

/** The open dropdown of a Select or TreeSelect, once it has slid in (a click while it moves can be lost). */
async function openList(page: Page) {
  const list = page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden)").last();
  await eventually(() => list.getAttribute("class")).not.toMatch(/-(appear|enter|leave)\b/);
  return list;
}
