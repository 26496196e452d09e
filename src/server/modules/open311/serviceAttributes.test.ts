import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";

// A district admin gives a service extra fields (PATCH /api/categories/:id `attributes`): Open311 lists the
// service with metadata=true and its definition; a client's report is then checked against them. A bad
// definition is refused field by field in Chinese, nothing changed.
describe.each(DB_KINDS)("service attributes defined by the district on %s", (kind) => {
  let t: TestApp;
  let commander: Headers;
  let sanitation: number;
  let key: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    commander = await t.login("demo-commander");
    [{ id: sanitation }] = await t.ctx.database.query<{ id: number }>(
      "select id from categories where code = 'sanitation'",
    );
    const [{ id: street }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019'",
    );
    key = (
      await t.app.inject({
        method: "POST",
        url: "/api/open311/keys",
        headers: commander,
        payload: { name: "属性测试", orgUnitId: street },
      })
    ).json().key;
  });
  afterAll(() => t?.close());

  const patch = (attributes: unknown) =>
    t.app.inject({
      method: "PATCH",
      url: `/api/categories/${sanitation}`,
      headers: commander,
      payload: { attributes },
    });

  it("refuses a bad definition field by field, nothing changed", async () => {
    const r = await patch([
      { code: "kind", datatype: "singlevaluelist", required: true, description: "垃圾类型" },
      {
        code: "kind",
        datatype: "number",
        required: false,
        description: " ",
        values: [{ key: "a", name: "A" }],
      },
    ]);
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      "attributes.0.values",
      "attributes.1.code",
      "attributes.1.description",
      "attributes.1.values",
    ]);
    expect(r.json().error.details.fields[0].message).toBe("附加字段 1 选项: 列表类型至少要有一个选项");
    const def = await t.app.inject({ url: "/open311/v2/services/sanitation.json" });
    expect(def.json().attributes).toEqual([]);
  });

  it("lists the service with metadata and checks reports against its fields", async () => {
    const r = await patch([
      {
        code: "kind",
        datatype: "singlevaluelist",
        required: true,
        description: "垃圾类型",
        values: [
          { key: "household", name: "生活垃圾" },
          { key: "bulky", name: "大件垃圾" },
        ],
      },
      { code: "bags", datatype: "number", required: false, description: "袋数" },
    ]);
    expect(r.statusCode, r.body).toBe(200);
    const services = (await t.app.inject({ url: "/open311/v2/services.json" })).json();
    expect(services.find((s: { service_code: string }) => s.service_code === "sanitation").metadata).toBe(
      true,
    );
    const def = (await t.app.inject({ url: "/open311/v2/services/sanitation.xml" })).body;
    expect(def).toContain("<code>kind</code><datatype>singlevaluelist</datatype><required>true</required>");
    expect(def).toContain("<key>bulky</key><name>大件垃圾</name>");
    expect(def).toContain("<order>2</order><description>袋数</description>");

    const post = (extra: Record<string, string>) =>
      t.app.inject({
        method: "POST",
        url: "/open311/v2/requests.json",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams({
          api_key: key,
          service_code: "sanitation",
          address_string: "苏阳社区 3幢",
          description: "楼下堆了垃圾",
          ...extra,
        }).toString(),
      });
    const missing = await post({ "attribute[bags]": "many" });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().map((e: { description: string }) => e.description)).toEqual([
      "attribute[kind] is required (垃圾类型)",
      expect.stringContaining("attribute[bags]"),
    ]);
    const ok = await post({ "attribute[kind]": "bulky", "attribute[bags]": "3" });
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json()[0].service_request_id;
    const staff = (await t.app.inject({ url: `/api/orders/${id}`, headers: commander })).json();
    expect(staff.client.attributes).toEqual([
      { code: "kind", label: "垃圾类型", value: "大件垃圾" },
      { code: "bags", label: "袋数", value: "3" },
    ]);

    const audit = await t.ctx.database.query<{ after: { attributes: unknown[] } }>(
      "select after from audit_events where entity = 'category' and entity_id = $1 order by id desc limit 1",
      [String(sanitation)],
    );
    expect(audit[0].after.attributes).toHaveLength(2);

    // [] takes them away again: the service is plain once more.
    expect((await patch([])).statusCode).toBe(200);
    const again = (await t.app.inject({ url: "/open311/v2/services.json" })).json();
    expect(again.find((s: { service_code: string }) => s.service_code === "sanitation").metadata).toBe(false);
  });
});
