import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { installHolidays } from "../../../domain/sla/holidays.ts";
import { formatShanghai, shanghaiTime } from "../../../domain/sla/time.ts";
import { createOrder } from "../workOrders/index.ts";

// Next year's holidays: the package ends with 2026, the State Council publishes 2027 in November. The
// district imports or types the arrangement, and from then on the 12345 clock honours it.

const SPRING_2027 = `开始日期,结束日期,名称,类型
2027-02-06,2027-02-12,春节,休
2027-02-14,,春节,班
2027-02-20,,春节,班`;

describe.each(DB_KINDS)("holiday arrangements on %s", (kind) => {
  let t: TestApp;
  let district: Headers;
  let street: Headers;
  let grid: Headers;
  beforeAll(async () => {
    t = await createTestApp(kind);
    [district, street, grid] = await Promise.all([
      t.login("demo-commander"),
      t.login("demo-street"),
      t.login("demo-grid"),
    ]);
  });
  afterAll(async () => {
    await t?.close();
    installHolidays([]);
  });

  const importFile = (headers: Headers, body: string, type = "text/csv") =>
    t.app.inject({
      method: "POST",
      url: "/api/holidays/import",
      headers: { ...headers, "content-type": type },
      payload: body,
    });
  const year = async (y: number, h: Headers = grid) =>
    (await t.app.inject({ url: `/api/holidays?year=${y}`, headers: h })).json();

  it("a bad file imports nothing and names every bad line", async () => {
    const r = await importFile(
      district,
      `${SPRING_2027}\n2027-02-30,,春节,休\n2027-10-01,2027-10-07,国庆节,放`,
    );
    expect(r.statusCode).toBe(422);
    const fields = r.json().error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(["第 5 行", "第 6 行"]);
    expect((await year(2027)).days.filter((d: { source: string }) => d.source === "entered")).toEqual([]);
  });

  it("only the district keeps the arrangement; a street and a grid read it", async () => {
    const denied = await importFile(street, SPRING_2027);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain("区级");
    const put = await t.app.inject({
      method: "PUT",
      url: "/api/holidays/2027-01-01",
      headers: grid,
      payload: { kind: "holiday", name: "元旦" },
    });
    expect(put.statusCode).toBe(403);
    expect((await year(2026, street)).canManage).toBe(false);
    expect((await year(2026, district)).canManage).toBe(true);
  });

  it("imports 2027, and the 12345 clock skips 春节 and counts its working Sundays", async () => {
    const r = await importFile(district, SPRING_2027);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ days: 9, holidays: 7, workdays: 2, years: [2027] });
    const y = await year(2027);
    expect(y.covered).toBe(true);
    expect(y.days.find((d: { day: string }) => d.day === "2027-02-14")).toEqual({
      day: "2027-02-14",
      kind: "workday",
      name: "春节",
      source: "entered",
    });
    // An order dispatched on Friday 5 February 2027 at 10:00: five working days end on Thursday the 18th.
    const [me] = await t.ctx.database.query<{ id: number; org_unit_id: number }>(
      "select id, org_unit_id from accounts where username = 'demo-agent'",
    );
    const [g1] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010-G01'",
    );
    const { row } = await createOrder(
      t.ctx,
      {
        kind: "account",
        id: me.id,
        username: "demo-agent",
        displayName: "坐席",
        role: "agent",
        orgUnitId: me.org_unit_id,
        orgPath: "/320613/",
        orgName: "崇川区",
        orgKind: "district",
      },
      {
        channel: "hotline_12345",
        categoryCode: "municipal",
        description: "春节前路灯不亮",
        orgUnitId: g1.id,
      },
      shanghaiTime(2027, 2, 5, 10),
    );
    const detail = (await t.app.inject({ url: `/api/orders/${row.id}`, headers: district })).json().order;
    const resolve = detail.clocks.find((c: { clock: string }) => c.clock === "resolve");
    expect(formatShanghai(new Date(resolve.deadline))).toBe("2027-02-18 10:00");
  });

  it("an .ics imports too; a day can be typed, and removing it restores the package's", async () => {
    const ics = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//test//CN",
      "BEGIN:VEVENT",
      "UID:1",
      "DTSTART;VALUE=DATE:20271001",
      "DTEND;VALUE=DATE:20271008",
      "SUMMARY:国庆节(休)",
      "END:VEVENT",
      "END:VCALENDAR",
    ].join("\r\n");
    const r = await importFile(district, ics, "text/calendar");
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().holidays).toBe(7);
    const put = await t.app.inject({
      method: "PUT",
      url: "/api/holidays/2026-12-31",
      headers: district,
      payload: { kind: "holiday", name: "测试休" },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect((await year(2026)).days.find((d: { day: string }) => d.day === "2026-12-31")?.source).toBe(
      "entered",
    );
    const del = await t.app.inject({ method: "DELETE", url: "/api/holidays/2026-12-31", headers: district });
    expect(del.statusCode).toBe(204);
    expect((await year(2026)).days.find((d: { day: string }) => d.day === "2026-12-31")).toBeUndefined();
    const again = await t.app.inject({
      method: "DELETE",
      url: "/api/holidays/2026-12-31",
      headers: district,
    });
    expect(again.statusCode).toBe(404);
    // Audited, by whom.
    const [a] = await t.ctx.database.query<{ username: string; action: string }>(
      "select username, action from audit_events where entity = 'holiday' order by id desc limit 1",
    );
    expect(a).toEqual({ username: "demo-commander", action: "remove" });
  });

  it("says whether the coming year is covered", async () => {
    const c = (await t.app.inject({ url: "/api/holidays/coverage", headers: grid })).json();
    expect(c.year).toBe(Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4)) + 1);
    expect(typeof c.covered).toBe("boolean");
  });
});
