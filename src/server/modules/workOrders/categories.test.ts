import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { seedCategories } from "./categories.ts";

type H = Awaited<ReturnType<TestApp["login"]>>;

// What the category admin page relies on: every category with its state for admins, field names on
// every refusal so the form can place them, and no way to blank a name or change a code.
describe.each(DB_KINDS)("category admin on %s", (kind) => {
  let t: TestApp;
  let commander: H;
  beforeAll(async () => {
    t = await createTestApp(kind);
    commander = await t.login("demo-commander");
  });
  afterAll(() => t?.close());

  const send = (method: "POST" | "PATCH", url: string, payload: unknown, headers: H = commander) =>
    t.app.inject({ method, url, headers, payload: payload as any });
  const fieldsOf = (r: { json(): any }) => r.json().error.details.fields.map((f: any) => f.field);

  it("refuses a blank name on create and on edit, naming the field, and keeps the old name", async () => {
    const blank = await send("POST", "/api/categories", {
      code: "blank_name",
      name: "   ",
      slaPolicy: "12345",
      ownerRole: "grid_worker",
    });
    expect(blank.statusCode).toBe(400);
    expect(fieldsOf(blank)).toEqual(["name"]);
    expect(await t.ctx.database.query("select 1 from categories where code = 'blank_name'")).toEqual([]);

    const [{ id }] = await t.ctx.database.query<{ id: number }>(
      "select id from categories where code = 'sanitation'",
    );
    const edit = await send("PATCH", `/api/categories/${id}`, { name: " \t " });
    expect(edit.statusCode).toBe(400);
    expect(fieldsOf(edit)).toEqual(["name"]);
    const [row] = await t.ctx.database.query<{ name: string; initials: string }>(
      "select name, initials from categories where id = $1",
      [id],
    );
    expect(row).toEqual({ name: "环境卫生", initials: "hjws" });
  });

  it("lists retired categories for admins only, puts a duplicate code on the code field, keeps codes fixed", async () => {
    const created = await send("POST", "/api/categories", {
      code: "medicine_box",
      name: " 共享药箱补药 ",
      slaPolicy: "care-urgent",
      ownerRole: "doctor",
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const dup = await send("POST", "/api/categories", {
      code: "medicine_box",
      name: "重复",
      slaPolicy: "12345",
      ownerRole: "grid_worker",
    });
    expect(dup.statusCode).toBe(409);
    expect(fieldsOf(dup)).toEqual(["code"]);
    expect((await send("PATCH", `/api/categories/${id}`, { code: "other_code" })).statusCode).toBe(400);

    expect((await send("PATCH", `/api/categories/${id}`, { active: false })).json()).toMatchObject({
      code: "medicine_box",
      name: "共享药箱补药",
      initials: "gxyxby",
      active: false,
    });
    const all = await t.app.inject({ url: "/api/categories?all=true&q=gxyx", headers: commander });
    expect(all.json().items.map((c: any) => [c.code, c.active])).toEqual([["medicine_box", false]]);
    const picker = await t.app.inject({ url: "/api/categories?q=gxyx", headers: commander });
    expect(picker.json().items).toEqual([]);
    const grid = await t.login("demo-grid");
    expect((await t.app.inject({ url: "/api/categories?all=true", headers: grid })).statusCode).toBe(403);
  });

  it("two admins adding the same code at once: one 201, one 409 on the code field", async () => {
    const body = {
      code: "shared_medicine_box",
      name: "共享药箱",
      slaPolicy: "12345",
      ownerRole: "grid_worker",
    };
    const [a, b] = await Promise.all([
      send("POST", "/api/categories", body),
      send("POST", "/api/categories", body),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expect(fieldsOf(a.statusCode === 409 ? a : b)).toEqual(["code"]);
  });

  it("keeps the taxonomy at two levels, with synonyms the desk searches", async () => {
    const idOf = async (code: string) =>
      (await t.ctx.database.query<{ id: number }>("select id from categories where code = $1", [code]))[0].id;
    const municipal = await idOf("municipal");
    const created = await send("POST", "/api/categories", {
      code: "municipal_bus_shelter",
      name: "公交候车亭",
      slaPolicy: "12345",
      ownerRole: "grid_worker",
      parentId: municipal,
      synonyms: [" 公交站 ", "候车亭", "公交站", ""],
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const found = (
      await t.app.inject({ url: `/api/categories?q=${encodeURIComponent("公交站")}`, headers: commander })
    ).json().items;
    expect(found[0]).toMatchObject({
      code: "municipal_bus_shelter",
      parentCode: "municipal",
      synonyms: ["公交站", "候车亭"],
    });
    // Under a subcategory, under itself, under nothing that exists: refused on the field.
    for (const parentId of [await idOf("municipal_lighting"), id, 999_999]) {
      const r = await send("PATCH", `/api/categories/${id}`, { parentId });
      expect(r.statusCode, r.body).toBe(400);
      expect(fieldsOf(r)).toEqual(["parentId"]);
    }
    // A category with subcategories cannot become one.
    const moved = await send("PATCH", `/api/categories/${municipal}`, { parentId: await idOf("sanitation") });
    expect(fieldsOf(moved)).toEqual(["parentId"]);
    // Made top-level again, with new words.
    const top = await send("PATCH", `/api/categories/${id}`, { parentId: null, synonyms: ["站台"] });
    expect(top.json()).toMatchObject({ parentId: null, parentCode: null, synonyms: ["站台"] });
    // Streets read the taxonomy but do not edit it.
    const street = await t.login("demo-street");
    expect((await send("PATCH", `/api/categories/${id}`, { synonyms: [] }, street)).statusCode).toBe(403);
  });

  it("adds the default subcategories to a database that has only the old categories, keeping admins' edits", async () => {
    await t.ctx.database.query("update categories set name = '环境卫生（改）' where code = 'sanitation'");
    await t.ctx.database.query("delete from categories where code = 'sanitation_garbage'");
    await seedCategories(t.ctx.database);
    const rows = await t.ctx.database.query<{ code: string; name: string; parent: string | null }>(
      `select c.code, c.name, p.code as parent from categories c left join categories p on p.id = c.parent_id
       where c.code in ('sanitation', 'sanitation_garbage')`,
    );
    expect(rows).toContainEqual({ code: "sanitation", name: "环境卫生（改）", parent: null });
    expect(rows).toContainEqual({ code: "sanitation_garbage", name: "垃圾清运", parent: "sanitation" });
  });
});
