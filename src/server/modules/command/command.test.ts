import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestApp,
  DB_KINDS,
  type Headers,
  orderActions,
  type TestApp,
} from "../../../../test/helpers/app.ts";
import { reportDateDue, runDailyReports } from "./schedule.ts";

// The command center counts what the database holds: every figure here is checked against a query of its
// own over the same rows, after orders are added that must move it.

describe.each(DB_KINDS)("command center on %s", (kind) => {
  let t: TestApp;
  let agent: Headers;
  let grid: Headers;
  let community: Headers;
  let commander: Headers;
  let street: Headers;
  let volunteer: Headers;
  let ids: Record<string, number>;
  let building: { id: number; orgUnitId: number };
  const { post, act } = orderActions(
    () => t,
    () => community,
  );
  const get = (url: string, h: Headers) => t.app.inject({ url, headers: h });
  const count = async (where: string, params: unknown[] = []) =>
    (
      await t.ctx.database.query<{ n: number }>(
        `select count(*)::int as n from work_orders where ${where}`,
        params,
      )
    )[0].n;

  beforeAll(async () => {
    t = await createTestApp(kind);
    [agent, grid, community, commander, street, volunteer] = await Promise.all(
      ["demo-agent", "demo-grid", "demo-community", "demo-commander", "demo-street", "demo-volunteer"].map(
        (u) => t.login(u),
      ),
    );
    const units = await t.ctx.database.query<{ id: number; code: string }>(
      `select id, code from org_units where code in ('320613', '320613019', '320613019010', '320613019010-G01', '320613019011')`,
    );
    ids = Object.fromEntries(units.map((u) => [u.code, u.id]));
    [building] = await t.ctx.database.query<{ id: number; orgUnitId: number }>(
      `select id, org_unit_id as "orgUnitId" from buildings where org_path like '/320613/320613019/320613019010/320613019010-G01/%' order by id limit 1`,
    );
    // Three complaints of one kind from one building: a hot spot. One of them is worked and closed today.
    const made: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await post("/api/orders", agent, {
        channel: "hotline_12345",
        categoryCode: "sanitation",
        description: `楼道垃圾又堆了 ${i + 1}`,
        buildingId: building.id,
        orgUnitId: building.orgUnitId,
      });
      expect(r.statusCode, r.body).toBe(201);
      made.push(r.json().id);
    }
    for (const x of ["accept", "arrive", "resolve"]) await act(made[0], x, grid);
    await act(made[0], "verify", community);
    await act(made[0], "close", community, { callback: { solved: true, satisfaction: "satisfied" } });
  });
  afterAll(() => t?.close());

  it("shows the district the situation now, counted as the orders stand", async () => {
    const r = await get(`/api/command/dashboard?org=${ids["320613"]}`, commander);
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json();
    expect(d.unit).toMatchObject({ id: ids["320613"], kind: "district" });
    const active = `state not in ('closed', 'merged', 'cancelled')`;
    expect(d.situation.open).toBe(await count(active));
    expect(d.situation.escalated).toBe(await count(`state = 'escalated'`));
    expect(d.situation.overdue).toBe(
      await count(
        `overdue_at is not null and state in ('dispatched','accepted','on_site','planned','replied','escalated','reopened','returned')`,
      ),
    );
    expect(d.situation.receivedToday).toBeGreaterThanOrEqual(3);
    expect(d.situation.closedToday).toBeGreaterThanOrEqual(1);
    // The period: every day once, and the days add up to the period's intake.
    expect(d.days).toHaveLength(30);
    expect(d.days.reduce((s: number, x: { received: number }) => s + x.received, 0)).toBe(d.period.received);
    expect(d.period.received).toBe(
      await count(`created_at >= $1 and created_at < $2 and state <> 'merged'`, [d.period.from, d.period.to]),
    );
    expect(d.byCategory.reduce((s: number, x: { n: number }) => s + x.n, 0)).toBe(d.period.received);
    expect(d.byChannel.find((c: { code: string }) => c.code === "hotline_12345")).toMatchObject({
      name: "12345热线",
    });
    // The previous period is as long and ends where this one starts.
    expect(new Date(d.previous.to).getTime()).toBe(new Date(d.period.from).getTime());
    // Streets below, each a drill-down with its own counts that add up to the district's.
    expect(d.children.length).toBeGreaterThan(10);
    const sum = d.children.reduce((s: number, c: { open: number }) => s + c.open, 0);
    expect(sum).toBe(d.situation.open);
    expect(d.breadcrumb.map((c: { kind: string }) => c.kind)).toEqual(["district"]);
    // Labels of the five rates, and the care line for a role that reads the care ledger.
    expect(d.labels.satisfaction_rate).toBe("满意率");
    expect(d.care.keyResidents).toBeGreaterThan(0);
    // Each tile opens the list behind it: the board's "due within the hour" holds as many as the tile says.
    await t.ctx.database.query(
      "update work_orders set next_due_at = now() + interval '20 minutes' where id = (select id from work_orders where state = 'dispatched' and overdue_at is null order by id limit 1)",
    );
    const tile = (await get(`/api/command/dashboard?org=${ids["320613"]}`, commander)).json().situation
      .dueSoon;
    expect(tile).toBeGreaterThan(0);
    expect((await get("/api/orders?dueSoon=true&page=1&pageSize=200", commander)).json().total).toBe(tile);
    // The volunteers' line counts the roll as it stands.
    const [roll] = await t.ctx.database.query<{ members: number; wishes: number }>(
      `select (select count(*)::int from volunteer_members where state = 'confirmed') as members,
              (select count(*)::int from volunteer_wishes where state = 'published') as wishes`,
    );
    expect(d.volunteers).toMatchObject({ members: roll.members, openWishes: roll.wishes });
    expect(roll.members).toBeGreaterThan(0);
    // The campaigns' line sums the running campaigns' tallies.
    const [knock] = await t.ctx.database.query<{ target: number; visited: number }>(
      `select coalesce(sum(target), 0)::int as target, coalesce(sum(visited), 0)::int as visited
       from campaign_tallies where campaign_id in (select id from campaigns where state = 'running')`,
    );
    expect(d.campaigns).toMatchObject({ target: knock.target, visited: knock.visited });
    expect(d.campaigns.campaigns).toBeGreaterThan(0);
    // Medicine requests not yet delivered, and those past their hour.
    const [med] = await t.ctx.database.query<{ open: number }>(
      "select count(*)::int as open from medicine_requests where delivered_at is null and state <> 'cancelled'",
    );
    expect(d.medicine.open).toBe(med.open);
  });

  it("finds the hot spot: three of one kind from one building, named with its community and grid", async () => {
    const r = await get(`/api/command/dashboard?org=${ids["320613019010"]}`, community);
    expect(r.statusCode, r.body).toBe(200);
    const spot = r.json().hotSpots.find((h: { buildingId: number }) => h.buildingId === building.id);
    expect(spot).toMatchObject({ kind: "building", categoryCode: "sanitation" });
    expect(spot.count).toBeGreaterThanOrEqual(3);
    expect(spot.place).toMatch(/^苏阳社区·第1网格·/);
    const list = await get(`/api/command/hotspots?org=${ids["320613019010"]}&days=1&min=3`, community);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.some((h: { buildingId: number }) => h.buildingId === building.id)).toBe(true);
    // Nothing identifying leaves: no description, no caller.
    expect(r.body).not.toContain("楼道垃圾又堆了");
  });

  it("answers 404 for a unit outside the caller's subtree and 403 for roles without the command center", async () => {
    expect((await get(`/api/command/dashboard?org=${ids["320613019011"]}`, community)).statusCode).toBe(404);
    expect((await get(`/api/command/dashboard?org=${ids["320613"]}`, street)).statusCode).toBe(404);
    expect((await get(`/api/command/dashboard?org=${ids["320613019"]}`, street)).statusCode).toBe(200);
    expect((await get("/api/command/dashboard", grid)).statusCode).toBe(403);
    expect((await get("/api/command/dashboard", volunteer)).statusCode).toBe(403);
    expect((await get("/api/command/hotspots", agent)).statusCode).toBe(403);
    const bad = await get("/api/command/dashboard?from=2026-11-10&to=2026-11-01", commander);
    expect(bad.statusCode).toBe(400);
  });

  it("compares a chosen period with the one before it", async () => {
    const r = await get(
      `/api/command/dashboard?org=${ids["320613019"]}&from=2026-11-01&to=2026-11-07`,
      street,
    );
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json();
    expect(d.days.map((x: { day: string }) => x.day)).toEqual([
      "2026-11-01",
      "2026-11-02",
      "2026-11-03",
      "2026-11-04",
      "2026-11-05",
      "2026-11-06",
      "2026-11-07",
    ]);
    expect(new Date(d.previous.from).toISOString()).toBe(new Date("2026-10-25T00:00:00+08:00").toISOString());
    expect(d.previous.received).toBe(
      await count(
        `org_path like '/320613/320613019/%' and created_at >= $1 and created_at < $2 and state <> 'merged'`,
        [d.previous.from, d.previous.to],
      ),
    );
  });

  it("pushes a change to an open dashboard within seconds, and only for orders inside its unit", async () => {
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const addr = t.app.server.address();
    const base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    const ac = new AbortController();
    const res = await fetch(`${base}/api/command/live`, {
      headers: { ...community, accept: "text/event-stream" },
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    let text = "";
    // One read in flight at a time: a read given up on by a timeout still delivers its chunk later.
    let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
    const until = async (word: string, ms: number) => {
      const end = Date.now() + ms;
      while (!text.includes(word) && Date.now() < end) {
        pending ??= reader.read();
        const chunk = await Promise.race([
          pending,
          new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, end - Date.now()))),
        ]);
        if (chunk) {
          pending = null;
          if (!chunk.done) text += new TextDecoder().decode(chunk.value);
        }
      }
      return text.includes(word);
    };
    expect(await until("event: ready", 5000)).toBe(true);
    const orderIn = (org: number) =>
      post("/api/orders", agent, {
        channel: "hotline_12345",
        categoryCode: "sanitation",
        description: "路灯",
        orgUnitId: org,
      });
    // Another community's order: nothing for 苏阳社区's dashboard.
    const [{ id: away }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019011-G01'",
    );
    expect((await orderIn(away)).statusCode).toBe(201);
    expect(await until("event: changed", 2500)).toBe(false);
    const started = Date.now();
    expect((await orderIn(building.orgUnitId)).statusCode).toBe(201);
    expect(await until("event: changed", 5000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    ac.abort();
    // Without an event stream, the route says how many changes this process has seen.
    const plain = await get("/api/command/live", community);
    expect(plain.statusCode).toBe(200);
    expect(plain.json().changes).toBeGreaterThan(0);
  });

  it("writes the daily report as xlsx and as a PDF whose Chinese is real text", async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const xlsx = await t.app.inject({
      url: `/api/command/daily-report?org=${ids["320613019010"]}&date=${today}&format=xlsx`,
      headers: community,
    });
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    expect(xlsx.headers["content-type"]).toContain("spreadsheetml");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as never);
    const summary = wb.getWorksheet("概况")!;
    const cell = (k: string) =>
      summary.getSheetValues().find((r) => Array.isArray(r) && r[1] === k)?.[2 as never] as
        | string
        | undefined;
    const made = await count(
      `org_path like '/320613/320613019/320613019010/%' and (created_at at time zone 'Asia/Shanghai')::date = $1::date and state <> 'merged'`,
      [today],
    );
    expect(cell("受理")).toBe(`${made} 件`);
    expect(cell("单位")).toBe("苏阳社区");
    expect(wb.getWorksheet("高频诉求")!.rowCount).toBeGreaterThan(1);
    const before = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from audit_events where entity = 'daily_report'",
    );
    const pdf = await t.app.inject({ url: `/api/command/daily-report?date=${today}`, headers: community });
    expect(pdf.statusCode, pdf.body.slice(0, 200)).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const file = path.join(os.tmpdir(), `daily-${process.pid}-${kind}.pdf`);
    fs.writeFileSync(file, pdf.rawPayload);
    const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" });
    fs.rmSync(file);
    expect(text).toContain(`苏阳社区 信息日报`);
    expect(text).toContain("高频诉求");
    expect(text).not.toContain("楼道垃圾又堆了");
    const after = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from audit_events where entity = 'daily_report'",
    );
    expect(after[0].n).toBe(before[0].n + 1);
    // Another community's report is not found; a grid worker has none.
    expect((await get(`/api/command/daily-report?org=${ids["320613019011"]}`, community)).statusCode).toBe(
      404,
    );
    expect((await get("/api/command/daily-report", grid)).statusCode).toBe(403);
  });

  it("draws the map: the children's areas with residents and overdue visits, and open orders as points in a grid", async () => {
    const r = await get(`/api/command/map?org=${ids["320613019"]}`, street);
    expect(r.statusCode, r.body).toBe(200);
    const m = r.json();
    expect(m.unit).toMatchObject({ id: ids["320613019"], kind: "street" });
    expect(m.self?.type).toMatch(/Polygon/);
    expect(m.areas.length).toBeGreaterThan(1);
    expect(
      m.areas.every(
        (a: { unit: { kind: string }; geometry: unknown }) => a.unit.kind === "community" && a.geometry,
      ),
    ).toBe(true);
    const [people] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from residents where org_path like '/320613/320613019/%'",
    );
    expect(m.areas.reduce((s: number, a: { residents: number }) => s + a.residents, 0)).toBe(people.n);
    expect(m.areas.every((a: { visitsOverdue: number | null }) => typeof a.visitsOverdue === "number")).toBe(
      true,
    );
    expect(m.points).toEqual([]);
    // Down in the grid: the open orders as points, number and state only.
    const g = await get(`/api/command/map?org=${ids["320613019010-G01"]}`, community);
    expect(g.statusCode, g.body).toBe(200);
    const points = g.json().points as Record<string, unknown>[];
    const [open] = await t.ctx.database.query<{ n: number }>(
      `select count(*)::int as n from work_orders o left join buildings b on b.id = o.building_id
       where o.org_path like '/320613/320613019/320613019010/320613019010-G01/%'
         and o.state not in ('closed', 'merged', 'cancelled') and coalesce(o.lat, b.lat) is not null`,
    );
    expect(points.length).toBe(Math.min(open.n, 500));
    expect(points.length).toBeGreaterThan(0);
    expect(Object.keys(points[0]).sort()).toEqual(["id", "lat", "long", "number", "overdue", "state"]);
    expect((await get(`/api/command/map?org=${ids["320613019011"]}`, community)).statusCode).toBe(404);
    expect((await get(`/api/command/map`, grid)).statusCode).toBe(403);
  });

  it("turns a hot spot into one governance order (未诉先办), and refuses a second or a spot that is not hot", async () => {
    const body = {
      orgUnitId: building.orgUnitId,
      buildingId: building.id,
      categoryCode: "sanitation",
      days: 30,
    };
    const r = await post("/api/command/hotspots/governance", community, body);
    expect(r.statusCode, r.body).toBe(201);
    const [order] = await t.ctx.database.query<{
      channel: string;
      buildingId: number;
      description: string;
      state: string;
    }>(`select channel, building_id as "buildingId", description, state from work_orders where id = $1`, [
      r.json().id,
    ]);
    expect(order).toMatchObject({ channel: "proactive", buildingId: building.id, state: "dispatched" });
    expect(order.description).toContain("高频诉求（未诉先办）");
    const again = await post("/api/command/hotspots/governance", commander, body);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain(r.json().number);
    const cold = await post("/api/command/hotspots/governance", community, {
      ...body,
      categoryCode: "greening",
    });
    expect(cold.statusCode).toBe(409);
    // Another street's community cannot reach this building's grid.
    const [other] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where kind = 'grid' and path not like '/320613/320613019/%' order by id limit 1",
    );
    expect(
      (await post("/api/command/hotspots/governance", community, { ...body, orgUnitId: other.id }))
        .statusCode,
    ).toBe(404);
  });

  it("is due from 08:00 Shanghai: yesterday's report, the day before's until then", () => {
    expect(reportDateDue(new Date("2026-12-01T00:00:00Z"))).toBe("2026-11-30"); // 08:00
    expect(reportDateDue(new Date("2026-11-30T23:59:00Z"))).toBe("2026-11-29"); // 07:59
    expect(reportDateDue(new Date("2026-11-30T15:59:00Z"))).toBe("2026-11-29"); // 23:59
  });

  it("makes each morning's reports once across processes, archives them and sends them to the recipients", async () => {
    const [streetHead] = await t.ctx.database.query<{ id: number }>(
      "select id from accounts where username = 'demo-street'",
    );
    const body = { org: ids["320613019"], accountIds: [streetHead.id] };
    expect(
      (
        await t.app.inject({
          method: "PUT",
          url: "/api/command/report-recipients",
          headers: street,
          payload: body,
        })
      ).statusCode,
    ).toBe(403);
    const set = await t.app.inject({
      method: "PUT",
      url: "/api/command/report-recipients",
      headers: commander,
      payload: body,
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().items.map((i: { id: number }) => i.id)).toEqual([streetHead.id]);
    const badOne = await t.app.inject({
      method: "PUT",
      url: "/api/command/report-recipients",
      headers: commander,
      payload: { org: ids["320613019"], accountIds: [streetHead.id, 999_999] },
    });
    expect(badOne.statusCode).toBe(400);
    expect(badOne.json().error.details.fields[0].field).toBe("accountIds");
    const seen = await get(`/api/command/report-recipients?org=${ids["320613019"]}`, street);
    expect(seen.json()).toMatchObject({ editable: false, items: [{ id: streetHead.id }] });

    const now = new Date("2026-12-01T00:30:00Z"); // 08:30 in Shanghai
    const [units] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from org_units where kind in ('district', 'street')",
    );
    // Two processes at once: every report made exactly once.
    const runs = await Promise.all([runDailyReports(t.ctx, now), runDailyReports(t.ctx, now)]);
    expect(runs[0].made + runs[1].made).toBe(units.n);
    const rows = await t.ctx.database.query<{ n: number; ready: number }>(
      "select count(*)::int as n, count(*) filter (where state = 'ready' and pdf is not null and xlsx is not null)::int as ready from daily_reports where date = '2026-11-30'",
    );
    expect(rows[0]).toEqual({ n: units.n, ready: units.n });
    expect((await runDailyReports(t.ctx, now)).made).toBe(0);
    const sent = await t.ctx.database.query<{ n: number; title: string }>(
      "select count(*)::int as n, min(title) as title from notifications where kind = 'daily_report' and recipient_account_id = $1",
      [streetHead.id],
    );
    expect(sent[0].n).toBe(1);
    expect(sent[0].title).toContain("2026-11-30");
    // A maker that died mid-way: its claim is taken over after the lease; a live claim is left alone.
    await t.ctx.database.query(
      `update daily_reports set state = 'generating', pdf = null, xlsx = null, claimed_at = now() - interval '30 minutes'
       where date = '2026-11-30' and org_unit_id = $1`,
      [ids["320613019"]],
    );
    await t.ctx.database.query(
      `update daily_reports set state = 'generating', pdf = null, xlsx = null, claimed_at = now()
       where date = '2026-11-30' and org_unit_id = $1`,
      [ids["320613"]],
    );
    expect((await runDailyReports(t.ctx, now)).made).toBe(1);

    // The archive as the street reads it: its own report, downloadable and audited; not another street's.
    const list = await get(`/api/command/reports`, street);
    expect(list.statusCode, list.body).toBe(200);
    const items = list.json().items as { id: number; unit: { id: number }; date: string; state: string }[];
    expect(items.map((i) => i.unit.id)).toEqual([ids["320613019"]]);
    expect(items[0]).toMatchObject({ date: "2026-11-30", state: "ready" });
    const pdf = await get(`/api/command/reports/${items[0].id}`, street);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const file = path.join(os.tmpdir(), `archived-${process.pid}-${kind}.pdf`);
    fs.writeFileSync(file, pdf.rawPayload);
    const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" });
    fs.rmSync(file);
    expect(text).toContain("信息日报");
    const [audited] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from audit_events where entity = 'daily_report' and entity_id = $1",
      [String(items[0].id)],
    );
    expect(audited.n).toBe(1);
    const [district] = await t.ctx.database.query<{ id: number }>(
      "select id from daily_reports where org_unit_id = $1 and date = '2026-11-30'",
      [ids["320613"]],
    );
    expect((await get(`/api/command/reports/${district.id}`, street)).statusCode).toBe(404);
    expect((await get(`/api/command/reports/${items[0].id}?format=xlsx`, community)).statusCode).toBe(404);
  }, 120_000);
});
