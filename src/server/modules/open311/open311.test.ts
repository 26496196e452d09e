import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";

const xml = new XMLParser({ parseTagValue: false });
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

describe.each(DB_KINDS)("Open311 GeoReport v2 on %s", (kind) => {
  let t: TestApp;
  let key: string;
  let streetKey: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    const commander = await t.login("demo-commander");
    const [{ id: district }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613'",
    );
    const [{ id: street }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019'",
    );
    key = (
      await t.app.inject({
        method: "POST",
        url: "/api/open311/keys",
        headers: commander,
        payload: { name: "市民服务平台", orgUnitId: district },
      })
    ).json().key;
    streetKey = (
      await t.app.inject({
        method: "POST",
        url: "/api/open311/keys",
        headers: commander,
        payload: { name: "秦灶街道小程序", orgUnitId: street },
      })
    ).json().key;
    const community = await t.login("demo-community");
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: "/api/open311/keys",
          headers: community,
          payload: { name: "x", orgUnitId: street },
        })
      ).statusCode,
    ).toBe(403);
  });
  afterAll(() => t?.close());

  const post = (fmt: "json" | "xml", body: Record<string, string>) =>
    t.app.inject({
      method: "POST",
      url: `/open311/v2/requests.${fmt}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: form(body),
    });

  it("lists services and a service definition in JSON and XML", async () => {
    const j = await t.app.inject({ url: "/open311/v2/services.json?jurisdiction_id=320613" });
    expect(j.statusCode).toBe(200);
    const services = j.json();
    expect(services.find((s: any) => s.service_code === "sanitation")).toMatchObject({
      service_name: "环境卫生",
      type: "realtime",
      metadata: false,
    });
    const x = await t.app.inject({ url: "/open311/v2/services.xml" });
    expect(x.headers["content-type"]).toContain("text/xml");
    const parsed = xml.parse(x.body);
    expect(parsed.services.service.map((s: any) => s.service_code)).toEqual(
      services.map((s: any) => s.service_code),
    );
    expect((await t.app.inject({ url: "/open311/v2/services/sanitation.json" })).json()).toEqual({
      service_code: "sanitation",
      attributes: [],
    });
    // An empty definition keeps its (empty) list of attributes in XML too.
    const def = await t.app.inject({ url: "/open311/v2/services/sanitation.xml" });
    expect(def.body).toContain(
      "<service_definition><service_code>sanitation</service_code><attributes></attributes>",
    );
    const d = await t.app.inject({ url: "/open311/v2/discovery.json" });
    expect(d.json().endpoints[0].specification).toBe("http://wiki.open311.org/GeoReport_v2");
  });

  it("files a request (the spec's POST example, with our codes) and reads it back in JSON and XML, by id and by token", async () => {
    const r = await post("json", {
      api_key: key,
      jurisdiction_id: "320613",
      service_code: "municipal",
      lat: "32.0316",
      long: "120.9175",
      address_string: "苏阳社区 3幢 门口",
      email: "smit222@example.org",
      device_id: "tt222111",
      account_id: "123456",
      first_name: "三",
      last_name: "张",
      phone: "13912345678",
      description: "路面塌陷，有一个大坑",
      media_url: "",
    });
    expect(r.statusCode, r.body).toBe(201);
    const [created] = r.json();
    expect(created.service_request_id).toMatch(/^\d+$/);
    // Realtime: the id, never a token beside it.
    expect(created).not.toHaveProperty("token");
    const got = (
      await t.app.inject({ url: `/open311/v2/requests/${created.service_request_id}.json` })
    ).json();
    expect(got[0]).toMatchObject({
      service_request_id: created.service_request_id,
      status: "open",
      service_code: "municipal",
      service_name: "市政设施",
      description: "路面塌陷，有一个大坑",
      lat: 32.0316,
      long: 120.9175,
    });
    expect(got[0].address).toContain("苏阳社区 3幢");
    const x = xml.parse(
      (await t.app.inject({ url: `/open311/v2/requests/${created.service_request_id}.xml` })).body,
    );
    expect(x.service_requests.request.service_request_id).toBe(created.service_request_id);
    expect(x.service_requests.request.status).toBe("open");
    // A token handed out before (requests filed when tokens were returned) still resolves.
    await t.ctx.database.query("update work_orders set open311_token = 'old-token' where id = $1", [
      Number(created.service_request_id),
    ]);
    const tok = (await t.app.inject({ url: "/open311/v2/tokens/old-token.json" })).json();
    expect(tok).toEqual([{ service_request_id: created.service_request_id, token: "old-token" }]);
    const list = (
      await t.app.inject({ url: `/open311/v2/requests.json?service_code=municipal&status=open` })
    ).json();
    expect(list.map((q: any) => q.service_request_id)).toContain(created.service_request_id);
    const closed = (await t.app.inject({ url: `/open311/v2/requests.json?status=closed` })).json();
    expect(closed.map((q: any) => q.service_request_id)).not.toContain(created.service_request_id);
    const ids = (
      await t.app.inject({
        url: `/open311/v2/requests.xml?service_request_id=${created.service_request_id},999999`,
      })
    ).body;
    expect(xml.parse(ids).service_requests.request.service_request_id).toBe(created.service_request_id);
    // It reached the grid's work-order board like any other order.
    const [{ state, routed_level }] = await t.ctx.database.query<any>(
      "select state, routed_level from work_orders where id = $1",
      [Number(created.service_request_id)],
    );
    expect({ state, routed_level }).toEqual({ state: "dispatched", routed_level: "grid" });
  });

  it("a street key with only coordinates outside every grid falls to the street (属地兜底)", async () => {
    const r = await post("json", {
      api_key: streetKey,
      service_code: "noise",
      lat: "31.50",
      long: "121.50",
      description: "夜间施工",
    });
    expect(r.statusCode).toBe(201);
    const [{ routed_level }] = await t.ctx.database.query<any>(
      "select routed_level from work_orders where id = $1",
      [Number(r.json()[0].service_request_id)],
    );
    expect(routed_level).toBe("street");
  });

  it("answers errors as the spec's list of {code, description}", async () => {
    const noKey = await post("json", { service_code: "noise", lat: "32", long: "120" });
    expect(noKey.statusCode).toBe(403);
    expect(noKey.json()).toEqual([{ code: 403, description: expect.stringContaining("api_key") }]);
    const noKeyXml = await post("xml", { api_key: "wrong", service_code: "noise", lat: "32", long: "120" });
    expect(noKeyXml.statusCode).toBe(403);
    expect(xml.parse(noKeyXml.body).errors.error.code).toBe("403");
    const noLoc = await post("json", { api_key: key, service_code: "noise" });
    expect(noLoc.statusCode).toBe(400);
    const badCode = await post("json", { api_key: key, service_code: "nope", lat: "32", long: "120" });
    expect(badCode.statusCode).toBe(404);
    expect((await t.app.inject({ url: "/open311/v2/requests/999999.json" })).json()).toEqual([
      { code: 404, description: expect.any(String) },
    ]);
    expect((await t.app.inject({ url: "/open311/v2/services.json?jurisdiction_id=110101" })).statusCode).toBe(
      404,
    );
    expect((await t.app.inject({ url: "/open311/v2/requests.json?status=maybe" })).statusCode).toBe(400);
  });
});
