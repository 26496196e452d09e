import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";

// A grid worker's own report from patrol: filed from the phone without a resident or a building, it lands in
// the grid they work, carries the phone's check-in (the point as columns, its accuracy on the receive event)
// and takes photos from its reporter. Nobody else gets a place for free: a community admin still names one.

type H = Awaited<ReturnType<TestApp["login"]>>;

describe.each(DB_KINDS)("a grid worker's own report on %s", (kind) => {
  let t: TestApp;
  let grid: H;
  let community: H;
  let gridUnit: { id: number; path: string };

  const post = (headers: H, payload: unknown) =>
    t.app.inject({ method: "POST", url: "/api/orders", headers, payload: payload as object });
  const report = {
    channel: "grid_patrol",
    categoryCode: "sanitation",
    description: "3号楼东侧绿化带有建筑垃圾堆放",
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    [grid, community] = await Promise.all([t.login("demo-grid"), t.login("demo-community")]);
    [gridUnit] = await t.ctx.database.query<{ id: number; path: string }>(
      "select id, path from org_units where code = '320613019010-G01'",
    );
  });
  afterAll(() => t?.close());

  it("lands in the reporter's own grid, dispatched, with the check-in kept", async () => {
    const r = await post(grid, { ...report, checkIn: { lat: 32.0305, long: 120.8791, accuracy: 12 } });
    expect(r.statusCode, r.body).toBe(201);
    const o = r.json();
    expect(o).toMatchObject({
      channel: "grid_patrol",
      channelLabel: "网格巡查",
      orgUnitId: gridUnit.id,
      orgName: "苏阳社区·第1网格",
      routedLevel: "grid",
      state: "dispatched",
      checkIn: { lat: 32.0305, long: 120.8791 },
    });
    // The accept clock runs from dispatch, as for any order reaching the grid.
    expect(o.nextDueAt).not.toBeNull();
    const [row] = await t.ctx.database.query<{ org_path: string; lat: number; long: number }>(
      "select org_path, lat, long from work_orders where id = $1",
      [o.id],
    );
    expect(row).toEqual({ org_path: gridUnit.path, lat: 32.0305, long: 120.8791 });
    const detail = (await t.app.inject({ url: `/api/orders/${o.id}`, headers: grid })).json();
    expect(detail.events[0]).toMatchObject({
      action: "receive",
      note: "网格巡查受理",
      detail: { checkIn: { lat: 32.0305, long: 120.8791, accuracy: 12 } },
    });
    // It is in the reporter's queue, and the reporter adds the photos.
    const queue = (await t.app.inject({ url: "/api/orders/queue", headers: grid })).json();
    expect(queue.items.map((i: { id: number }) => i.id)).toContain(o.id);
    const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: "#a73" } })
      .png()
      .toBuffer();
    const up = await t.app.inject({
      method: "POST",
      url: `/api/orders/${o.id}/attachments?filename=现场.png`,
      headers: { ...grid, "content-type": "image/png" },
      payload: png,
    });
    expect(up.statusCode, up.body).toBe(201);
    const photos = (await t.app.inject({ url: `/api/orders/${o.id}/attachments`, headers: grid })).json();
    expect(photos.items).toHaveLength(1);
  });

  it("needs no check-in, and a report about a resident still goes where the resident lives", async () => {
    const plain = await post(grid, report);
    expect(plain.statusCode, plain.body).toBe(201);
    expect(plain.json()).toMatchObject({ orgUnitId: gridUnit.id, checkIn: null });
    const [resident] = await t.ctx.database.query<{ id: number; grid: number }>(
      `select r.id, g.id as grid from residents r join buildings b on b.id = r.building_id
         join org_units m on m.id = b.org_unit_id join org_units g on g.id = m.parent_id
        where r.org_path like $1 || '%' order by r.id limit 1`,
      [gridUnit.path],
    );
    const about = await post(grid, { ...report, residentId: resident.id });
    expect(about.statusCode, about.body).toBe(201);
    expect(about.json().orgUnitId).toBe(resident.grid);
  });

  it("refuses a check-in off the globe or with extra fields, and writes nothing", async () => {
    const count = async () =>
      (await t.ctx.database.query<{ n: number }>("select count(*)::int as n from work_orders"))[0].n;
    const before = await count();
    for (const checkIn of [
      { lat: 91, long: 120 },
      { lat: 32, long: 181 },
      { lat: 32, long: 120, accuracy: -1 },
      { lat: 32, long: 120, source: "gps" },
      { long: 120 },
    ]) {
      const r = await post(grid, { ...report, checkIn });
      expect(r.statusCode, JSON.stringify(checkIn)).toBe(400);
    }
    expect(await count()).toBe(before);
  });

  it("gives a place only to grid accounts: a community admin without one is asked for it", async () => {
    const r = await post(community, { ...report, channel: "walk_in" });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details.fields[0].field).toBe("location");
  });
});
