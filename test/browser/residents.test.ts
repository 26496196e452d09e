import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeIdCard } from "../../src/domain/idcard/idcard.ts";
import { nameInitials } from "../../src/domain/people/pinyin.ts";
import {
  eventually,
  type Harness,
  loginOk,
  residentRows,
  type Session,
  screenshot,
  startHarness,
} from "./harness.ts";

// (b) search by pinyin initials and phone tail, reveal a phone; (c) edit errors; (d) household and building.

interface R {
  id: number;
  name: string;
  phoneMasked: string | null;
  householdId: number;
  buildingId: number;
  version: number;
}

let h: Harness;
let s: Session;
let target: R;
let initials: string;
let tail: string;

async function get<T>(url: string, user = "demo-grid"): Promise<T> {
  const r = await h.t.app.inject({ url, headers: await h.t.login(user) });
  return r.json() as T;
}

beforeAll(async () => {
  h = await startHarness();
  // A resident of 第1网格 whose initials and phone tail each find at most one page of results.
  const { items } = await get<{ items: R[] }>("/api/residents?pageSize=100");
  for (const r of items) {
    if (!r.phoneMasked) continue;
    const i = nameInitials(r.name);
    const t = r.phoneMasked.slice(-4);
    const [a, b] = await Promise.all([
      get<{ total: number }>(`/api/residents?q=${i}`),
      get<{ total: number }>(`/api/residents?q=${t}`),
    ]);
    if (a.total <= 20 && b.total <= 20) {
      target = r;
      initials = i;
      tail = t;
      break;
    }
  }
  expect(target).toBeDefined();
  s = await h.open();
  await loginOk(s.page, "demo-grid");
});

afterAll(async () => {
  await h?.close();
});

async function search(page: Page, text: string) {
  const box = page.getByLabel("搜索居民");
  await box.fill(text);
  await box.press("Enter");
  await page.waitForURL((u) => u.searchParams.get("q") === text);
  await eventually(() => page.locator(".ant-table-tbody").textContent()).toContain(target.name);
}

