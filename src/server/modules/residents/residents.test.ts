import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { composeIdCard } from "../../../domain/idcard/idcard.ts";
import { nameInitials } from "../../../domain/people/pinyin.ts";

type H = Awaited<ReturnType<TestApp["login"]>>;

describe.each(DB_KINDS)("resident registry on %s", (kind) => {
  let t: TestApp;
  let grid: H; // 苏阳社区 第1网格
  let community: H; // 苏阳社区
  let commander: H;
  let volunteer: H;
  let g1: { id: number; path: string };
  let g2: { id: number; path: string };
  let inside: { id: number; household_id: number; name: string; phone_tail: string };
  let outside: { id: number; household_id: number; building_id: number };

  beforeAll(async () => {
    t = await createTestApp(kind);
    [grid, community, commander, volunteer] = await Promise.all(
      ["demo-grid", "demo-community", "demo-commander", "demo-volunteer"].map((u) => t.login(u)),
    );
    const q = t.ctx.database.query.bind(t.ctx.database);
    [g1] = await q<{ id: number; path: string }>(
      "select id, path from org_units where code = '320613019010-G01'",
    );
    [g2] = await q<{ id: number; path: string }>(
      "select id, path from org_units where code = '320613019010-G02'",
    );
    [inside] = await q<any>(
      "select id, household_id, name, phone_tail from residents where org_path like $1 and phone_tail is not null order by id limit 1",
      [`${g1.path}%`],
    );
    [outside] = await q<any>(
      "select id, household_id, building_id from residents where org_path like $1 order by id limit 1",
      [`${g2.path}%`],
    );
  });
  afterAll(() => t?.close());

  const get = (url: string, headers: H) => t.app.inject({ url, headers });

  it("a grid worker sees only residents of their grid, masked", async () => {
    const r = await get("/api/residents?pageSize=100", grid);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.items.length).toBeGreaterThan(0);
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from residents where org_path like $1",
      [`${g1.path}%`],
    );
    expect(body.total).toBe(n);
    for (const p of body.items) {
      expect(p.idNumberMasked).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
      if (p.phoneMasked) expect(p.phoneMasked).toMatch(/^1\d{2}\*{4}\d{4}$/);
      expect(JSON.stringify(p)).not.toMatch(/Cipher|Hash/);
    }
    const c = (await get("/api/residents", community)).json();
    expect(c.total).toBeGreaterThan(body.total);
  });

  it("a grid worker gets 404 for another grid's resident by id, by org filter, by household and building (export: 403, no permission)", async () => {
    expect((await get(`/api/residents/${outside.id}`, grid)).statusCode).toBe(404);
    expect((await get(`/api/residents?org=${g2.id}`, grid)).statusCode).toBe(404);
    expect((await get(`/api/households/${outside.household_id}`, grid)).statusCode).toBe(404);
    expect((await get(`/api/buildings/${outside.building_id}`, grid)).statusCode).toBe(404);
    expect((await get(`/api/orgs/${g2.id}`, grid)).statusCode).toBe(404);
    expect((await get(`/api/residents/export?org=${g2.id}`, community)).statusCode).toBe(200);
    expect((await get(`/api/residents/export?org=${g2.id}`, grid)).statusCode).toBe(403);
    const reveal = await t.app.inject({
      method: "POST",
      url: `/api/residents/${outside.id}/reveal`,
      headers: grid,
      payload: { field: "phone", reason: "核实" },
    });
    expect(reveal.statusCode).toBe(404);
    // A search by the outsider's exact ID tail returns nobody from grid 2.
    const [o] = await t.ctx.database.query<{ id_tail: string }>(
      "select id_tail from residents where id = $1",
      [outside.id],
    );
    const s = (await get(`/api/residents?q=${o.id_tail}`, grid)).json();
    expect(s.items.every((p: any) => p.id !== outside.id)).toBe(true);
  });

  it("a volunteer cannot read the registry at all", async () => {
    expect((await get("/api/residents", volunteer)).statusCode).toBe(403);
    expect((await get(`/api/residents/${inside.id}`, volunteer)).statusCode).toBe(403);
  });

  it("404 for an absent resident, 400 for a bad id", async () => {
    expect((await get("/api/residents/99999999", community)).statusCode).toBe(404);
    const bad = await get("/api/residents/abc", community);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("invalid");
  });

  it("finds people by pinyin initials, name prefix, phone tail and address", async () => {
    const initials = (
      await get(`/api/residents?q=${encodeURIComponent("zs")}&pageSize=100`, community)
    ).json();
    expect(initials.items.length).toBeGreaterThan(0);
    expect(initials.items.every((p: any) => nameInitials(p.name).startsWith("zs"))).toBe(true);
    const name = (await get(`/api/residents?q=${encodeURIComponent(inside.name)}`, community)).json();
    expect(name.items.some((p: any) => p.id === inside.id)).toBe(true);
    const tail = (await get(`/api/residents?q=${inside.phone_tail}`, grid)).json();
    expect(tail.items.some((p: any) => p.id === inside.id)).toBe(true);
    const addr = (
      await get(`/api/residents?q=${encodeURIComponent("苏阳社区 2幢 1单元")}&pageSize=100`, community)
    ).json();
    expect(addr.items.length).toBeGreaterThan(0);
    expect(addr.items.every((p: any) => p.address.includes("苏阳社区 2幢 1单元"))).toBe(true);
  });

  it("filters by tag and org; rejects an unknown tag", async () => {
    const r = (await get(`/api/residents?tag=aged_80_plus&pageSize=100`, community)).json();
    expect(r.items.length).toBeGreaterThan(0);
    expect(r.items.every((p: any) => p.tags.includes("aged_80_plus") && p.age >= 80)).toBe(true);
    const byOrg = (await get(`/api/residents?org=${g2.id}&pageSize=100`, community)).json();
    expect(byOrg.items.length).toBeGreaterThan(0);
    expect((await get(`/api/residents?tag=nonsense`, community)).statusCode).toBe(400);
  });

  it("treats SQL or script text in a search as plain text", async () => {
    for (const q of ["' OR 1=1 --", "'; drop table residents; --", "<script>alert(1)</script>", "%", "_"]) {
      const r = await get(`/api/residents?q=${encodeURIComponent(q)}`, community);
      expect(r.statusCode).toBe(200);
      expect(r.json().items.length).toBe(0);
    }
    const [{ n }] = await t.ctx.database.query<{ n: number }>("select count(*)::int as n from residents");
    expect(n).toBeGreaterThan(1000);
  });

  it("reveals a phone only with a reason, and audits it", async () => {
    const missing = await t.app.inject({
      method: "POST",
      url: `/api/residents/${inside.id}/reveal`,
      headers: grid,
      payload: { field: "phone" },
    });
    expect(missing.statusCode).toBe(400);
    const r = await t.app.inject({
      method: "POST",
      url: `/api/residents/${inside.id}/reveal`,
      headers: grid,
      payload: { field: "phone", reason: "上门走访前电话联系" },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().value).toMatch(/^1\d{10}$/);
    expect(r.json().value.endsWith(inside.phone_tail)).toBe(true);
    const [ev] = await t.ctx.database.query<any>(
      "select * from audit_events where action = 'reveal' and entity_id = $1",
      [String(inside.id)],
    );
    expect(ev.reason).toBe("上门走访前电话联系");
    expect(ev.username).toBe("demo-grid");
    // A commander looks at aggregates, not people's numbers.
    const c = await t.app.inject({
      method: "POST",
      url: `/api/residents/${inside.id}/reveal`,
      headers: commander,
      payload: { field: "idNumber", reason: "查看" },
    });
    expect(c.statusCode).toBe(403);
  });

  it("creates a resident with a 15-digit ID upgraded, rejects a duplicate with 409 and a bad checksum with 400", async () => {
    const id18 = composeIdCard("320602", "1950-03-04", 777);
    const id15 = id18.slice(0, 6) + id18.slice(8, 17); // old 15-digit form of the same person
    const payload = {
      name: "王测试",
      idNumber: id15,
      householdId: inside.household_id,
      phone: "139 0000 1234",
      tags: ["living_alone"],
    };
    const r = await t.app.inject({ method: "POST", url: "/api/residents", headers: grid, payload });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({
      name: "王测试",
      gender: "male",
      birthDate: "1950-03-04",
      phoneMasked: "139****1234",
      tags: ["living_alone"],
    });
    expect(r.json().idNumberMasked).toBe(`${id18.slice(0, 4)}**********${id18.slice(-4)}`);
    const dup = await t.app.inject({
      method: "POST",
      url: "/api/residents",
      headers: grid,
      payload: { ...payload, idNumber: id18 },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details.fields[0].field).toBe("idNumber");
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/residents",
      headers: grid,
      payload: { ...payload, idNumber: `${id18.slice(0, 17)}${id18[17] === "1" ? "2" : "1"}` },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields.map((f: any) => f.field)).toEqual(["idNumber"]);
    expect(bad.json().error.message).toContain("校验位");
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from residents where name = '王测试'",
    );
    expect(n).toBe(1);
    const [ev] = await t.ctx.database.query<any>(
      "select after from audit_events where action = 'create' and entity = 'resident'",
    );
    expect(JSON.stringify(ev.after)).not.toContain(id18);
  });

  it("rejects a household outside the caller's scope on create", async () => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/residents",
      headers: grid,
      payload: {
        name: "李越界",
        idNumber: composeIdCard("320602", "1960-01-01", 555),
        householdId: outside.household_id,
      },
    });
    // Answered exactly as a household that does not exist, and nobody is created.
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details.fields).toEqual([{ field: "householdId", message: "户: 不存在" }]);
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from residents where name = '李越界'",
    );
    expect(n).toBe(0);
  });

  it("edits with optimistic concurrency: a stale version gets 409 and changes nothing", async () => {
    const cur = (await get(`/api/residents/${inside.id}`, grid)).json();
    const ok = await t.app.inject({
      method: "PATCH",
      url: `/api/residents/${inside.id}`,
      headers: grid,
      payload: { version: cur.version, tags: ["chronic_disease"] },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().version).toBe(cur.version + 1);
    const stale = await t.app.inject({
      method: "PATCH",
      url: `/api/residents/${inside.id}`,
      headers: community,
      payload: { version: cur.version, name: "改名" },
    });
    expect(stale.statusCode).toBe(409);
    const now = (await get(`/api/residents/${inside.id}`, grid)).json();
    expect(now.name).toBe(cur.name);
    expect(now.tags).toEqual(["chronic_disease"]);
    const badPhone = await t.app.inject({
      method: "PATCH",
      url: `/api/residents/${inside.id}`,
      headers: grid,
      payload: { version: now.version, phone: "12345" },
    });
    expect(badPhone.statusCode).toBe(400);
    expect(badPhone.json().error.details.fields[0]).toMatchObject({ field: "phone" });
    const [ev] = await t.ctx.database.query<any>(
      "select before, after from audit_events where action = 'update' and entity_id = $1",
      [String(inside.id)],
    );
    expect(ev.before.tags).not.toEqual(ev.after.tags);
  });

  it("wrong types and unknown fields are 400s naming the field", async () => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/residents",
      headers: grid,
      payload: { name: {}, idNumber: [], householdId: "x" },
    });
    expect(r.statusCode).toBe(400);
    const fields = r.json().error.details.fields.map((f: any) => f.field);
    expect(fields).toEqual(expect.arrayContaining(["name", "idNumber", "householdId"]));
  });

  it("exports masked CSV in scope and audits the export", async () => {
    const r = await get(`/api/residents/export?org=${g1.id}`, community);
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toContain("text/csv");
    const lines = r.body.trim().split("\n");
    expect(lines[0]).toContain("姓名");
    expect(lines.length).toBeGreaterThan(10);
    expect(r.body).not.toMatch(/\d{17}[\dX]/);
    expect((await get(`/api/residents/export`, grid)).statusCode).toBe(403); // grid workers may not export
    const [ev] = await t.ctx.database.query<any>(
      "select after from audit_events where action = 'export' order by id desc limit 1",
    );
    expect(ev.after.count).toBe(lines.length - 1);
    // The whole community spans several keyset pages; every resident comes out exactly once.
    const all = (await get(`/api/residents/export`, community)).body.trim().split("\n").slice(1);
    const [{ n }] = await t.ctx.database.query<{ n: number }>("select count(*)::int as n from residents");
    expect(all.length).toBe(n);
    expect(new Set(all).size).toBeGreaterThan(n * 0.99);
  });

  it("household and building pages show members in scope", async () => {
    const h = (await get(`/api/households/${inside.household_id}`, grid)).json();
    expect(h.members.some((m: any) => m.id === inside.id)).toBe(true);
    expect(h.breadcrumb[0].name).toBe("第1网格");
    const b = (await get(`/api/buildings/${h.household.buildingId}`, community)).json();
    expect(b.households.length).toBeGreaterThan(10);
    expect(b.breadcrumb.map((c: any) => c.name)).toEqual([
      "苏阳社区",
      "第1网格",
      expect.stringMatching(/微网格$/),
    ]);
  });

  it("refuses fields a form may not set (org, path, family doctor, version on create) with nothing changed", async () => {
    const [before] = await t.ctx.database.query<any>(
      "select org_unit_id, org_path, family_doctor_id, version, tags from residents where id = $1",
      [inside.id],
    );
    const attempts: Record<string, unknown>[] = [
      { version: before.version, orgUnitId: g2.id },
      { version: before.version, orgPath: g2.path },
      { version: before.version, familyDoctorId: 1 },
      { version: before.version, idCipher: "x" },
      { version: before.version, tags: ["not_a_tag"] },
      { version: before.version, livingArrangement: "castle" },
    ];
    for (const payload of attempts) {
      const r = await t.app.inject({
        method: "PATCH",
        url: `/api/residents/${inside.id}`,
        headers: grid,
        payload,
      });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const create = await t.app.inject({
      method: "POST",
      url: "/api/residents",
      headers: grid,
      payload: {
        name: "赵越权",
        idNumber: composeIdCard("320602", "1960-01-01", 313),
        householdId: inside.household_id,
        orgUnitId: g2.id,
      },
    });
    expect(create.statusCode).toBe(400);
    // Moving someone into a household outside the grid names the field, as for one that does not exist.
    const move = await t.app.inject({
      method: "PATCH",
      url: `/api/residents/${inside.id}`,
      headers: grid,
      payload: { version: before.version, householdId: outside.household_id },
    });
    expect(move.statusCode).toBe(400);
    expect(move.json().error.details.fields[0].field).toBe("householdId");
    // A commander reads the registry but may not change it: 403, before anything is read.
    const cmd = await t.app.inject({
      method: "PATCH",
      url: `/api/residents/${inside.id}`,
      headers: commander,
      payload: { version: before.version, name: "改名" },
    });
    expect(cmd.statusCode).toBe(403);
    const [after] = await t.ctx.database.query<any>(
      "select org_unit_id, org_path, family_doctor_id, version, tags from residents where id = $1",
      [inside.id],
    );
    expect(after).toEqual(before);
    const [{ n }] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from residents where name = '赵越权'",
    );
    expect(n).toBe(0);
  });

  it("other modules change tags and the family doctor through the face, set-based, in their transaction", async () => {
    const { addTags, removeTag, setFamilyDoctor, residentInScope, lockResident } = await import("./index.ts");
    const q = t.ctx.database.query.bind(t.ctx.database);
    const two = await q<{ id: number; tags: string[]; version: number }>(
      "select id, tags, version from residents where org_path like $1 and not ('low_income' = any(tags)) and not ('maternal' = any(tags)) order by id limit 2",
      [`${g1.path}%`],
    );
    const [a, b] = two;
    const changed = await t.ctx.database.db.transaction(async (tx) => {
      await lockResident(tx as any, a.id);
      return addTags(tx as any, [
        { residentId: a.id, tag: "low_income" },
        { residentId: a.id, tag: "maternal" },
        { residentId: b.id, tag: "low_income" },
      ]);
    });
    expect(changed).toEqual([a.id, b.id].sort((x, y) => x - y));
    const [ra] = await q<any>("select tags, version from residents where id = $1", [a.id]);
    expect(ra.tags).toEqual([...a.tags, "low_income", "maternal"]);
    expect(ra.version).toBe(a.version + 1);
    // Adding what is there changes nothing, not even the version.
    const again = await t.ctx.database.db.transaction((tx) =>
      addTags(tx as any, [{ residentId: a.id, tag: "low_income" }]),
    );
    expect(again).toEqual([]);
    await expect(
      t.ctx.database.db.transaction((tx) => addTags(tx as any, [{ residentId: a.id, tag: "bogus" }])),
    ).rejects.toThrow(RangeError);
    expect(await t.ctx.database.db.transaction((tx) => removeTag(tx as any, b.id, "low_income"))).toBe(true);
    expect(await t.ctx.database.db.transaction((tx) => removeTag(tx as any, b.id, "low_income"))).toBe(false);
    const [{ id: doctorId }] = await q<{ id: number }>(
      "select id from accounts where username = 'demo-doctor'",
    );
    await t.ctx.database.db.transaction((tx) => setFamilyDoctor(tx as any, b.id, doctorId));
    const gridActor = { orgPath: g1.path };
    expect((await residentInScope(t.ctx, gridActor, b.id)).familyDoctorId).toBe(doctorId);
    await expect(residentInScope(t.ctx, gridActor, outside.id)).rejects.toMatchObject({ status: 404 });
    await expect(residentInScope(t.ctx, gridActor, 99_999_999)).rejects.toMatchObject({ status: 404 });
    // A rollback takes the summary back with the caller's own rows.
    await t.ctx.database.db
      .transaction(async (tx) => {
        await setFamilyDoctor(tx as any, b.id, null);
        throw new Error("rollback");
      })
      .catch(() => undefined);
    expect((await residentInScope(t.ctx, gridActor, b.id)).familyDoctorId).toBe(doctorId);
  });
});
