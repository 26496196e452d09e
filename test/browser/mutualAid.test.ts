import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_RESIDENT_PHONE } from "../../src/seed/demo.ts";
import { runEventReminders } from "../../src/server/modules/mutualAid/index.ts";
import { DB_KINDS } from "../helpers/app.ts";
import { eventually, type Harness, loginOk, PHONE, screenshot as shoot, startHarness } from "./harness.ts";

// 共享药箱 and 活动 on the staff's screens: an 80-year-old's fever medicine is asked for by the hotline,
// claimed and delivered by a volunteer on the phone and confirmed, inside its one-hour clock; an event fills
// up on a grid worker's phone and its waitlist moves when someone cancels.

let h: Harness;
/** The PostgreSQL run's screenshots keep their own names, so both can be looked at. */
let suffix = "";
const screenshot = (page: Parameters<typeof shoot>[0], name: string, heading: string | RegExp) =>
  shoot(page, `${name}${suffix}`, heading);

async function pickResident(p: Page, label: string, name: string) {
  await p.getByLabel(label).fill(name);
  await p.locator(".ant-select-item-option").filter({ hasText: name }).first().click();
}

describe.each(DB_KINDS)("mutual aid on %s", (kind) => {
  beforeAll(async () => {
    h = await startHarness(kind);
    suffix = kind === "pglite" ? "" : "-pg";
  });
  afterAll(() => h?.close());

  it("an 80-year-old's fever medicine: asked for, claimed, delivered and confirmed inside the hour", async () => {
    const [elder] = await h.t.ctx.database.query<{ name: string }>(
      "select name from residents where phone_hash = $1",
      [h.t.ctx.crypto.hash(DEMO_RESIDENT_PHONE)],
    );
    const agent = await h.open();
    const a = agent.page;
    await loginOk(a, "demo-agent");
    await a.goto("/mutual-aid/medicine");
    await a.getByRole("heading", { name: "共享药箱" }).waitFor();
    await a.getByRole("button", { name: "代居民申请药品" }).click();
    await pickResident(a, "居民（姓名或手机尾号）", elder.name);
    await a.getByLabel("药品名称").fill("布洛芬缓释胶囊");
    await a.getByLabel("情况说明").fill("高龄独居，发热 38.6℃，行动不便");
    await a.getByRole("button", { name: "提交申请" }).click();
    await eventually(() =>
      a.locator('[data-testid^="ma-request-"]').filter({ hasText: elder.name }).count(),
    ).toBe(1);
    const card = a.locator('[data-testid^="ma-request-"]').filter({ hasText: elder.name }).first();
    await eventually(() => card.textContent()).toContain("已匹配药箱");
    await screenshot(a, "mutual-aid-request-desktop", "共享药箱");
    const testId = (await card.getAttribute("data-testid"))!;

    // The volunteer claims and delivers on the phone.
    const vol = await h.open({ viewport: PHONE });
    const v = vol.page;
    await loginOk(v, "demo-volunteer");
    await v.goto("/mutual-aid/medicine");
    await v.getByRole("heading", { name: "共享药箱" }).waitFor();
    const vc = v.getByTestId(testId);
    await vc.getByRole("button", { name: "认领配送" }).click();
    await eventually(() => vc.textContent()).toContain("已认领配送");
    await screenshot(v, "mutual-aid-claimed-phone", "共享药箱");
    await vc.getByRole("button", { name: "已送达" }).click();
    await eventually(() => vc.textContent()).toContain("按时送达");

    // The hotline confirms the resident got it.
    await a.reload();
    const ac = a.getByTestId(testId);
    await ac.getByRole("button", { name: "居民已收到" }).click();
    await eventually(() => ac.textContent()).toContain("已确认");
    await screenshot(a, "mutual-aid-confirmed-desktop", "共享药箱");
    const id = Number(testId.replace("ma-request-", ""));
    const [r] = await h.t.ctx.database.query<{ state: string; onTime: boolean }>(
      `select state, delivered_at <= due_at as "onTime" from medicine_requests where id = $1`,
      [id],
    );
    expect(r).toEqual({ state: "confirmed", onTime: true });

    // The box's stock and expiry on the phone.
    await v.getByText("药箱库存").click();
    await eventually(() => v.getByText("临期预警（30 天内）").count()).toBe(1);
    await screenshot(v, "mutual-aid-boxes-phone", "共享药箱");
    expect(agent.errors).toEqual([]);
    expect(vol.errors).toEqual([]);
  }, 90_000);

  it("an event fills up on the grid worker's phone and the waitlist moves when someone cancels", async () => {
    const [{ id: communityId }] = await h.t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010'",
    );
    const community = await h.t.login("demo-community");
    const e = await h.t.app.inject({
      method: "POST",
      url: "/api/mutual-aid/events",
      headers: community,
      payload: {
        kind: "clinic",
        title: "阳光健康义诊",
        place: "苏阳社区党群服务中心",
        orgUnitId: communityId,
        startsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 2 * 86_400_000 + 3 * 3600_000).toISOString(),
        capacity: 2,
        audienceTags: [],
      },
    });
    expect(e.statusCode, e.body).toBe(201);
    const people = await h.t.ctx.database.query<{ id: number; name: string }>(
      `select r.id, r.name from residents r join org_units g on g.code = '320613019010-G01'
       where r.org_path like g.path || '%' and r.name not in (select name from residents group by name having count(*) > 1)
       order by r.id limit 3`,
    );
    const grid = await h.open({ viewport: PHONE });
    const p = grid.page;
    await loginOk(p, "demo-grid");
    await p.goto("/mutual-aid/events");
    await p.getByRole("heading", { name: "活动报名" }).waitFor();
    await p.getByText("阳光健康义诊").click();
    await p.getByRole("heading", { name: "阳光健康义诊" }).waitFor();
    for (const person of people) {
      await pickResident(p, "居民（姓名或手机尾号）", person.name);
      await p.getByRole("button", { name: "报名", exact: true }).click();
      await eventually(() => p.getByTestId(`ma-signup-${person.id}`).count()).toBe(1);
    }
    const row = (i: number) => p.getByTestId(`ma-signup-${people[i].id}`);
    await eventually(() => row(0).textContent()).toContain("已报名");
    await eventually(() => row(1).textContent()).toContain("已报名");
    await eventually(() => row(2).textContent()).toContain("候补中");
    await screenshot(p, "mutual-aid-event-full-phone", "阳光健康义诊");
    await row(0).getByRole("button", { name: "取消报名" }).click();
    await eventually(() => row(0).count()).toBe(0);
    await eventually(() => row(2).textContent()).toContain("已报名");
    await screenshot(p, "mutual-aid-event-moved-phone", "阳光健康义诊");
    expect(grid.errors).toEqual([]);

    // The community texts the sign-ups (the log transport in tests): one message per phone, summed up.
    const admin = await h.open();
    const c = admin.page;
    await loginOk(c, "demo-community");
    await c.goto("/mutual-aid/events");
    await c.getByText("阳光健康义诊").click();
    await c.getByRole("heading", { name: "阳光健康义诊" }).waitFor();
    await c.getByRole("button", { name: "短信通知报名居民" }).click();
    await c
      .getByRole("dialog")
      .getByRole("button", { name: /确\s*定|OK/ })
      .click();
    await eventually(() => c.getByText(/已排队 \d+ 条/).count()).toBe(1);
    await c.getByRole("button", { name: "返回" }).click();
    await eventually(() => c.locator('[data-testid^="ma-notice-"]').first().textContent()).toMatch(/待发 0/);
    await screenshot(c, "mutual-aid-notices-desktop", "活动报名");
    expect(admin.errors).toEqual([]);
  }, 90_000);

  it("shows the service points on a map on the staff page, and an event's automatic reminders on the phone", async () => {
    const [{ id: communityId }] = await h.t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010'",
    );
    const community = await h.t.login("demo-community");
    const grid = await h.t.login("demo-grid");
    const startsAt = new Date(Date.now() + 20 * 3_600_000);
    const e = await h.t.app.inject({
      method: "POST",
      url: "/api/mutual-aid/events",
      headers: community,
      payload: {
        kind: "talk",
        title: "防诈骗讲座",
        place: "苏阳社区党群服务中心",
        orgUnitId: communityId,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 2 * 3_600_000).toISOString(),
        capacity: 10,
        audienceTags: [],
      },
    });
    expect(e.statusCode, e.body).toBe(201);
    const people = await h.t.ctx.database.query<{ id: number }>(
      `select r.id from residents r join org_units g on g.code = '320613019010-G01'
       where r.org_path like g.path || '%' and r.phone_hash is not null order by r.id desc limit 3`,
    );
    for (const person of people) {
      const r = await h.t.app.inject({
        method: "POST",
        url: `/api/mutual-aid/events/${e.json().id}/signups`,
        headers: grid,
        payload: { residentId: person.id },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    // The sweep the server runs every minute: 20 hours ahead, the day-before reminder is due.
    await runEventReminders(h.t.ctx);
    const phone = await h.open({ viewport: PHONE });
    const p = phone.page;
    await loginOk(p, "demo-community");
    await p.goto("/mutual-aid/events");
    await p.getByText("防诈骗讲座").click();
    await p.getByRole("heading", { name: "防诈骗讲座" }).waitFor();
    await eventually(() => p.getByTestId("ma-event-reminders").textContent()).toMatch(
      /提前一天提醒：已发 3 条，退订跳过 0 条/,
    );
    await p.getByTestId("ma-event-reminders").scrollIntoViewIfNeeded();
    await screenshot(p, "mutual-aid-event-reminders-phone", "防诈骗讲座");
    expect(phone.errors).toEqual([]);

    const desk = await h.open();
    const d = desk.page;
    await loginOk(d, "demo-community");
    await d.goto("/mutual-aid/medicine");
    await d.getByRole("heading", { name: "共享药箱" }).waitFor();
    await d.getByText("服务阵地", { exact: true }).click();
    await d.getByRole("heading", { name: "服务阵地分布图" }).waitFor();
    await eventually(() => d.locator('[data-testid="points-map"] canvas').count()).toBeGreaterThan(0);
    await eventually(() => d.getByText("苏阳社区流动党员读书角").count()).toBeGreaterThan(0);
    await screenshot(d, "mutual-aid-points-map-desktop", "服务阵地分布图");
    expect(desk.errors).toEqual([]);
  }, 90_000);
});
