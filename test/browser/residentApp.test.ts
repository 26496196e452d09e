import crypto from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_RESIDENT_PHONE } from "../../src/seed/demo.ts";
import { DB_KINDS } from "../helpers/app.ts";
import { eventually, type Harness, loginOk, PHONE, screenshot as shoot, startHarness } from "./harness.ts";

// The resident's phone app: sign in with a code sent to the phone, report a problem with a photo, a grid
// worker resolves it on the phone queue, and the resident sees the reply and the photos and rates it.

let h: Harness;
/** The PostgreSQL run's screenshots keep their own names, so both can be looked at. */
let suffix = "";
const screenshot = (page: Parameters<typeof shoot>[0], name: string, heading: string | RegExp) =>
  shoot(page, `${name}${suffix}`, heading);

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

async function lastCode(): Promise<string> {
  const [n] = await h.t.ctx.database.query<{ body: string }>(
    "select body from notifications where kind = 'resident.code' order by id desc limit 1",
  );
  return /(\d{6})/.exec(n.body)![1];
}

async function signIn(page: Page) {
  await page.goto("/app");
  await page.getByLabel("手机号").fill(DEMO_RESIDENT_PHONE);
  await page.getByRole("button", { name: "获取验证码" }).click();
  await eventually(() => page.getByText(/秒后重新获取/).count()).toBe(1);
  await page.getByLabel("验证码").fill(await lastCode());
}

