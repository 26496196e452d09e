import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, loginOk, PHONE, screenshot, startHarness } from "./harness.ts";

// A grid worker reports what they found on patrol from the phone: the menu says 巡查上报, the channel is
// 网格巡查 without touching it, the place is their own grid unless they pick one, and the report carries a
// photo and a location check-in; the order opens in their grid with both.

let h: Harness;
let photo: Buffer;
beforeAll(async () => {
  h = await startHarness();
  photo = await sharp({ create: { width: 160, height: 120, channels: 3, background: "#6a8" } })
    .jpeg()
    .toBuffer();
});
afterAll(() => h?.close());

const POINT = { latitude: 32.030512, longitude: 120.879134, accuracy: 14 };

describe("a grid worker's own report", () => {
  it("files a patrol report with a photo and a check-in on the phone, into their own grid", async () => {
    const { page, context, errors } = await h.open({ viewport: PHONE });
    await context.grantPermissions(["geolocation"]);
    await context.setGeolocation(POINT);
    await loginOk(page, "demo-grid");
    await page.getByRole("button", { name: "打开导航" }).click();
    await page.getByRole("menuitem", { name: "巡查上报" }).click();
    await page.waitForURL((u) => u.pathname === "/orders/new");
    await eventually(() => page.getByRole("heading", { name: "巡查上报" }).count()).toBe(1);
    const channel = page.locator(".ant-form-item").filter({ has: page.locator("#channel") });
    expect(await channel.textContent()).toContain("网格巡查");
    // No caller to type in: the reporter is the worker.
    expect(await page.getByLabel("来电人姓名").count()).toBe(0);
    await eventually(() => page.getByText("不选择时上报到本网格（第1网格）").count()).toBe(1);

    const category = page.getByLabel("诉求分类");
    await category.click();
    await category.fill("楼道灯");
    await category.press("Enter");
    await page.getByLabel("诉求内容").fill("5幢2单元楼道灯不亮，夜间老人上下楼看不清");
    await page.locator('[data-action="check-in"]').click();
    await eventually(() => page.getByTestId("check-in").textContent()).toContain("32.03051, 120.87913");
    await page
      .getByTestId("photo-input")
      .setInputFiles({ name: "楼道.jpg", mimeType: "image/jpeg", buffer: photo });
    await eventually(() => page.locator('[data-testid="photo-previews"] img').count()).toBe(1);
    await screenshot(page, "patrol-report-phone", "巡查上报");

    await page.getByRole("button", { name: "上报", exact: true }).click();
    await page.waitForURL(/\/orders\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split("/").pop());
    await eventually(() => page.getByTestId("order-check-in").textContent()).toContain("32.03051, 120.87913");
    await eventually(() => page.locator('[data-testid="order-photos"] img').count()).toBe(1);
    const body = await page.locator(".ant-descriptions").first().textContent();
    expect(body).toContain("网格巡查");
    expect(body).toContain("苏阳社区·第1网格");
    await screenshot(page, "patrol-order-phone", /^工单 /);

    const [row] = await h.t.ctx.database.query<{
      channel: string;
      code: string;
      lat: number;
      long: number;
      photos: number;
    }>(
      `select o.channel, u.code, o.lat, o.long,
              (select count(*)::int from attachments a where a.order_id = o.id) as photos
         from work_orders o join org_units u on u.id = o.org_unit_id where o.id = $1`,
      [id],
    );
    expect(row).toEqual({
      channel: "grid_patrol",
      code: "320613019010-G01",
      lat: POINT.latitude,
      long: POINT.longitude,
      photos: 1,
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows the same form on a desktop, the resident box beside it", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-grid");
    await page.goto("/orders/new");
    await eventually(() => page.getByRole("heading", { name: "巡查上报" }).count()).toBe(1);
    await eventually(() => page.getByText("涉及居民（可选）").count()).toBe(1);
    await screenshot(page, "patrol-report-desktop", "巡查上报");
    expect(errors).toEqual([]);
    await context.close();
  });
});
