import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, loginOk, PHONE, screenshot, startHarness } from "./harness.ts";

// Phones where they are promised: the card page checks every card of a grid for its numbers before printing
// and names what is missing; the public on-duty page carries the community's hotline; a resident's health
// record shows the grid worker's and the doctor's work phones masked, revealed with a reason.

let h: Harness;
let units: { community: number; g01: number };

beforeAll(async () => {
  h = await startHarness();
  const unit = async (code: string) =>
    (await h.t.ctx.database.query<{ id: number }>("select id from org_units where code = $1", [code]))[0].id;
  units = { community: await unit("320613019010"), g01: await unit("320613019010-G01") };
});
afterAll(() => h?.close());

describe("phones on cards, duty lists and the health record", () => {
  it("checks a grid's cards before printing, and names the missing numbers once they go", async () => {
    const { page, context, errors } = await h.open();
    await loginOk(page, "demo-community");
    await page.goto("/care/cards");
    await page.getByLabel("选择网格").click();
    await page.locator(".ant-select-item-option", { hasText: /^第1网格/ }).click();
    const check = page.getByTestId("cards-check");
    await eventually(() => check.textContent()).toMatch(/张联系卡的网格员、家庭医生和社区值班电话齐全/);
    await screenshot(page, "cards-check-complete", "联系卡打印");

    // The grid's workers lose their work phones and the community its hotline.
    const headers = await h.t.login("demo-community");
    const workers = await h.t.ctx.database.query<{ id: number }>(
      `select distinct p.assigned_worker_id as id from care_plans p join residents r on r.id = p.resident_id
        where r.org_path like (select path from org_units where id = $1) || '%' and p.assigned_worker_id is not null`,
      [units.g01],
    );
    for (const w of workers) {
      const r = await h.t.app.inject({
        method: "PUT",
        url: `/api/accounts/${w.id}/work-phone`,
        headers,
        payload: { workPhone: "" },
      });
      expect(r.statusCode, r.body).toBe(200);
    }
    await h.t.app.inject({
      method: "PUT",
      url: `/api/orgs/${units.community}/duty-phone`,
      headers,
      payload: { dutyPhone: "" },
    });
    await page.reload();
    await page.getByLabel("选择网格").click();
    await page.locator(".ant-select-item-option", { hasText: /^第1网格/ }).click();
    await eventually(() => check.textContent()).toMatch(/张联系卡缺少电话或人员/);
    expect(await check.locator('[data-gap="workerPhone"]').textContent()).toMatch(
      /责任网格员无工作电话 \d+ 张/,
    );
    expect(await check.locator('[data-gap="hotline"]').textContent()).toContain("苏阳社区 未设社区值班电话");
    await check.getByText(/缺少电话的卡片/).click();
    await eventually(() => check.getByTestId("cards-check-examples").locator("li").count()).toBeGreaterThan(
      0,
    );
    await screenshot(page, "cards-check-gaps", "联系卡打印");
    expect(errors).toEqual([]);
    await context.close();

    const phone = await h.open({ viewport: PHONE });
    await loginOk(phone.page, "demo-community");
    await phone.page.goto("/care/cards");
    await phone.page.getByLabel("选择网格").click();
    await phone.page.locator(".ant-select-item-option", { hasText: /^第1网格/ }).click();
    await eventually(() => phone.page.getByTestId("cards-check").textContent()).toMatch(/缺少电话/);
    await screenshot(phone.page, "cards-check-gaps-phone", "联系卡打印");
    expect(phone.errors).toEqual([]);
    await phone.context.close();

    // Back as they were, for the next test.
    await h.t.app.inject({
      method: "PUT",
      url: `/api/orgs/${units.community}/duty-phone`,
      headers,
      payload: { dutyPhone: "0513-85551234" },
    });
  });

  it("shows the community's hotline on the public on-duty page", async () => {
    const { page, context, errors } = await h.open({ viewport: PHONE });
    await page.goto(`/duty/${units.community}`);
    const hotline = page.getByTestId("duty-hotline");
    await eventually(() => hotline.textContent()).toContain("0513-85551234");
    expect(await hotline.locator("a").getAttribute("href")).toBe("tel:0513-85551234");
    await screenshot(page, "duty-hotline-phone", /爱心专班值班电话/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows the worker's and doctor's work phones masked on the health record, revealed with a reason", async () => {
    // The first test took the grid's work phones away; demo-grid gets one again.
    const [me] = await h.t.ctx.database.query<{ id: number }>(
      "select id from accounts where username = 'demo-grid'",
    );
    const set = await h.t.app.inject({
      method: "PUT",
      url: `/api/accounts/${me.id}/work-phone`,
      headers: await h.t.login("demo-community"),
      payload: { workPhone: "13962817788" },
    });
    expect(set.statusCode, set.body).toBe(200);
    const [r] = await h.t.ctx.database.query<{ id: number }>(
      `select p.resident_id as id from care_plans p join residents r on r.id = p.resident_id
         join accounts a on a.id = p.assigned_worker_id
         join accounts d on d.id = coalesce(p.doctor_id, r.family_doctor_id)
        where a.username = 'demo-grid' and a.work_phone is not null and d.work_phone is not null
        order by p.resident_id limit 1`,
    );
    expect(r).toBeDefined();
    const { page, context, errors } = await h.open({ viewport: PHONE });
    await loginOk(page, "demo-grid");
    await page.goto(`/care/residents/${r.id}`);
    const doctor = page.getByTestId("plan-doctor-phone");
    await eventually(() => doctor.getByTestId("masked-workPhone").textContent()).toMatch(/^1\d\d\*{4}\d{4}$/);
    await eventually(() => page.getByTestId("plan-worker-phone").textContent()).toMatch(/1\d\d\*{4}\d{4}/);
    await screenshot(page, "health-work-phones-phone", /的健康档案$/);
    await doctor.getByRole("button", { name: "查看完整工作电话" }).click();
    await page.getByLabel("查看理由").fill("老人血压偏高，联系家庭医生上门");
    await page.getByRole("button", { name: "确认查看" }).click();
    await eventually(() => doctor.getByTestId("revealed-workPhone").textContent()).toMatch(/^1\d{10}$/);
    const [audit] = await h.t.ctx.database.query<{ reason: string }>(
      "select reason from audit_events where entity = 'account' and action = 'reveal' order by id desc limit 1",
    );
    expect(audit.reason).toBe("老人血压偏高，联系家庭医生上门");
    expect(errors).toEqual([]);
    await context.close();
  });
});