describe.each(DB_KINDS)("resident app on %s", (kind) => {
  beforeAll(async () => {
    h = await startHarness(kind);
    suffix = kind === "pglite" ? "" : "-pg";
  });
  afterAll(() => h?.close());

  it("signs in with a code, reports with a photo, gets it resolved by the grid worker and rates it", async () => {
    const res = await h.open({ viewport: PHONE });
    const p = res.page;
    await signIn(p);
    await screenshot(p, "resident-app-sign-in-phone", "网格管家 · 居民端");
    await p.getByRole("button", { name: "登录" }).click();
    await eventually(() => p.getByText(/您好/).count()).toBe(1);

    // Report: category, words, the home building (preselected), a photo.
    await p.getByLabel("问题类型").click();
    await p.locator(".ant-select-item-option").first().click();
    await p.getByLabel("问题描述").fill("3幢楼道灯不亮，晚上上下楼看不见");
    await p
      .locator('input[type="file"]')
      .setInputFiles({ name: "楼道.png", mimeType: "image/png", buffer: PNG });
    await eventually(() => p.getByText("楼道.png").count()).toBe(1);
    await screenshot(p, "resident-app-report-phone", "网格管家 · 居民端");
    await p.getByRole("button", { name: "提交" }).click();
    await eventually(() => p.locator('[data-testid^="app-order-"]').count()).toBe(1);
    const testId = await p.locator('[data-testid^="app-order-"]').first().getAttribute("data-testid");
    const number = testId!.replace("app-order-", "");
    const [order] = await h.t.ctx.database.query<{ id: number; channel: string }>(
      "select id, channel from work_orders where number = $1",
      [number],
    );
    expect(order.channel).toBe("resident_app");
    await eventually(() => p.locator(`[data-testid="app-order-${number}"] img`).count()).toBe(1);
    await screenshot(p, "resident-app-mine-reported-phone", "网格管家 · 居民端");

    // The grid worker takes it through 签收 → 到场 → 办结 on the phone queue.
    const worker = await h.open({ viewport: PHONE });
    const w = worker.page;
    await loginOk(w, "demo-grid");
    await w.goto("/orders/queue");
    const card = w.locator(`[data-testid="order-card"][data-number="${number}"]`);
    await card.locator('[data-action="accept"]').click();
    await eventually(() => card.getByTestId("order-state").textContent()).toBe("已签收");
    await card.locator('[data-action="arrive"]').click();
    await eventually(() => card.getByTestId("order-state").textContent()).toBe("已到场");
    await card.locator('[data-action="resolve"]').click();
    const dialog = w.getByRole("dialog");
    await dialog
      .locator('input[type="file"]')
      .setInputFiles({ name: "修好了.png", mimeType: "image/png", buffer: PNG });
    await eventually(() => dialog.locator(".gk-photo-thumb img").count()).toBe(1);
    await dialog.getByLabel("备注").fill("已更换楼道灯泡，照明恢复");
    await dialog.getByRole("button", { name: "确认办结" }).click();
    await eventually(() => card.count()).toBe(0);
    // The community verifies it (核查), which puts it at callback for the resident to rate.
    const community = await h.t.login("demo-community");
    const cur = (await h.t.app.inject({ url: `/api/orders/${order.id}`, headers: community })).json().order;
    const v = await h.t.app.inject({
      method: "POST",
      url: `/api/orders/${order.id}/actions/verify`,
      headers: community,
      payload: { version: cur.version },
    });
    expect(v.statusCode, v.body).toBe(200);

    // The resident sees the reply and both photos, and rates it.
    await p.reload();
    await p.getByText("我的", { exact: true }).click();
    const mine = p.locator(`[data-testid="app-order-${number}"]`);
    await eventually(() => mine.getByText("已更换楼道灯泡").count()).toBe(1);
    await eventually(() => mine.locator("img").count()).toBe(2);
    await mine.getByLabel("意见（可选）").fill("修得很快，谢谢网格员");
    await screenshot(p, "resident-app-rate-phone", "网格管家 · 居民端");
    await mine.getByRole("button", { name: "评价" }).click();
    await eventually(() => mine.getByText("已评价，感谢您的反馈").count()).toBe(1);
    const [closed] = await h.t.ctx.database.query<{ state: string; satisfaction: string }>(
      "select state, satisfaction from work_orders where id = $1",
      [order.id],
    );
    expect(closed).toEqual({ state: "closed", satisfaction: "satisfied" });
    await screenshot(p, "resident-app-rated-phone", "网格管家 · 居民端");
    expect(res.errors).toEqual([]);
    expect(worker.errors).toEqual([]);
  }, 120_000);

  it("shows the public service-point directory without an account, on a map and as a list", async () => {
    const s = await h.open({ viewport: PHONE });
    await s.page.goto("/service-points");
    await eventually(() => s.page.getByText("苏阳社区爱心驿站").count()).toBeGreaterThan(0);
    // The map layer: a canvas with the points (the demo places every point inside its community's area).
    await eventually(() => s.page.locator('[data-testid="points-map"] canvas').count()).toBeGreaterThan(0);
    expect(await s.page.getByText(/处未标注位置/).count()).toBe(0);
    await screenshot(s.page, "service-points-phone", "社区服务阵地");
    expect(s.errors).toEqual([]);
  });

  it("makes a micro-wish; the community publishes it, a volunteer fulfils it with a photo; the resident follows it", async () => {
    // A session of the resident's own (the first walk already asked for this phone's code this minute).
    const [r] = await h.t.ctx.database.query<{ id: number; orgPath: string; phoneHash: string }>(
      `select id, org_path as "orgPath", phone_hash as "phoneHash" from residents where phone_hash = $1`,
      [h.t.ctx.crypto.hash(DEMO_RESIDENT_PHONE)],
    );
    let [acct] = await h.t.ctx.database.query<{ id: number }>(
      "select id from resident_accounts where resident_id = $1",
      [r.id],
    );
    if (!acct)
      [acct] = await h.t.ctx.database.query<{ id: number }>(
        "insert into resident_accounts (resident_id, phone_hash, org_path) values ($1, $2, $3) returning id",
        [r.id, r.phoneHash, r.orgPath],
      );
    const token = crypto.randomBytes(32).toString("base64url");
    await h.t.ctx.database.query(
      "insert into resident_sessions (id, resident_account_id, csrf_token, expires_at) values ($1, $2, $3, now() + interval '1 hour')",
      [crypto.createHash("sha256").update(token).digest("base64url"), acct.id, crypto.randomUUID()],
    );
    const res = await h.open({ viewport: PHONE });
    const p = res.page;
    await res.context.addCookies([{ name: "gk_resident", value: token, url: `${h.base}/api/app` }]);
    await p.goto("/app");
    await eventually(() => p.getByText(/您好/).count()).toBe(1);
    await p.getByText("微心愿", { exact: true }).click();
    await p.getByLabel("心愿", { exact: true }).fill("想要一副老花镜");
    await p.getByLabel("具体说说").fill("住 3幢 502室，看报纸看不清字，周末在家");
    await screenshot(p, "resident-app-wish-phone", "网格管家 · 居民端");
    await p.getByRole("button", { name: "许下心愿" }).click();
    const card = p.locator('[data-testid^="app-wish-"]').filter({ hasText: "想要一副老花镜" });
    await eventually(() => card.getByText("待社区审核").count()).toBe(1);
    const id = Number((await card.getAttribute("data-testid"))!.replace("app-wish-", ""));
    const [w] = await h.t.ctx.database.query<{ residentAccountId: number; publicText: string }>(
      `select resident_account_id as "residentAccountId", public_text as "publicText" from volunteer_wishes where id = $1`,
      [id],
    );
    expect(w.residentAccountId).toBe(acct.id);
    expect(w.publicText).not.toContain("502");

    // The community publishes it to the wall; the demo volunteer claims it and fulfils it with a photo.
    const [community, volunteer] = await Promise.all([
      h.t.login("demo-community"),
      h.t.login("demo-volunteer"),
    ]);
    const ok = async (r: Promise<{ statusCode: number; body: string }>) =>
      expect((await r).statusCode, (await r).body).toBe(200);
    await ok(
      h.t.app.inject({
        method: "POST",
        url: `/api/volunteers/wishes/${id}/review`,
        headers: community,
        payload: { decision: "publish" },
      }),
    );
    await ok(
      h.t.app.inject({ method: "POST", url: `/api/volunteers/wishes/${id}/claim`, headers: volunteer }),
    );
    await ok(
      h.t.app.inject({
        method: "POST",
        url: `/api/volunteers/wishes/${id}/fulfil?note=${encodeURIComponent("老花镜已送到家，试戴合适")}`,
        headers: { ...volunteer, "content-type": "image/png" },
        payload: PNG,
      }),
    );
    await p.reload();
    await p.getByText("我的", { exact: true }).click();
    const done = p.locator(`[data-testid="app-wish-${id}"]`);
    await eventually(() => done.getByText("已圆梦，待社区确认").count()).toBe(1);
    await eventually(() => done.getByText("老花镜已送到家").count()).toBe(1);
    await eventually(() => done.locator("img").count()).toBe(1);
    await eventually(() =>
      done.locator("img").evaluate((img) => (img as HTMLImageElement).naturalWidth),
    ).toBeGreaterThan(0);
    await done.scrollIntoViewIfNeeded();
    await screenshot(p, "resident-app-wish-fulfilled-phone", "网格管家 · 居民端");
    expect(res.errors).toEqual([]);
  }, 120_000);
});
