import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, orderActions, type TestApp } from "../../../../test/helpers/app.ts";

type H = Awaited<ReturnType<TestApp["login"]>>;

describe.each(DB_KINDS)("rates and red/black list on %s", (kind) => {
  let t: TestApp;
  let agent: H;
  let grid: H;
  let community: H;
  let commander: H;
  let g1: number;
  let g2: number;
  const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);

  const { post, act } = orderActions(
    () => t,
    () => community,
  );
  const order = async (org: number) =>
    (
      await post("/api/orders", agent, {
        channel: "hotline_12345",
        categoryCode: "sanitation",
        description: "垃圾堆放",
        orgUnitId: org,
      })
    ).json().id as number;

  beforeAll(async () => {
    t = await createTestApp(kind);
    [agent, grid, community, commander] = await Promise.all(
      ["demo-agent", "demo-grid", "demo-community", "demo-commander"].map((u) => t.login(u)),
    );
    [{ id: g1 }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010-G01'",
    );
    [{ id: g2 }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010-G02'",
    );
    // Grid 1: two orders worked to the end, one satisfied, one reworked once then unsatisfied-but-solved.
    const a = await order(g1);
    for (const x of ["accept", "arrive", "resolve"]) await act(a, x, grid);
    await act(a, "verify", community);
    await act(a, "close", community, { callback: { solved: true, satisfaction: "satisfied" } });
    const b = await order(g1);
    await act(b, "accept", grid);
    await act(b, "arrive", grid);
    await act(b, "resolve", grid);
    await act(b, "rework", community, { reason: "现场未清理干净" });
    await act(b, "arrive", grid);
    await act(b, "resolve", grid);
    await act(b, "verify", community);
    await act(b, "close", community, { callback: { solved: true, satisfaction: "basically_satisfied" } });
    // Grid 2: one order returned, never accepted.
    const c = await order(g2);
    await act(c, "return", community, { reason: "地址有误" });
  });
  afterAll(() => t?.close());

  it("computes the five rates with their counts for a community and its grids", async () => {
    const [{ id: su }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010'",
    );
    const r = await t.app.inject({ url: `/api/rates?org=${su}&month=${month}`, headers: community });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.counts).toMatchObject({
      dispatched: 3,
      resolved: 2,
      callbacks: 2,
      callbacksSolved: 2,
      ratedCallbacks: 2,
      ratedSatisfied: 2,
      verified: 3,
      reworked: 1,
    });
    expect(body.rates.solve_rate.value).toBe(1);
    expect(body.rates.rework_rate).toEqual({ value: 1 / 3, numerator: 1, denominator: 3 });
    expect(body.rates.response_rate.denominator).toBe(3);
    const gridRow = body.children.find((c: any) => c.unit.id === g1);
    expect(gridRow.counts.resolved).toBe(2);
    const grid2Row = body.children.find((c: any) => c.unit.id === g2);
    expect(grid2Row.counts).toMatchObject({ dispatched: 1, resolved: 0 });
    expect(grid2Row.rates.on_time_rate.value).toBeNull();
  });

  it("a grid worker cannot read rates; another street is not found for a community admin", async () => {
    expect((await t.app.inject({ url: `/api/rates?month=${month}`, headers: grid })).statusCode).toBe(403);
    const [{ id: other }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613001'",
    );
    expect(
      (await t.app.inject({ url: `/api/rates?org=${other}&month=${month}`, headers: community })).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ url: `/api/rates?from=2026-02-01&to=2026-01-01`, headers: community }))
        .statusCode,
    ).toBe(400);
  });

  it("ranks communities with configurable weights and shows the figures behind each rank", async () => {
    const r = (
      await t.app.inject({ url: `/api/rates/ranking?month=${month}&top=3&bottom=3`, headers: commander })
    ).json();
    expect(r.ranking.length).toBe(182);
    expect(r.ranking[0]).toMatchObject({ rank: 1, name: "苏阳社区" });
    expect(r.ranking[0].counts.dispatched).toBe(3);
    // Only one community had orders this month: one ranked unit is no league, so neither list is drawn.
    expect(r.ranked).toBe(1);
    expect([r.red, r.black]).toEqual([[], []]);
    expect(r.note).toEqual({ red: "too_few_units", black: "too_few_units" });
    expect(r.rules).toEqual({ minUnits: 6, maxShare: 1 / 3 });
    expect(r.canManageWeights).toBe(true);
    // Only whitelisted fields leave: no org paths, no raw grouping keys.
    expect(Object.keys(r.ranking[0]).sort()).toEqual(
      ["contributions", "counts", "name", "orgId", "rank", "rates", "score", "unitId"].sort(),
    );
    const w = await t.app.inject({
      method: "PUT",
      url: "/api/rates/weights",
      headers: commander,
      payload: { satisfaction_rate: 0.5 },
    });
    expect(w.statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: "/api/rates/weights", headers: commander })).json().satisfaction_rate,
    ).toBe(0.5);
    expect(
      (
        await t.app.inject({
          method: "PUT",
          url: "/api/rates/weights",
          headers: community,
          payload: { satisfaction_rate: 1 },
        })
      ).statusCode,
    ).toBe(403);
  });

  it("weights are the district's: a street commander reads them and gets 403 on a change, nothing changed", async () => {
    const street = await t.login("demo-street");
    const before = (await t.app.inject({ url: "/api/rates/weights", headers: street })).json();
    expect(before.response_rate).toBeTypeOf("number");
    const r = (await t.app.inject({ url: `/api/rates/ranking?month=${month}`, headers: street })).json();
    expect(r.ranking.length).toBe(10); // 秦灶街道's communities only
    expect(r.canManageWeights).toBe(false);
    // The same list over the street's grids, each named with its community; and the district's streets.
    const grids = (
      await t.app.inject({ url: `/api/rates/ranking?month=${month}&level=grid`, headers: street })
    ).json();
    expect(grids.level).toBe("grid");
    const [n] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from org_units where kind = 'grid' and path like '/320613/320613019/%'",
    );
    expect(grids.ranking.length).toBe(n.n);
    expect(grids.ranking.every((u: { name: string }) => /^.+·第\d+网格$/.test(u.name))).toBe(true);
    // Ties never on both lists, and the lists never longer than a third of the ranked grids.
    const redScores = new Set(grids.red.map((u: { score: number }) => u.score));
    expect(grids.black.some((u: { score: number }) => redScores.has(u.score))).toBe(false);
    expect(grids.red.length).toBeLessThanOrEqual(Math.floor(grids.ranked / 3));
    const streets = (
      await t.app.inject({ url: `/api/rates/ranking?month=${month}&level=street`, headers: commander })
    ).json();
    const [s] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from org_units where kind = 'street'",
    );
    expect(streets.ranking.length).toBe(s.n);
    expect(
      (await t.app.inject({ url: `/api/rates/ranking?month=${month}&level=village`, headers: street }))
        .statusCode,
    ).toBe(400);
    const put = await t.app.inject({
      method: "PUT",
      url: "/api/rates/weights",
      headers: street,
      payload: { response_rate: 0.9 },
    });
    expect(put.statusCode).toBe(403);
    expect(put.json().error.message).toContain("区级");
    // Fields that are not weights are refused whole, even for the district.
    for (const payload of [{ response_rate: 0.3, orgId: 1 }, { response_rate: -1 }, { response_rate: 101 }]) {
      const bad = await t.app.inject({
        method: "PUT",
        url: "/api/rates/weights",
        headers: commander,
        payload,
      });
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect((await t.app.inject({ url: "/api/rates/weights", headers: street })).json()).toEqual(before);
    // A grid worker does not read league tables, weights included.
    expect((await t.app.inject({ url: "/api/rates/weights", headers: grid })).statusCode).toBe(403);
    expect((await t.app.inject({ url: `/api/rates/ranking?month=${month}`, headers: grid })).statusCode).toBe(
      403,
    );
    const [a] = await t.ctx.database.query<{ username: string }>(
      "select username from audit_events where entity = 'ranking_weights' order by id desc limit 1",
    );
    expect(a.username).toBe("demo-commander");
  });

  // Last: it adds an order to 苏阳社区, which the tests above count.
  it("counts orders routed to the unit itself (属地兜底) in its own figures", async () => {
    const [{ id: su }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010'",
    );
    const before = (
      await t.app.inject({ url: `/api/rates?org=${su}&month=${month}`, headers: community })
    ).json();
    await order(su);
    const after = (
      await t.app.inject({ url: `/api/rates?org=${su}&month=${month}`, headers: community })
    ).json();
    expect(after.counts.dispatched).toBe(before.counts.dispatched + 1);
    const kids = (b: any) => b.children.reduce((n: number, c: any) => n + c.counts.dispatched, 0);
    expect(kids(after)).toBe(kids(before));
  });
});