describe("resident registry pages", () => {
  it("finds a resident by pinyin initials and by phone tail", async () => {
    const { page } = s;
    await page.goto("/residents");
    await eventually(() => residentRows(page).count()).toBe(20);
    expect(await page.getByLabel("搜索居民").getAttribute("placeholder")).toBe(
      "姓名 / 拼音首字母 / 手机或身份证尾号 / 地址",
    );
    await search(page, initials);
    await screenshot(page, "residents-search-initials", "居民查询");
    await search(page, tail);
    const row = residentRows(page).filter({ hasText: target.name });
    await eventually(() => row.first().textContent()).toContain(target.phoneMasked!);
    await screenshot(page, "residents-search-phone-tail", "居民查询");

    // A search nobody matches shows the empty state.
    const box = page.getByLabel("搜索居民");
    await box.fill("查无此人啊");
    await box.press("Enter");
    await eventually(() => page.getByText("没有找到符合条件的居民").count()).toBe(1);
    await screenshot(page, "residents-empty", "居民查询");
  });

  it("opens the detail and reveals the phone after giving a reason", async () => {
    const { page } = s;
    await page.goto(`/residents?q=${tail}`);
    await page.getByRole("link", { name: target.name, exact: true }).first().click();
    await page.waitForURL(`**/residents/${target.id}`);
    await eventually(() => page.getByTestId("masked-phone").textContent()).toBe(target.phoneMasked);
    await page.getByRole("button", { name: "查看完整手机号" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "确认查看" }).click();
    await eventually(() => dialog.getByText("请填写查看理由（至少 2 个字）").count()).toBe(1);
    await screenshot(page, "resident-reveal-reason", target.name);
    await dialog.getByLabel("查看理由").fill("电话回访");
    await dialog.getByRole("button", { name: "确认查看" }).click();
    const revealed = page.getByTestId("revealed-phone");
    await eventually(() => revealed.textContent()).toMatch(/^1\d{10}$/);
    expect((await revealed.textContent())!.endsWith(tail)).toBe(true);
    await screenshot(page, "resident-detail-revealed", target.name);

    // The reveal and its reason are in the audit log.
    const audit = await get<{ items: { action: string; reason: string }[] }>(
      `/api/audit?entity=resident&entityId=${target.id}`,
      "demo-community",
    );
    expect(audit.items.some((a) => a.reason === "电话回访")).toBe(true);
  });

  it("shows a bad phone's error on the field, and a stale version as a refresh prompt", async () => {
    const { page } = s;
    await page.goto(`/residents/${target.id}`);
    await page.getByRole("button", { name: "编辑" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("手机号").fill("12345");
    await dialog.getByRole("button", { name: "保存" }).click();
    const phoneItem = dialog.locator(".ant-form-item").filter({ has: page.getByLabel("手机号") });
    await expect
      .poll(() => phoneItem.locator(".ant-form-item-explain-error").textContent())
      .toContain("应为 11 位中国大陆手机号");
    await screenshot(page, "resident-edit-phone-error", target.name);

    // Someone else saves first: our save answers 409 and offers a refresh.
    const other = await h.t.login("demo-community");
    const changed = await h.t.app.inject({
      method: "PATCH",
      url: `/api/residents/${target.id}`,
      headers: other,
      payload: { version: target.version, name: `${target.name}甲` },
    });
    expect(changed.statusCode).toBe(200);
    await dialog.getByLabel("手机号").fill("");
    await dialog.getByRole("button", { name: "保存" }).click();
    await eventually(() => dialog.getByText("该居民信息已被他人修改，请刷新后重试").count()).toBe(1);
    await screenshot(page, "resident-edit-conflict", target.name);
    await dialog.getByRole("button", { name: "刷新" }).click();
    await eventually(() => page.getByRole("heading", { name: `${target.name}甲` }).count()).toBe(1);

    // After the refresh a save goes through.
    await page.getByRole("button", { name: "编辑" }).click();
    await dialog.getByLabel("姓名").fill(target.name);
    await dialog.getByRole("button", { name: "保存" }).click();
    await eventually(() => page.getByRole("heading", { name: target.name, exact: true }).count()).toBe(1);
  });

  it("keeps an open form when the screen crosses from desktop to phone width and back", async () => {
    const { page } = s;
    await page.goto(`/residents/${target.id}`);
    await page.getByRole("button", { name: "编辑" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("姓名").fill(`${target.name}乙`);
    // A tablet turned upright: the frame switches to the phone header, the page and its dialog stay.
    await page.setViewportSize({ width: 700, height: 1000 });
    await eventually(() => page.getByRole("button", { name: "打开导航" }).count()).toBe(1);
    expect(await dialog.getByLabel("姓名").inputValue()).toBe(`${target.name}乙`);
    await page.setViewportSize({ width: 1440, height: 900 });
    await eventually(() => page.getByRole("button", { name: "打开导航" }).count()).toBe(0);
    expect(await dialog.getByLabel("姓名").inputValue()).toBe(`${target.name}乙`);
    await dialog.getByRole("button", { name: "取消" }).click();
    await eventually(() => dialog.count()).toBe(0);
  });

  it("shows the household and the building", async () => {
    const { page, errors } = s;
    await page.goto(`/residents/${target.id}`);
    await page.getByRole("button", { name: "查看本户" }).click();
    await page.waitForURL(`**/households/${target.householdId}`);
    await eventually(() => page.locator(".ant-table-tbody").textContent()).toContain(target.name);
    await screenshot(page, "household", "户详情");

    // Registering someone who moved in: a wrong checksum is named on the ID field, a right one saves.
    const id18 = composeIdCard("320602", "1988-05-06", 613);
    const badId = `${id18.slice(0, 17)}${id18[17] === "1" ? "2" : "1"}`;
    await page.getByRole("button", { name: "登记居民" }).click();
    const add = page.getByRole("dialog");
    await add.getByLabel("姓名").fill("钱新登");
    await add.getByLabel("身份证号").fill(badId);
    await add.getByRole("button", { name: "保存" }).click();
    const idError = add.locator(".ant-form-item-explain-error", { hasText: "校验位" });
    await eventually(() => idError.isVisible()).toBe(true);
    await screenshot(page, "resident-add-error", "户详情");
    await add.getByLabel("身份证号").fill(id18);
    await add.getByRole("button", { name: "保存" }).click();
    await page.waitForURL(/\/residents\/\d+$/);
    await eventually(() => page.getByRole("heading", { name: "钱新登", exact: true }).count()).toBe(1);
    await page.goto(`/households/${target.householdId}`);

    await page.getByRole("button", { name: "查看楼栋" }).click();
    await page.waitForURL(`**/buildings/${target.buildingId}`);
    const building = await get<{ building: { name: string }; households: unknown[] }>(
      `/api/buildings/${target.buildingId}`,
    );
    await expect
      .poll(() => page.locator(".ant-table-tbody tr.ant-table-row").count())
      .toBe(Math.min(20, building.households.length));
    await screenshot(page, "building", building.building.name);

    // From the building back to a household.
    await page.locator(".ant-table-tbody tr.ant-table-row a").first().click();
    await page.waitForURL(/\/households\/\d+$/);
    await eventually(() => page.getByRole("heading", { name: "户详情" }).count()).toBe(1);

    // Care roles reach the health record from the resident's page.
    await page.goto(`/residents/${target.id}`);
    await page.getByRole("button", { name: "健康档案" }).click();
    await page.waitForURL(`**/care/residents/${target.id}`);
    await eventually(() => page.getByRole("heading", { name: `${target.name} 的健康档案` }).count()).toBe(1);

    // A missing record shows 记录不存在.
    await page.goto("/households/99999999");
    await eventually(() => page.getByRole("heading", { name: "记录不存在" }).count()).toBe(1);
    await screenshot(page, "household-missing", "记录不存在");
    expect(errors).toEqual([]);
  });
});
