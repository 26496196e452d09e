import crypto from "node:crypto";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { addAccount } from "../accounts/index.ts";
import { DEMO_QUESTIONS } from "./index.ts";

const PNG_1x1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe.each(DB_KINDS)("campaigns on %s", (kind) => {
  let t: TestApp;
  let street: Headers;
  let community: Headers;
  let grid: Headers;
  let other: Headers;
  let campaignId: number;
  let mine: { id: number; status: string; floor: number | null }[];
  let version: number;
  const get = (url: string, h: Headers) => t.app.inject({ url, headers: h });
  const send = (method: "POST" | "PUT", url: string, h: Headers, payload: object) =>
    t.app.inject({ method, url, headers: h, payload });
  const record = (householdId: number, over: Record<string, unknown> = {}) => ({
    clientId: crypto.randomUUID(),
    campaignId,
    householdId,
    outcome: "done",
    questionnaireVersion: version,
    answers: { present: 2, elderly: "no" },
    deviceTime: new Date(Date.now() - 60_000).toISOString(),
    ...over,
  });
  const count = async (sqlText: string, params: unknown[] = []) =>
    (await t.ctx.database.query<{ n: number }>(sqlText, params))[0].n;

  beforeAll(async () => {
    t = await createTestApp(kind);
    // A second grid worker in the demo grid (G01): a colleague who may also knock on a door.
    await addAccount(t.ctx.database, {
      username: "gw-colleague",
      displayName: "同网格 网格员",
      role: "grid_worker",
      org: "320613019010-G01",
      password: "Demo@2026",
    });
    [street, community, grid, other] = await Promise.all([
      t.login("demo-street"),
      t.login("demo-community"),
      t.login("demo-grid"),
      t.login("gw-colleague"),
    ]);
    const list = await get("/api/campaigns", street);
    expect(list.statusCode, list.body).toBe(200);
    campaignId = list.json().items[0].id;
    const f = await get("/api/campaigns/field", grid);
    expect(f.statusCode, f.body).toBe(200);
    const c = f.json().campaigns.find((x: { id: number }) => x.id === campaignId);
    mine = c.households;
    version = c.version;
  });
  afterAll(() => t?.close());

  it("seeds a running campaign with the demo grid worker's households in walking order", async () => {
    expect(mine.length).toBeGreaterThan(50);
    expect(mine.every((h) => h.status === "pending")).toBe(true);
    const f = await get("/api/campaigns/field", grid);
    const hh = f.json().campaigns[0].households as { building: string; unitNo: number; floor: number }[];
    // Within a building, unit then floor never go backwards.
    for (let i = 1; i < hh.length; i++)
      if (hh[i].building === hh[i - 1].building && hh[i].unitNo === hh[i - 1].unitNo)
        expect(hh[i].floor ?? 0).toBeGreaterThanOrEqual(hh[i - 1].floor ?? 0);
    const p = await get(`/api/campaigns/${campaignId}/progress`, street);
    expect(p.statusCode, p.body).toBe(200);
    expect(p.json().totals.target).toBeGreaterThan(mine.length);
    expect(p.json().totals.visited).toBeGreaterThan(0);
  });

  it("launches a campaign over a grid, set-based, to the grid's worker", async () => {
    const grids = await t.ctx.database.query<{ id: number; code: string }>(
      "select id, code from org_units where code in ('320613019010-G01', '320613019010')",
    );
    const g01 = grids.find((g) => g.code.endsWith("G01"))!.id;
    const comm = grids.find((g) => g.code === "320613019010")!.id;
    const body = {
      name: "独居老人专项排查",
      orgUnitId: comm,
      startsOn: "2026-01-01",
      endsOn: "2026-12-31",
      gridIds: [g01],
      target: { kind: "tags", tags: ["living_alone", "aged_80_plus"] },
      questions: DEMO_QUESTIONS,
    };
    const r = await send("POST", "/api/campaigns", community, body);
    expect(r.statusCode, r.body).toBe(201);
    const expected = await count(
      `select count(distinct h.id)::int as n from households h join org_units u on u.id = h.org_unit_id
        where (u.id = $1 or u.parent_id = $1) and exists (select 1 from residents r where r.household_id = h.id
          and r.tags && array['living_alone','aged_80_plus'])`,
      [g01],
    );
    expect(r.json().households).toBe(expected);
    expect(
      await count(
        "select count(*)::int as n from audit_events where entity = 'campaign' and action = 'create'",
      ),
    ).toBeGreaterThan(0);
    // A grid outside the unit, or a bad questionnaire: 400, nothing made.
    const before = await count("select count(*)::int as n from campaigns");
    const away = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where kind = 'grid' and code like '320613001%' limit 1",
    );
    expect(
      (await send("POST", "/api/campaigns", community, { ...body, gridIds: [away[0].id] })).statusCode,
    ).toBe(400);
    expect(
      (
        await send("POST", "/api/campaigns", community, {
          ...body,
          questions: [{ id: "a", kind: "single", label: "单选", options: ["仅一项"] }],
        })
      ).statusCode,
    ).toBe(400);
    expect(await count("select count(*)::int as n from campaigns")).toBe(before);
    // The grid worker may not launch one.
    expect((await send("POST", "/api/campaigns", grid, body)).statusCode).toBe(403);
  });

  it("stores a synced batch once, however often it is sent", async () => {
    const batch = [
      record(mine[0].id, {
        notice: { method: "hand", to: "王建国" },
        photos: [{ key: "notice", data: PNG_1x1.toString("base64") }],
      }),
      record(mine[1].id, { outcome: "not_home", answers: {} }),
      record(mine[2].id, { outcome: "refused", answers: {} }),
    ];
    const r1 = await send("POST", "/api/campaigns/sync", grid, { records: batch });
    expect(r1.statusCode, r1.body).toBe(200);
    expect(r1.json().results.map((r: { status: string }) => r.status)).toEqual([
      "stored",
      "stored",
      "stored",
    ]);
    const r2 = await send("POST", "/api/campaigns/sync", grid, { records: batch });
    expect(r2.statusCode).toBe(200);
    expect(r2.json().results.map((r: { status: string }) => r.status)).toEqual([
      "duplicate",
      "duplicate",
      "duplicate",
    ]);
    expect(
      await count("select count(*)::int as n from campaign_records where client_id = any($1::uuid[])", [
        batch.map((b) => b.clientId),
      ]),
    ).toBe(3);
    expect(await count("select count(*)::int as n from campaign_photos")).toBe(1);
    const f = await get("/api/campaigns/field", grid);
    const hh = f.json().campaigns.find((c: { id: number }) => c.id === campaignId).households;
    const st = (id: number) => hh.find((h: { id: number }) => h.id === id).status;
    expect([st(mine[0].id), st(mine[1].id), st(mine[2].id)]).toEqual(["done", "revisit", "refused"]);
    const p = await get(
      `/api/campaigns/${campaignId}/progress?org=${await unitId("320613019010-G01")}`,
      street,
    );
    const me = p.json().members.find((m: { name: string }) => m.name.includes("演示"));
    expect(me.visited).toBe(3);
    expect(p.json().totals.notices).toBeGreaterThanOrEqual(1);
  });

  const unitId = async (code: string) =>
    (await t.ctx.database.query<{ id: number }>("select id from org_units where code = $1", [code]))[0].id;

  it("answers progress at the caller's own unit by default and 404 for a unit or campaign out of reach", async () => {
    const url = (org?: number, id = campaignId) => `/api/campaigns/${id}/progress${org ? `?org=${org}` : ""}`;
    // A community reading its street's campaign sees its own community, not the street.
    const own = await get(url(), community);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().org.id).toBe(await unitId("320613019010"));
    expect((await get(url(), street)).json().org.kind).toBe("street");
    // The street is above the community: 404 to the community, as is another street's grid, and a
    // unit of the street outside the campaign's reach.
    const streetId = (await get(url(), street)).json().org.id as number;
    expect((await get(url(streetId), community)).statusCode).toBe(404);
    const [away] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where kind = 'grid' and path not like (select path from org_units where id = $1) || '%' limit 1",
      [streetId],
    );
    expect((await get(url(away.id), street)).statusCode).toBe(404);
    expect((await get(url(await unitId("320613019010-G01")), community)).statusCode).toBe(200);
    // A campaign that does not exist, and the household list of a unit out of reach.
    expect((await get(url(undefined, 2_000_000_000), street)).statusCode).toBe(404);
    expect((await get(`/api/campaigns/${campaignId}/households?org=${streetId}`, community)).statusCode).toBe(
      404,
    );
  });

  it("refuses a household outside the member's assignment (404) and a photo that is not an image (400)", async () => {
    const [away] = await t.ctx.database.query<{ id: number }>(
      "select household_id as id from campaign_households where campaign_id = $1 and member_id <> (select id from accounts where username = 'demo-grid') limit 1",
      [campaignId],
    );
    const before = await count("select count(*)::int as n from campaign_records");
    const out = await send("POST", "/api/campaigns/sync", grid, {
      records: [record(mine[3].id), record(away.id)],
    });
    expect(out.statusCode).toBe(404);
    const bad = await send("POST", "/api/campaigns/sync", grid, {
      records: [
        record(mine[3].id, {
          photos: [{ key: "notice", data: Buffer.from("<html>not a photo</html>").toString("base64") }],
        }),
      ],
    });
    expect(bad.statusCode, bad.body).toBe(400);
    const wrong = await send("POST", "/api/campaigns/sync", grid, {
      records: [record(mine[3].id, { answers: { present: 2 } })],
    });
    expect(wrong.statusCode).toBe(400);
    expect(await count("select count(*)::int as n from campaign_records")).toBe(before);
  });

  it("keeps both records when two members record one household, and flags it", async () => {
    const hid = mine[4].id;
    // The community hands the household to the colleague; the first member's offline record still arrives.
    const colleague = (
      await t.ctx.database.query<{ id: number }>("select id from accounts where username = 'gw-colleague'")
    )[0].id;
    const moved = await send("POST", `/api/campaigns/${campaignId}/reassign`, street, {
      householdIds: [hid],
      toMemberId: colleague,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().moved).toBe(1);
    const a = await send("POST", "/api/campaigns/sync", other, { records: [record(hid)] });
    expect(a.statusCode, a.body).toBe(200);
    const b = await send("POST", "/api/campaigns/sync", grid, {
      records: [
        record(hid, {
          outcome: "not_home",
          answers: {},
          deviceTime: new Date(Date.now() - 3600_000).toISOString(),
        }),
      ],
    });
    expect(b.statusCode, b.body).toBe(200);
    expect(b.json().results[0].flagged).toBe(true);
    const recs = await get(`/api/campaigns/${campaignId}/households/${hid}/records`, community);
    expect(recs.statusCode, recs.body).toBe(200);
    expect(recs.json().records).toHaveLength(2);
    expect(recs.json().flagged).toBe(true);
    // The later visit decides: the colleague found them at home.
    expect(recs.json().status).toBe("done");
    const flagged = await get(`/api/campaigns/${campaignId}/households?flagged=true`, community);
    expect(flagged.json().items.some((h: { id: number }) => h.id === hid)).toBe(true);
  });

  it("keeps old answers readable after the questionnaire changes, and raises an order for a finding", async () => {
    const hid = mine[5].id;
    const r = await send("POST", "/api/campaigns/sync", grid, {
      records: [record(hid, { answers: { present: 1, elderly: "yes", elderly_help: "需要上门探访" } })],
    });
    expect(r.statusCode, r.body).toBe(200);
    const [rec] = await t.ctx.database.query<{ workOrderId: number | null }>(
      `select work_order_id as "workOrderId" from campaign_records where campaign_id = $1 and household_id = $2`,
      [campaignId, hid],
    );
    expect(rec.workOrderId).not.toBeNull();
    const revised = await send("PUT", `/api/campaigns/${campaignId}/questionnaire`, street, {
      questions: [{ id: "present2", kind: "number", label: "实际居住人数", required: true }],
    });
    expect(revised.statusCode, revised.body).toBe(200);
    expect(revised.json().version).toBe(version + 1);
    const recs = await get(`/api/campaigns/${campaignId}/households/${hid}/records`, street);
    const answers = recs.json().records[0].answers;
    expect(answers.find((a: { question: string }) => a.question === "elderly").label).toBe(
      "是否有80岁以上或独居老人",
    );
    expect(answers.find((a: { question: string }) => a.question === "elderly").answer).toBe("是");
    // A phone still on the old version syncs against it; the new version is what the field call hands out.
    const old = await send("POST", "/api/campaigns/sync", grid, { records: [record(mine[6].id)] });
    expect(old.statusCode, old.body).toBe(200);
    const f = await get("/api/campaigns/field", grid);
    expect(f.json().campaigns.find((c: { id: number }) => c.id === campaignId).version).toBe(version + 1);
  });

  it("exports the results as xlsx, masked and audited", async () => {
    const r = await get(`/api/campaigns/${campaignId}/export`, community);
    expect(r.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const records = wb.getWorksheet("入户记录")!;
    const texts: string[] = [];
    records.eachRow((row) => texts.push(row.values!.toString()));
    const all = texts.join();
    expect(all.includes("王**"), "masked name in the export").toBe(true);
    expect(all.includes("王建国"), "full name in the export").toBe(false);
    expect(
      await count(
        "select count(*)::int as n from audit_events where entity = 'campaign' and action = 'export'",
      ),
    ).toBe(1);
  });
});
