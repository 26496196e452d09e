import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";

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
});
