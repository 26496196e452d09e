import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CATEGORIES } from "../../src/server/modules/workOrders/index.ts";
import { eventually, type Harness, loginOk, PHONE, screenshot, signedIn, startHarness } from "./harness.ts";

// 系统管理 in the browser: the command center adds a category (found by pinyin), is told on the field that
// its code is taken, edits it, retires it out of the intake picker and restores it; creates an Open311
// key that is shown once, files a real Open311 request with it, revokes it and is refused; the pages
// work at phone width; a grid worker sees neither page and the server refuses the APIs.

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/** A JSON call from inside the page, with the session's cookie and CSRF token. */
function inPage(page: Page, url: string, method = "GET", body?: unknown) {
  return page.evaluate(
    async ([url, method, body]) => {
      const me = await (await fetch("/api/me")).json();
      const r = await fetch(url as string, {
        method: method as string,
        headers: {
          "x-csrf-token": me.csrfToken,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: r.status === 204 ? null : await r.json() };
    },
    [url, method, body] as const,
  );
}

/** The open dropdown of a Select or TreeSelect, once it has slid in (a click while it moves can be lost). */
async function openList(page: Page) {
  const list = page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden)").last();
  await eventually(() => list.getAttribute("class")).not.toMatch(/-(appear|enter|leave)\b/);
  return list;
}

/** Picks an option of an antd Select in the open dialog by its exact text, once its list has slid in. */
async function choose(page: Page, label: string, option: string) {
  const dialog = page.getByRole("dialog");
  const input = dialog.getByLabel(label, { exact: true });
  await input.click();
  const list = await openList(page);
  await list.locator(".ant-select-item-option", { hasText: new RegExp(`^${option}$`) }).click();
  const field = dialog.locator(".ant-form-item").filter({ has: page.getByLabel(label, { exact: true }) });
  await eventually(() => field.locator(".ant-select").textContent()).toContain(option);
}

/** A real Open311 GeoReport v2 POST from outside the browser, as a third-party platform sends it. */
async function postRequest(apiKey: string, address: string) {
  const r = await fetch(`${h.base}/open311/v2/requests.json`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      api_key: apiKey,
      jurisdiction_id: "320613",
      service_code: "sanitation",
      address_string: address,
      description: "小区东门垃圾桶满溢，无人清运",
      phone: "13900001111",
    }),
  });
  return { status: r.status, body: (await r.json()) as any[] };
}

