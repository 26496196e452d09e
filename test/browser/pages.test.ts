import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  type Harness,
  loginOk,
  navigatorRoot,
  PHONE,
  residentRows,
  screenshot,
  signedIn,
  startHarness,
} from "./harness.ts";

// (e) org page with its chart and the navigator; (f) the grid worker's phone view; (g) English.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("org pages, phone layout and language", () => {
  it("renders the org page's ECharts chart and drills down through the navigator", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-community");
    await page.waitForURL(/\/orgs\/\d+$/);
    const chart = page.getByRole("img", { name: "重点人群分布" });
    await eventually(() => chart.locator("canvas").count()).toBeGreaterThan(0);
    const box = await chart.locator("canvas").first().boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(200);
    const stats = await page.evaluate(() =>
      fetch("/api/me")
        .then((r) => r.json())
        .then((me) => fetch(`/api/orgs/${me.org.id}/stats`))
        .then((r) => r.json()),
    );
    await expect
      .poll(() => page.locator(".ant-statistic").first().textContent())
      .toContain(stats.residents.toLocaleString("en-US"));
    await eventually(() => page.locator(".ant-table-tbody tr.ant-table-row").count()).toBeGreaterThan(0);
    await screenshot(page, "org-community", "苏阳社区");

    // Navigator: pick a grid in the tree, then find another by search.
    await page.locator('nav[aria-label="组织导航"] .ant-tree-title', { hasText: /^第2网格$/ }).click();
    await page.waitForURL((u) => u.pathname !== "/orgs/" && /\/orgs\/\d+$/.test(u.pathname));
    await eventually(() => page.getByRole("heading", { name: "第2网格", exact: true }).count()).toBe(1);
    await eventually(() => page.locator(".ant-breadcrumb").textContent()).toBe("苏阳社区/第2网格");
    await page.getByLabel("搜索组织").fill("第3网格");
    await page.getByLabel("搜索组织").press("Enter");
    await page.getByRole("listitem").filter({ hasText: "第3网格" }).first().click();
    await eventually(() => page.getByRole("heading", { name: "第3网格", exact: true }).count()).toBe(1);
    await screenshot(page, "org-grid", "第3网格");

    // The resident list follows the navigator selection; the tag filter narrows it.
    await page.getByRole("menuitem", { name: "居民查询" }).click();
    await page.waitForURL((u) => u.pathname === "/residents" && u.searchParams.has("org"));
    await eventually(() => residentRows(page).count()).toBe(20);
    await page.getByLabel("人群标签").click();
    await page.locator(".ant-select-item-option", { hasText: /^独居$/ }).click();
    await page.waitForURL((u) => u.searchParams.get("tag") === "living_alone");
    await expect
      .poll(async () => {
        const tags = await page.locator(".ant-table-tbody tr.ant-table-row td:last-child").allTextContents();
        return tags.length > 0 && tags.every((t) => t.includes("独居"));
      })
      .toBe(true);
    await screenshot(page, "residents-filtered", "居民查询");

    // Export is offered to the community admin and answers CSV.
    const href = await page.getByRole("link", { name: /导出/ }).getAttribute("href");
    expect(href).toMatch(/^\/api\/residents\/export\?/);
    const csv = await page.request.get(href!);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    expect(await csv.text()).toContain("姓名,性别");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows the grid worker cards on a phone, with the navigator in a drawer", async () => {
    const { page, context, errors } = await h.open({ viewport: PHONE });
    await page.goto("/login");
    await screenshot(page, "login-phone", "登录网格管家");
    await loginOk(page, "demo-grid");
    // The grid worker lands on their queue (landing.test.ts); the org page is one step away.
    await page.waitForURL(/\/orders\/queue$/);
    const me = await page.evaluate(() => fetch("/api/me").then((r) => r.json()));
    await page.goto(`/orgs/${me.org.id}`);
    await screenshot(page, "org-phone", "第1网格");

    await page.goto("/residents");
    const cards = page.locator(".gk-resident-card");
    await eventually(() => cards.count()).toBe(20);
    expect(await page.locator(".ant-table").count()).toBe(0);
    expect(await page.getByRole("link", { name: /导出/ }).count()).toBe(0); // no export for grid workers
    const first = await cards.first().boundingBox();
    expect(first!.width).toBeGreaterThan(340);
    expect(first!.height).toBeGreaterThanOrEqual(44);
    await screenshot(page, "residents-phone", "居民查询");

    await page.getByRole("button", { name: "打开导航" }).click();
    await eventually(() => navigatorRoot(page).textContent()).toBe("第1网格");
    await screenshot(page, "navigator-phone", "居民查询");
    await page.locator(".ant-drawer .ant-tree-title", { hasText: /^第1网格$/ }).click();
    await page.waitForURL((u) => u.searchParams.has("org"));
    await eventually(() => page.locator(".ant-drawer-open").count()).toBe(0);

    await cards.first().click();
    await page.waitForURL(/\/residents\/\d+$/);
    await eventually(() => page.getByTestId("masked-phone").count()).toBe(1);
    const name = await page.locator("h2").first().textContent();
    await screenshot(page, "resident-detail-phone", name!);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("switches to English and remembers it", async () => {
    const { page, context, errors } = await h.open();
    // The first test signed in as the community through the form; this one comes back with a session.
    await signedIn(h, page, "demo-community");
    await page.waitForURL(/\/orgs\/\d+$/);
    await page.getByRole("button", { name: "English" }).click();
    await eventually(() => page.getByRole("menuitem", { name: "Residents" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Log out" }).count()).toBe(1);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await eventually(() => page.getByRole("img", { name: "Key population by category" }).count()).toBe(1);
    await screenshot(page, "org-en", "苏阳社区");

    await page.getByRole("menuitem", { name: "Residents" }).click();
    await page.waitForURL("**/residents");
    expect(await page.getByLabel("Search residents").getAttribute("placeholder")).toContain(
      "pinyin initials",
    );
    await eventually(() => page.getByRole("columnheader", { name: "Name" }).count()).toBe(1);
    await page.reload();
    await eventually(() => page.getByRole("columnheader", { name: "Name" }).count()).toBe(1);
    await screenshot(page, "residents-en", "Residents");

    await page.getByRole("button", { name: "中文" }).click();
    await eventually(() => page.getByRole("columnheader", { name: "姓名" }).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("runs the built app under the security headers' policy without a violation", async () => {
    const { page, context, errors } = await h.open();
    const policies = new Set<string>();
    page.on("response", (r) => {
      if (r.request().resourceType() === "document")
        policies.add(r.headers()["content-security-policy"] ?? "");
    });
    await signedIn(h, page, "demo-community");
    await page.waitForURL(/\/orgs\/\d+$/);
    await eventually(() => page.locator(".ant-table-tbody tr.ant-table-row").count()).toBeGreaterThan(0);
    for (const menu of ["居民查询", "工单"]) {
      const item = page.getByRole("menuitem", { name: menu });
      if ((await item.count()) === 0) continue;
      await item.first().click();
      await page.waitForLoadState("networkidle");
    }
    // A page loaded afresh (the document itself carries the policy), with antd's styles in place.
    await page.reload();
    await page.waitForLoadState("networkidle");
    expect(await page.locator("style").count()).toBeGreaterThan(0);
    const bg = await page
      .locator(".ant-layout")
      .first()
      .evaluate((el) => getComputedStyle(el).display);
    expect(bg).toBe("flex");
    expect(
      [...policies].every((p) => p.includes("frame-ancestors 'none'") && p.includes("script-src 'self'")),
    ).toBe(true);
    expect(policies.size).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });
  it("sends the app's files compressed, and keeps the hashed ones on the phone", async () => {
    const { page, context, errors } = await h.open({ viewport: PHONE });
    const scripts: { url: string; encoding?: string; cache?: string }[] = [];
    let documentCache: string | undefined;
    page.on("response", (r) => {
      const type = r.request().resourceType();
      if (type === "script")
        scripts.push({
          url: r.url(),
          encoding: r.headers()["content-encoding"],
          cache: r.headers()["cache-control"],
        });
      if (type === "document") documentCache = r.headers()["cache-control"];
    });
    await signedIn(h, page, "demo-grid");
    await eventually(() => page.getByRole("heading").count()).toBeGreaterThan(0);
    // The browser asked for brotli or gzip and ran what came: every script of the app's start compressed,
    // and kept for a year (its name changes with its content); the page itself is asked for again.
    expect(scripts.length).toBeGreaterThan(3);
    for (const s of scripts) {
      expect(s.url).toContain("/assets/");
      expect(s.cache).toBe("public, max-age=31536000, immutable");
      // Files under 1 KB are not worth a compressed twin.
      if (s.encoding === undefined)
        expect((await (await fetch(s.url)).arrayBuffer()).byteLength).toBeLessThan(1024);
      else expect(["br", "gzip"]).toContain(s.encoding);
    }
    const entry = scripts.find((s) => /\/index-[^/]+\.js$/.test(s.url));
    expect(entry?.encoding).toMatch(/^(br|gzip)$/);
    expect(documentCache).not.toContain("immutable");
    // A client that takes no encoding gets the file as built.
    const asset = new URL(entry!.url).pathname;
    const plain = await fetch(`${h.base}${asset}`, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
    const gz = await fetch(`${h.base}${asset}`, { headers: { "accept-encoding": "gzip" } });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(await gz.text()).toBe(await plain.text());
    expect(errors).toEqual([]);
    await context.close();
  });
});
