import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";

describe.each(DB_KINDS)("org tree on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  it("holds the real 崇川区 tree with the district's grid counts", async () => {
    const rows = await t.ctx.database.query<{ kind: string; n: number }>(
      "select kind, count(*)::int as n from org_units group by kind",
    );
    expect(Object.fromEntries(rows.map((r) => [r.kind, r.n]))).toEqual({
      district: 1,
      street: 19,
      community: 182,
      grid: 908,
      micro_grid: 14_277,
    });
    const [s] = await t.ctx.database.query<{ name: string }>(
      "select name from org_units where code = '320613019010'",
    );
    expect(s.name).toBe("苏阳社区");
  });

  it("each role's navigator starts at its own scope", async () => {
    const roots: Record<string, string> = {
      "demo-commander": "崇川区",
      "demo-street": "秦灶街道",
      "demo-community": "苏阳社区",
      "demo-grid": "第1网格",
    };
    for (const [user, name] of Object.entries(roots)) {
      const h = await t.login(user);
      const r = (await t.app.inject({ url: "/api/orgs", headers: h })).json();
      expect(r.items.map((u: any) => u.name)).toEqual([name]);
    }
  });

  it("lists children, searches within scope and builds a breadcrumb from the scope down", async () => {
    const h = await t.login("demo-street");
    const [root] = (await t.app.inject({ url: "/api/orgs", headers: h })).json().items;
    const kids = (await t.app.inject({ url: `/api/orgs?parent=${root.id}`, headers: h })).json().items;
    expect(kids.length).toBe(10);
    expect(kids.every((k: any) => k.kind === "community")).toBe(true);
    const found = (
      await t.app.inject({ url: `/api/orgs?q=${encodeURIComponent("苏阳")}`, headers: h })
    ).json().items;
    expect(found[0].name).toBe("苏阳社区");
    const other = (
      await t.app.inject({ url: `/api/orgs?q=${encodeURIComponent("德民")}`, headers: h })
    ).json().items;
    expect(other).toEqual([]); // 德民社区 is in 城东街道, outside 秦灶街道
    const g = (
      await t.app.inject({ url: `/api/orgs?q=${encodeURIComponent("320613019010-G03")}`, headers: h })
    ).json().items[0];
    const detail = (await t.app.inject({ url: `/api/orgs/${g.id}`, headers: h })).json();
    expect(detail.breadcrumb.map((c: any) => c.name)).toEqual(["秦灶街道", "苏阳社区", "第3网格"]);
  });

  it("answers units outside the scope and absent ones alike with 404", async () => {
    const h = await t.login("demo-community");
    const [{ id }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613001'",
    );
    expect((await t.app.inject({ url: `/api/orgs/${id}`, headers: h })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/orgs?parent=${id}`, headers: h })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/orgs/${id}/stats`, headers: h })).statusCode).toBe(404);
    expect((await t.app.inject({ url: "/api/orgs/99999999", headers: h })).statusCode).toBe(404);
  });

  it("counts people and key populations per unit", async () => {
    const h = await t.login("demo-community");
    const [root] = (await t.app.inject({ url: "/api/orgs", headers: h })).json().items;
    const s = (await t.app.inject({ url: `/api/orgs/${root.id}/stats`, headers: h })).json();
    const [{ n }] = await t.ctx.database.query<{ n: number }>("select count(*)::int as n from residents");
    expect(s.residents).toBe(n);
    expect(s.households).toBeGreaterThan(1000);
    expect(s.tags.aged_80_plus).toBeGreaterThan(0);
    expect(s.tags.living_alone).toBeGreaterThan(0);
  });
});