describe("admin pages", () => {
  it("adds, finds, edits, retires and restores a category, with the duplicate code on its field", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-commander");
    await page.getByRole("menuitem", { name: "诉求分类管理" }).click();
    await page.waitForURL("**/admin/categories");
    const rows = page.locator(".ant-table-tbody tr.ant-table-row");
    await eventually(() => rows.count()).toBe(DEFAULT_CATEGORIES.length);
    const sanitation = page.locator('.ant-table-tbody tr[data-code="sanitation"]');
    expect(await sanitation.textContent()).toContain("环境卫生");
    expect(await sanitation.textContent()).toContain("12345 热线");
    expect(await sanitation.textContent()).toContain("网格员");
    expect(await sanitation.textContent()).toContain("城管局环卫处");
    expect(await rows.filter({ hasText: "medical" }).textContent()).toContain("爱心专班紧急上门");
    expect(await rows.filter({ hasText: "public_safety" }).textContent()).toContain("社区民警");
    await screenshot(page, "admin-categories", "诉求分类管理");

    // 新增: the policy's clocks are spelled out as it is picked.
    await page.getByRole("button", { name: "新增分类" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("编码", { exact: true }).fill("medicine_box");
    await dialog.getByLabel("名称", { exact: true }).fill("共享药箱补药");
    await choose(page, "默认时限规则", "爱心专班紧急上门");
    await eventually(() => dialog.getByTestId("policy-clocks").textContent()).toBe(
      "全天候计时：到场时限 1 小时",
    );
    await choose(page, "责任角色", "家庭医生");
    await dialog.getByLabel("责任部门").fill("社区卫生服务中心");
    await screenshot(page, "admin-category-add", "诉求分类管理");
    await dialog.getByRole("button", { name: "保存" }).click();
    await eventually(() => dialog.count()).toBe(0);
    await eventually(() => rows.count()).toBe(DEFAULT_CATEGORIES.length + 1);

    // Found by its pinyin initials.
    const search = page.getByLabel("搜索分类");
    await search.fill("gxyx");
    await search.press("Enter");
    await page.waitForURL((u) => u.searchParams.get("q") === "gxyx");
    await eventually(() => rows.count()).toBe(1);
    const row = rows.first();
    for (const text of [
      "medicine_box",
      "共享药箱补药",
      "爱心专班紧急上门",
      "家庭医生",
      "社区卫生服务中心",
      "启用",
    ])
      expect(await row.textContent()).toContain(text);

    // The same code again: the server's 409 lands on the code field.
    await page.getByRole("button", { name: "新增分类" }).click();
    await dialog.getByLabel("编码", { exact: true }).fill("medicine_box");
    await dialog.getByLabel("名称", { exact: true }).fill("药箱补药（重复）");
    await choose(page, "默认时限规则", "12345 热线");
    await choose(page, "责任角色", "网格员");
    await dialog.getByRole("button", { name: "保存" }).click();
    const codeItem = dialog.locator(".ant-form-item").filter({ has: page.locator("#category_code") });
    await eventually(() => codeItem.locator(".ant-form-item-explain-error").textContent()).toBe(
      "已被其他分类使用（含已停用的分类）",
    );
    await screenshot(page, "admin-category-duplicate", "诉求分类管理");
    await dialog.getByRole("button", { name: "取消" }).click();
    await eventually(() => dialog.count()).toBe(0);

    // 编辑: the code is fixed; name, policy and department change.
    await row.getByRole("button", { name: "编辑 共享药箱补药" }).click();
    expect(await dialog.getByLabel("编码", { exact: true }).isDisabled()).toBe(true);
    expect(await dialog.getByLabel("编码", { exact: true }).inputValue()).toBe("medicine_box");
    await dialog.getByLabel("名称", { exact: true }).fill("共享药箱补药登记");
    await choose(page, "默认时限规则", "12345 热线");
    await eventually(() => dialog.getByTestId("policy-clocks").textContent()).toBe(
      "按工作日计时：签收时限 2 小时、办结时限 5 天",
    );
    await dialog.getByLabel("责任部门").fill("社区药房");
    await dialog.getByRole("button", { name: "保存" }).click();
    await eventually(() => dialog.count()).toBe(0);
    await eventually(() => row.textContent()).toContain("共享药箱补药登记");
    expect(await row.textContent()).toContain("社区药房");
    expect(await row.textContent()).toContain("12345 热线");
    const saved = await inPage(page, "/api/categories?all=true&q=gxyxby");
    expect(saved.body.items).toEqual([
      expect.objectContaining({
        code: "medicine_box",
        name: "共享药箱补药登记",
        initials: "gxyxbydj",
        slaPolicy: "12345",
        ownerRole: "doctor",
        department: "社区药房",
        active: true,
      }),
    ]);

    // 停用, behind a confirm: marked 已停用 here, gone from the intake picker and the API it reads.
    await row.getByRole("button", { name: "停用" }).click();
    await page.locator(".ant-popconfirm").getByRole("button", { name: "停用" }).click();
    await eventually(() => row.textContent()).toContain("已停用");
    expect(await row.getAttribute("class")).toContain("gk-row-retired");
    await screenshot(page, "admin-category-retired", "诉求分类管理");
    expect((await inPage(page, "/api/categories?q=gxyx")).body.items).toEqual([]);
    expect(
      (await inPage(page, "/api/categories")).body.items.some((c: any) => c.code === "medicine_box"),
    ).toBe(false);
    // The 已停用 filter shows it alone.
    await search.fill("");
    await search.press("Enter");
    await page.locator(".ant-segmented").getByText("已停用", { exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get("state") === "retired");
    await eventually(() => rows.count()).toBe(1);

    await page.goto("/orders/new");
    const picker = page.getByLabel("诉求分类");
    await picker.click();
    await picker.fill("hjws");
    await eventually(() => page.locator('.ant-select-item-option[title="环境卫生"]').count()).toBe(1);
    await picker.fill("gxyx");
    await eventually(() => page.getByText("没有匹配的分类").count()).toBe(1);
    expect(await page.locator(".ant-select-item-option").count()).toBe(0);

    // 启用 brings it back.
    await page.goto("/admin/categories?q=gxyx");
    await eventually(() => rows.count()).toBe(1);
    await row.getByRole("button", { name: "启用" }).click();
    await page.locator(".ant-popconfirm").getByRole("button", { name: "启用" }).click();
    await eventually(() => row.textContent()).not.toContain("已停用");
    expect((await inPage(page, "/api/categories?q=gxyx")).body.items.map((c: any) => c.code)).toEqual([
      "medicine_box",
    ]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("gives a category Open311 extra fields, with the server's refusal on the field it names", async () => {
    const { page, context, errors } = await h.open();
    // The first test signed in through the form; this one comes back with a session.
    await signedIn(h, page, "demo-commander", "/admin/categories");
    const row = page.locator('.ant-table-tbody tr[data-code="sanitation"]');
    await eventually(() => row.getByTestId("attribute-count").textContent()).toBe("未设置");
    // The seeded road category already asks three things.
    expect(
      await page
        .locator('.ant-table-tbody tr[data-code="municipal_road"]')
        .getByTestId("attribute-count")
        .textContent(),
    ).toBe("3 个字段");

    const dialog = page.getByRole("dialog");
    const item = (i: number) => dialog.getByTestId(`attribute-${i}`);
    /** The type picker of one field, by its Chinese name. */
    async function pickType(i: number, label: string) {
      await item(i).getByLabel("类型", { exact: true }).click();
      const list = await openList(page);
      await list.locator(".ant-select-item-option", { hasText: new RegExp(`^${label}$`) }).click();
      await eventually(() => item(i).locator(".ant-select").textContent()).toContain(label);
    }
    const codes = () =>
      dialog
        .locator('input[id$="_code"]')
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));

    await row.getByRole("button", { name: "环境卫生 的扩展字段（0 个）" }).click();
    await eventually(() => dialog.getByTestId("attributes-empty").count()).toBe(1);
    // A required single-choice list with two options…
    await dialog.getByRole("button", { name: "添加字段" }).click();
    await item(0).getByLabel("字段编码").fill("bin_type");
    await item(0).getByLabel("名称", { exact: true }).fill("垃圾桶类型");
    await pickType(0, "单选列表");
    await item(0).getByRole("checkbox").check();
    for (const [j, key, name] of [
      [1, "kitchen", "厨余垃圾桶"],
      [2, "other", "其他垃圾桶"],
    ] as const) {
      await item(0).getByRole("button", { name: "添加选项" }).click();
      await item(0).getByLabel(`选项 ${j} 编码`).fill(key);
      await item(0).getByLabel(`选项 ${j} 名称`).fill(name);
    }
    // …and a text field, put first and back again.
    await dialog.getByRole("button", { name: "添加字段" }).click();
    await item(1).getByLabel("字段编码").fill("note");
    await item(1).getByLabel("名称", { exact: true }).fill("补充说明");
    await pickType(1, "多行文本");
    expect(await item(1).getByTestId("attribute-options").count()).toBe(0);
    await dialog.getByRole("button", { name: "上移字段 2" }).click();
    await eventually(codes).toEqual(["note", "bin_type"]);
    await dialog.getByRole("button", { name: "下移字段 1" }).click();
    await eventually(codes).toEqual(["bin_type", "note"]);
    await dialog.getByRole("button", { name: "保存" }).click();
    await eventually(() => dialog.count()).toBe(0);
    await eventually(() => row.getByTestId("attribute-count").textContent()).toBe("2 个字段");
    const sanitation = async () =>
      (await inPage(page, "/api/categories?all=true")).body.items.find((c: any) => c.code === "sanitation");
    const saved = await sanitation();
    expect(saved.attributes).toEqual([
      {
        code: "bin_type",
        datatype: "singlevaluelist",
        required: true,
        description: "垃圾桶类型",
        order: 1,
        values: [
          { key: "kitchen", name: "厨余垃圾桶" },
          { key: "other", name: "其他垃圾桶" },
        ],
      },
      { code: "note", datatype: "text", required: false, description: "补充说明", order: 2 },
    ]);
    // Open311 clients see them in the service's definition.
    const definition = await (await fetch(`${h.base}/open311/v2/services/sanitation.json`)).json();
    expect(definition.attributes.map((a: any) => [a.code, a.required, a.order])).toEqual([
      ["bin_type", true, 1],
      ["note", false, 2],
    ]);

    // A list with no options and a code already used: the server names both, each on its own input.
    await row.getByRole("button", { name: "环境卫生 的扩展字段（2 个）" }).click();
    await eventually(codes).toEqual(["bin_type", "note"]);
    expect(await item(0).getByLabel("选项 2 名称").inputValue()).toBe("其他垃圾桶");
    await dialog.getByRole("button", { name: "添加字段" }).click();
    await item(2).getByLabel("字段编码").fill("note");
    await item(2).getByLabel("名称", { exact: true }).fill("影响范围");
    await pickType(2, "多选列表");
    await dialog.getByRole("button", { name: "保存" }).click();
    await eventually(() =>
      item(2).getByTestId("attribute-options").locator(".ant-form-item-explain-error").textContent(),
    ).toBe("列表类型至少要有一个选项");
    const codeItem = item(2)
      .locator(".ant-form-item")
      .filter({ has: page.locator('input[id$="_2_code"]') });
    expect(await codeItem.locator(".ant-form-item-explain-error").textContent()).toBe("note 重复");
    expect(await item(0).locator(".ant-form-item-explain-error").count()).toBe(0);
    await screenshot(page, "admin-category-attributes-error", "诉求分类管理");
    await dialog.getByRole("button", { name: "取消" }).click();
    await eventually(() => dialog.count()).toBe(0);
    expect((await sanitation()).attributes).toHaveLength(2);

    // Removing the required one keeps the other (and lets the next walk file a plain sanitation report).
    await row.getByRole("button", { name: "环境卫生 的扩展字段（2 个）" }).click();
    await eventually(codes).toEqual(["bin_type", "note"]);
    await dialog.getByRole("button", { name: "删除字段 1" }).click();
    await eventually(codes).toEqual(["note"]);
    await dialog.getByRole("button", { name: "保存" }).click();
    await eventually(() => dialog.count()).toBe(0);
    await eventually(() => row.getByTestId("attribute-count").textContent()).toBe("1 个字段");
    expect((await sanitation()).attributes.map((a: any) => [a.code, a.order])).toEqual([["note", 1]]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("creates an Open311 key shown once, files a real request with it, and revokes it", async () => {
    const { page, context, errors } = await h.open();
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await signedIn(h, page, "demo-commander", "/admin/categories");
    await page.getByRole("menuitem", { name: "Open311 接口密钥" }).click();
    await page.waitForURL("**/admin/open311");
    const help = page.getByTestId("open311-help");
    await eventually(() => help.textContent()).toContain(`${h.base}/open311/v2/`);
    expect(await help.getByRole("link", { name: /接口文档/ }).getAttribute("href")).toBe("/api/docs");
    await eventually(() => page.getByText("暂无接口密钥").count()).toBe(1);
    await screenshot(page, "admin-open311-empty", "Open311 接口密钥");

    // The form asks for both fields before sending.
    await page.getByRole("button", { name: "新建密钥" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "创建" }).click();
    await eventually(() => dialog.getByText("请选择归属单位").count()).toBe(1);
    expect(await dialog.getByText("请输入名称").count()).toBe(1);
    await dialog.getByLabel("名称").fill("市民服务小程序");
    await dialog.getByLabel("归属单位").click();
    await (await openList(page)).locator(".ant-select-tree-title", { hasText: /^崇川区$/ }).click();
    await dialog.getByRole("button", { name: "创建" }).click();

    // Shown once, with a warning and a copy button.
    const shown = page.getByRole("dialog").filter({ hasText: "密钥已创建" });
    await eventually(() => shown.count()).toBe(1);
    expect(await shown.textContent()).toContain("仅显示一次");
    const key = await shown.getByTestId("new-key").inputValue();
    expect(key).toMatch(/^gk_[\w-]{32}$/);
    await shown.getByRole("button", { name: "复制" }).click();
    await eventually(() => page.getByText("密钥已复制").count()).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await screenshot(page, "admin-open311-key-shown", "Open311 接口密钥");
    await shown.getByRole("button", { name: "我已保存，关闭" }).click();
    await eventually(() => shown.count()).toBe(0);
    await eventually(() => page.locator("body").textContent()).not.toContain(key);

    const rows = page.locator(".ant-table-tbody tr.ant-table-row");
    await eventually(() => rows.count()).toBe(1);
    const row = rows.first();
    for (const text of [`${key.slice(0, 8)}…`, "市民服务小程序", "崇川区", "有效"])
      expect(await row.textContent()).toContain(text);
    await screenshot(page, "admin-open311", "Open311 接口密钥");

    // The key files a request through the public Open311 endpoint.
    const [building] = await h.t.ctx.database.query<{ address: string }>(
      "select address from buildings order by id limit 1",
    );
    const filed = await postRequest(key, `${building.address} 东门`);
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const requestId = filed.body[0].service_request_id;
    const order = (await inPage(page, `/api/orders/${requestId}`)).body.order;
    expect(order).toMatchObject({ channel: "open311", category: "环境卫生" });

    // 吊销, behind a confirm: the same request is now refused.
    await row.getByRole("button", { name: "吊销 市民服务小程序" }).click();
    await page.locator(".ant-modal-confirm").getByRole("button", { name: "吊销" }).click();
    await eventually(() => row.textContent()).toContain("已吊销");
    expect(await row.getByRole("button", { name: /吊销/ }).count()).toBe(0);
    await screenshot(page, "admin-open311-revoked", "Open311 接口密钥");
    const refused = await postRequest(key, `${building.address} 东门`);
    expect(refused.status).toBe(403);
    expect(refused.body[0]).toMatchObject({ code: 403, description: "api_key is missing or invalid" });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("works at phone width, and in English", async () => {
    const { page, context, errors } = await h.open({ viewport: PHONE });
    await signedIn(h, page, "demo-commander", "/admin/open311");
    const [{ id: community }] = await h.t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010'",
    );
    const made = await inPage(page, "/api/open311/keys", "POST", {
      name: "苏阳社区公众号",
      orgUnitId: community,
    });
    expect(made.status).toBe(201);
    await page.getByRole("button", { name: "打开导航" }).click();
    await page.getByRole("menuitem", { name: "诉求分类管理" }).click();
    await page.waitForURL("**/admin/categories");
    const cards = page.locator('ul[aria-label="诉求分类管理"] > li');
    await eventually(() => cards.count()).toBeGreaterThan(10);
    expect(await page.locator(".ant-table").count()).toBe(0);
    const box = await cards.first().boundingBox();
    expect(box!.width).toBeGreaterThan(340);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, "admin-categories-phone", "诉求分类管理");
    await cards.first().getByRole("button", { name: "编辑" }).click();
    await eventually(() => page.getByRole("dialog").getByLabel("编码", { exact: true }).inputValue()).toBe(
      "sanitation",
    );
    await screenshot(page, "admin-category-edit-phone", "诉求分类管理");
    await page.getByRole("dialog").getByRole("button", { name: "取消" }).click();
    // The road category's three extra fields, from its card.
    const road = page.locator('.ant-card[data-code="municipal_road"]');
    await road.scrollIntoViewIfNeeded();
    await road.getByTestId("attribute-count").click();
    await eventually(() => page.getByRole("dialog").locator(".ant-card").count()).toBe(3);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, "admin-category-attributes-phone", "诉求分类管理");
    await page.getByRole("dialog").getByRole("button", { name: "取消" }).click();

    await page.goto("/admin/open311");
    const keyCard = page
      .locator('ul[aria-label="Open311 接口密钥"] > li')
      .filter({ hasText: "苏阳社区公众号" });
    await eventually(() => keyCard.count()).toBe(1);
    expect(await keyCard.textContent()).toContain("苏阳社区");
    expect(await keyCard.textContent()).toContain("有效");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, "admin-open311-phone", "Open311 接口密钥");

    await page.getByRole("button", { name: "English" }).click();
    await eventually(() => page.getByRole("heading", { name: "Open311 API keys" }).count()).toBe(1);
    await page.goto("/admin/categories");
    await eventually(() => page.getByText("12345 hotline").count()).toBeGreaterThan(0);
    await screenshot(page, "admin-categories-en-phone", "Request categories");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("keeps a grid worker out: no menu entries, no pages, and the server refuses the APIs", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-grid");
    await eventually(() => page.getByRole("menuitem", { name: "居民查询" }).count()).toBe(1);
    expect(await page.getByRole("menuitem", { name: "诉求分类管理" }).count()).toBe(0);
    expect(await page.getByRole("menuitem", { name: "Open311 接口密钥" }).count()).toBe(0);
    expect(await page.getByText("系统管理").count()).toBe(0);
    await page.goto("/admin/categories");
    await eventually(() => page.getByRole("heading", { name: "无权访问" }).count()).toBe(1);
    await page.goto("/admin/open311");
    await screenshot(page, "admin-forbidden", "无权访问");

    for (const [url, method, body] of [
      ["/api/categories?all=true", "GET"],
      [
        "/api/categories",
        "POST",
        { code: "sneaky", name: "越权", slaPolicy: "12345", ownerRole: "grid_worker" },
      ],
      ["/api/categories/1", "PATCH", { active: false }],
      ["/api/open311/keys", "GET"],
      ["/api/open311/keys", "POST", { name: "越权", orgUnitId: 1 }],
      ["/api/open311/keys/1", "DELETE"],
    ] as const) {
      const r = await inPage(page, url, method, body);
      expect(r.status, `${method} ${url}`).toBe(403);
      expect(r.body.error.code).toBe("forbidden");
    }
    // The grid worker's intake picker still reads the active categories.
    expect((await inPage(page, "/api/categories?q=hjws")).status).toBe(200);
    expect(errors).toEqual([]);
    await context.close();
  });
});
