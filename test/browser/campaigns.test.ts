import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../helpers/app.ts";
import { eventually, type Harness, loginOk, PHONE, screenshot, startHarness } from "./harness.ts";

// 敲门行动 on the phone, offline: the demo grid worker opens their assignment, loses signal, records 20
// doors (answers, a notice handed over with a signature photo), reloads the page still without signal —
// the service worker serves the app, IndexedDB still holds the 20 — and when the signal returns exactly 20
// records arrive, once. The street's progress shows them. On PGlite, and on PostgreSQL when it is set.

describe.each(DB_KINDS)("door-to-door campaign on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const q = <T>(sql: string, params: unknown[] = []) => h.t.ctx.database.query<T>(sql, params);
  const recordsOfDemoGrid = async () =>
    (
      await q<{ n: number }>(
        "select count(*)::int as n from campaign_records where member_id = (select id from accounts where username = 'demo-grid')",
      )
    )[0].n;

  it("records 20 households offline, survives a reload without signal, and syncs exactly 20", async () => {
    const [campaign] = await q<{ id: number }>("select id from campaigns order by id limit 1");
    const visitedBefore = (
      await q<{ n: number }>(
        "select coalesce(sum(visited), 0)::int as n from campaign_tallies where campaign_id = $1",
        [campaign.id],
      )
    )[0].n;
    expect(await recordsOfDemoGrid()).toBe(0);

    const s = await h.open({ viewport: PHONE });
    const { page, context } = s;
    await loginOk(page, "demo-grid");
    await page.goto("/campaigns/field");
    await page.getByRole("heading", { name: "入户登记" }).waitFor();
    // The service worker controls the page and keeps the shell and the assignment.
    await eventually(() => page.evaluate(() => !!navigator.serviceWorker.controller), {
      timeout: 30_000,
    }).toBe(true);
    await eventually(
      () =>
        page.evaluate(
          async () => !!(await caches.match("/api/campaigns/field")) && !!(await caches.match("/api/me")),
        ),
      { timeout: 30_000 },
    ).toBe(true);
    await page.locator('[data-testid^="hh-"]').first().waitFor();
    await screenshot(page, "campaigns-field-phone", "入户登记");

    await context.setOffline(true);
    await eventually(() => page.getByTestId("net-state").textContent()).toBe("离线");
    const photo = await sharp({
      create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 120, b: 40 } },
    })
      .jpeg()
      .toBuffer();
    for (let i = 0; i < 20; i++) {
      await page.locator('[data-testid^="hh-"]').first().click();
      const drawer = page.locator(".ant-drawer-open");
      await drawer
        .getByText("在家·已完成", { exact: true })
        .waitFor()
        .catch(async (e) => {
          await page.screenshot({ path: `test-results/screenshots/campaigns-fail-${i}.png` });
          throw e;
        });
      if (i % 5 === 4) {
        await drawer.getByText("不在家·需复访", { exact: true }).click();
      } else {
        await drawer.getByText("在家·已完成", { exact: true }).click();
        await drawer
          .getByTestId("q-present")
          .locator("input")
          .fill(String(1 + (i % 3)));
        if (i === 0) {
          await drawer.getByTestId("q-elderly").getByText("是", { exact: true }).click();
          await drawer.getByTestId("q-elderly_help").getByText("需要上门探访").click();
          await drawer.getByTestId("q-needs").getByText("配药送药").click();
        } else {
          await drawer.getByTestId("q-elderly").getByText("否", { exact: true }).click();
        }
      }
      if (i === 0) {
        await drawer.getByTestId("notice-switch").click();
        await drawer.getByPlaceholder("签收人（可选）").fill("王建国");
        await drawer
          .getByTestId("photo-notice")
          .setInputFiles({ name: "sign.jpg", mimeType: "image/jpeg", buffer: photo });
        await drawer.getByText("已添加照片").waitFor();
        await screenshot(page, "campaigns-field-record-phone", "入户登记");
      }
      await drawer.getByRole("button", { name: "保存登记" }).click();
      await eventually(() => page.getByTestId("pending-count").textContent()).toBe(`待同步 ${i + 1} 条`);
    }
    expect(await recordsOfDemoGrid()).toBe(0);
    await page.getByTestId("pending-count").click();
    await eventually(() => page.getByTestId("queued-record").count()).toBe(20);
    await screenshot(page, "campaigns-field-pending-phone", "入户登记");
    await page.keyboard.press("Escape");

    // Reload without signal: the page comes from the service worker, the queue from IndexedDB.
    const reload = await page.reload();
    expect(reload?.fromServiceWorker()).toBe(true);
    await page.getByRole("heading", { name: "入户登记" }).waitFor();
    await eventually(() => page.getByTestId("pending-count").textContent()).toBe("待同步 20 条");
    expect(await page.getByTestId("net-state").textContent()).toBe("离线");
    await screenshot(page, "campaigns-field-offline-reload-phone", "入户登记");
    expect(await recordsOfDemoGrid()).toBe(0);

    // Signal again: the queue goes out by itself, once.
    await context.setOffline(false);
    await eventually(() => page.getByTestId("pending-count").textContent(), { timeout: 40_000 }).toBe(
      "已全部同步",
    );
    expect(await recordsOfDemoGrid()).toBe(20);
    const [photos] = await q<{ n: number }>(
      "select count(*)::int as n from campaign_photos p join campaign_records r on r.id = p.record_id where r.member_id = (select id from accounts where username = 'demo-grid')",
    );
    expect(photos.n).toBe(1);
    const [notice] = await q<{ to: string; method: string; order: number | null }>(
      "select notice_to as to, notice_method as method, work_order_id as order from campaign_records where notice_method is not null and member_id = (select id from accounts where username = 'demo-grid')",
    );
    expect(notice).toMatchObject({ to: "王建国", method: "hand" });
    expect(notice.order).not.toBeNull();
    await screenshot(page, "campaigns-field-synced-phone", "入户登记");

    // The street sees it.
    const visitedAfter = (
      await q<{ n: number }>(
        "select coalesce(sum(visited), 0)::int as n from campaign_tallies where campaign_id = $1",
        [campaign.id],
      )
    )[0].n;
    expect(visitedAfter).toBe(visitedBefore + 20);
    const street = await h.open();
    await loginOk(street.page, "demo-street");
    await street.page.goto(`/campaigns?id=${campaign.id}`);
    await eventually(() => street.page.getByTestId("total-visited").textContent()).toBe(String(visitedAfter));
    await screenshot(street.page, "campaigns-desk", "敲门行动");
    await street.page.getByRole("button", { name: "苏阳社区", exact: true }).click();
    await street.page.getByRole("button", { name: "第1网格", exact: true }).click();
    await eventually(() => street.page.getByText("苏阳社区第1网格 网格员（演示）").count()).toBeGreaterThan(
      0,
    );
    await screenshot(street.page, "campaigns-desk-grid", "敲门行动");
    const phoneStreet = await h.open({ viewport: PHONE });
    await loginOk(phoneStreet.page, "demo-street");
    await phoneStreet.page.goto(`/campaigns?id=${campaign.id}`);
    await eventually(() => phoneStreet.page.getByTestId("total-visited").textContent()).toBe(
      String(visitedAfter),
    );
    await screenshot(phoneStreet.page, "campaigns-desk-phone", "敲门行动");
    expect([...s.errors, ...street.errors, ...phoneStreet.errors]).toEqual([]);
  }, 240_000);
});
