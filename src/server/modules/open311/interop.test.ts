import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";

// Interoperability, offline: the server driven the way two real third-party clients drive it.
//  · SeeClickFix's open311-validator (tests/discovery.rb): discovery in both formats, exact media types, the
//    XML endpoints read as a list (a reader like HTTParty's turns one lone <endpoint> into a hash, not a
//    list), every endpoint with specification/url/changeset (in the past)/type/formats, v2 endpoints serving
//    text/xml, and the services list fetched at `${url}/services.xml` (so no trailing slash).
//  · FixMyStreet's Open311.pm: XML only, form-encoded POSTs carrying api_key and jurisdiction_id, lat/long
//    only, attribute[…], CRLF in descriptions, the service_request_id read from request[0], and the
//    servicerequestupdates extension (GET by window with api_key, POST with update_id, status upper-case).
// Plus each GeoReport v2 point the server chose how to answer (README.md in this folder).

/** Like HTTParty/MultiXml: a lone element is an object, repeated ones an array. */
const loose = new XMLParser({ parseTagValue: false });
/** Like FixMyStreet's XML::Simple setup: the list items are always arrays. */
const fmsLists = ["service", "attribute", "value", "request", "error", "request_update"];
const fms = new XMLParser({ parseTagValue: false, isArray: (name) => fmsLists.includes(name) });
const form = (o: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) for (const x of [v].flat()) p.append(k, x);
  return p.toString();
};
const DAY = 86_400_000;

describe.each(DB_KINDS)("Open311 interoperability on %s", (kind) => {
  let t: TestApp;
  let districtKey: string;
  let streetKey: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    const commander = await t.login("demo-commander");
    const unit = async (code: string) =>
      (await t.ctx.database.query<{ id: number }>("select id from org_units where code = $1", [code]))[0].id;
    const mint = async (name: string, orgUnitId: number) =>
      (
        await t.app.inject({
          method: "POST",
          url: "/api/open311/keys",
          headers: commander,
          payload: { name, orgUnitId },
        })
      ).json().key as string;
    districtKey = await mint("FixMyStreet 崇川", await unit("320613"));
    streetKey = await mint("秦灶街道小程序", await unit("320613019"));
  });
  afterAll(() => t?.close());

  const get = (url: string) => t.app.inject({ url });
  const post = (url: string, body: Record<string, string | string[]>) =>
    t.app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      payload: form(body),
    });

  it("passes discovery as the SeeClickFix validator checks it", async () => {
    const j = await get("/open311/v2/discovery.json");
    const x = await get("/open311/v2/discovery.xml");
    expect(j.headers["content-type"]).toBe("application/json");
    expect(x.headers["content-type"]).toBe("text/xml");
    expect(x.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const jd = j.json();
    const xd = loose.parse(x.body).discovery;
    expect(String(jd.contact).trim()).not.toBe("");
    expect(String(jd.key_service).trim()).not.toBe("");
    expect(xd.contact).toBe(jd.contact);
    expect(xd.key_service).toBe(jd.key_service);
    for (const c of [jd.changeset, xd.changeset]) expect(Date.parse(c)).toBeLessThan(Date.now());
    expect(Array.isArray(xd.endpoints.endpoint), "xml endpoints are a list").toBe(true);
    expect(Array.isArray(jd.endpoints)).toBe(true);
    const all = [...xd.endpoints.endpoint, ...jd.endpoints];
    expect(all.length).toBeGreaterThan(0);
    for (const e of all) {
      for (const f of ["specification", "url", "changeset", "type"])
        expect(String(e[f]).trim(), f).not.toBe("");
      expect(Date.parse(e.changeset)).toBeLessThan(Date.now());
      expect(e.url.endsWith("/")).toBe(false);
    }
    for (const e of xd.endpoints.endpoint) expect(Array.isArray(e.formats.format)).toBe(true);
    for (const e of jd.endpoints) expect(Array.isArray(e.formats)).toBe(true);
    const v2 = all.filter((e) => /_v2$/i.test(e.specification));
    expect(v2.length).toBeGreaterThan(0);
    for (const e of v2) expect([e.formats.format ?? e.formats].flat()).toContain("text/xml");
    // What the validator fetches next, built the way it builds it.
    for (const e of jd.endpoints) {
      for (const fmt of ["xml", "json"]) {
        const url = new URL(`${e.url}/services.${fmt}?jurisdiction_id=320613`);
        expect(url.pathname).not.toContain("//");
        const r = await get(`${url.pathname}${url.search}`);
        expect(r.statusCode, url.pathname).toBe(200);
        expect(r.headers["content-type"]).toBe(fmt === "xml" ? "text/xml" : "application/json");
      }
    }
    // Services with metadata have a definition in both formats.
    const services = fms.parse((await get("/open311/v2/services.xml?jurisdiction_id=320613")).body).services
      .service;
    const withMeta = services.filter((s: any) => s.metadata === "true");
    expect(withMeta.map((s: any) => s.service_code)).toContain("municipal_road");
    for (const s of withMeta) {
      const def = fms.parse(
        (await get(`/open311/v2/services/${s.service_code}.xml?jurisdiction_id=320613`)).body,
      );
      expect(def.service_definition.attributes.attribute.length).toBeGreaterThan(0);
    }
  });

  it("takes reports and updates from a client that behaves as FixMyStreet's Open311.pm", async () => {
    const jurisdiction_id = "320613";
    // get_service_list / get_service_meta_info
    const list = fms.parse((await get(`/open311/v2/services.xml?jurisdiction_id=${jurisdiction_id}`)).body);
    expect(list.services.service.some((s: any) => s.service_code === "municipal_road")).toBe(true);
    const meta = fms.parse((await get("/open311/v2/services/municipal_road.xml")).body);
    const size = meta.service_definition.attributes.attribute.find((a: any) => a.code === "size");
    expect(size).toMatchObject({ datatype: "singlevaluelist", required: "true" });
    expect(size.values.value.map((v: any) => v.key)).toEqual(["small", "medium", "large"]);
    // send_service_request: lat/long only, attribute[…], a CRLF description, XML answer.
    const sent = await post("/open311/v2/requests.xml", {
      jurisdiction_id,
      api_key: streetKey,
      service_code: "municipal_road",
      lat: "32.031612",
      long: "120.917512",
      email: "reporter@example.org",
      description: "路面塌陷\r\n\r\n有一个大坑\r\n\r\nhttps://fms.example/report/42\r\n",
      first_name: "小明",
      last_name: "张",
      phone: "+1 202 555 0143",
      media_url: "https://fms.example/photo/42.jpeg",
      "attribute[size]": "medium",
      "attribute[depth_cm]": "15",
      "attribute[easting]": "123456",
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.headers["content-type"]).toBe("text/xml");
    const id = fms.parse(sent.body).service_requests.request[0].service_request_id;
    expect(id).toMatch(/^\d+$/);
    const [stored] = await t.ctx.database.query<any>(
      "select description, client_extras, lat, long, caller_phone_cipher from work_orders where id = $1",
      [Number(id)],
    );
    expect(stored.description).toBe("路面塌陷\n\n有一个大坑\n\nhttps://fms.example/report/42");
    expect(stored.client_extras).toEqual({
      email: "reporter@example.org",
      mediaUrls: ["https://fms.example/photo/42.jpeg"],
      attributes: { size: "medium", depth_cm: "15", easting: "123456" },
    });
    expect(t.ctx.crypto.decrypt(stored.caller_phone_cipher)).toBe("+12025550143");
    // Staff see it on the order, the email masked and the attributes in the definition's words.
    const staff = (
      await t.app.inject({ url: `/api/orders/${id}`, headers: await t.login("demo-commander") })
    ).json();
    expect(staff.client).toEqual({
      emailMasked: "r*******@example.org",
      mediaUrls: ["https://fms.example/photo/42.jpeg"],
      attributes: [
        { code: "size", label: "破损范围", value: "1–5 平方米" },
        { code: "depth_cm", label: "深度（厘米）", value: "15" },
        { code: "easting", label: "easting", value: "123456" },
      ],
      deviceId: null,
      accountId: null,
    });
    expect(staff.order.callerPhoneMasked).toBe("+12*****0143");
    expect([stored.lat, stored.long]).toEqual([32.031612, 120.917512]);
    // get_service_requests by id
    const back = fms.parse(
      (await get(`/open311/v2/requests.xml?jurisdiction_id=320613&service_request_id=${id}`)).body,
    );
    expect(back.service_requests.request[0]).toMatchObject({ service_request_id: id, status: "open" });

    // post_service_request_update, then the same update again (a retry): one entry, the same id.
    const update = {
      jurisdiction_id,
      api_key: streetKey,
      updated_datetime: new Date().toISOString().replace(/\.\d+Z$/, "+00:00"),
      service_request_id: id,
      status: "OPEN",
      description: "居民补充：\r\n坑越来越大了",
      last_name: "张",
      first_name: "小明",
      email: "reporter@example.org",
      update_id: "fms-comment-7",
      media_url: "https://fms.example/photo/43.jpeg",
    };
    const u1 = await post("/open311/v2/servicerequestupdates.xml", update);
    expect(u1.statusCode, u1.body).toBe(201);
    const updateId = fms.parse(u1.body).service_request_updates.request_update[0].update_id;
    expect(updateId).toMatch(/^\d+$/);
    const u2 = await post("/open311/v2/servicerequestupdates.xml", update);
    expect(u2.statusCode).toBe(200);
    expect(fms.parse(u2.body).service_request_updates.request_update[0].update_id).toBe(updateId);
    const events = await t.ctx.database.query<any>(
      "select note, detail, actor_name from work_order_events where order_id = $1 and action = 'client_update'",
      [Number(id)],
    );
    expect(events).toHaveLength(1);
    expect(events[0].note).toBe("居民补充：\n坑越来越大了");
    expect(events[0].detail).toMatchObject({ status: "OPEN", mediaUrl: "https://fms.example/photo/43.jpeg" });
    expect(events[0].actor_name).toContain("秦灶街道小程序");

    // get_service_request_updates: a window, api_key sent along.
    const start = new Date(Date.now() - 3600_000).toISOString();
    const end = new Date(Date.now() + 60_000).toISOString();
    const feed = await get(
      `/open311/v2/servicerequestupdates.xml?${form({ jurisdiction_id, api_key: districtKey, start_date: start, end_date: end })}`,
    );
    expect(feed.statusCode, feed.body).toBe(200);
    const ups = fms
      .parse(feed.body)
      .service_request_updates.request_update.filter((u: any) => u.service_request_id === id);
    expect(ups.map((u: any) => u.status)).toEqual(["open", "open", "open"]);
    const mine = ups.find((u: any) => u.update_id === updateId);
    expect(mine.description).toBe("居民补充：\n坑越来越大了");
    // The other steps say in words what they led to (FixMyStreet shows the text as the council's update).
    expect(ups.filter((u: any) => u !== mine).map((u: any) => u.description)).toEqual(["受理", "已派单"]);
    for (const u of ups) {
      expect(Date.parse(u.updated_datetime)).toBeGreaterThan(0);
      expect(u).toHaveProperty("media_url");
    }
    // Bad updates: the spec's error list, nothing stored.
    const bad = await post("/open311/v2/servicerequestupdates.xml", {
      api_key: streetKey,
      service_request_id: id,
      status: "MAYBE",
      description: "x",
    });
    expect(bad.statusCode).toBe(400);
    expect(
      fms
        .parse(bad.body)
        .errors.error.map((e: any) => e.description)
        .join(" "),
    ).toMatch(/update_id is required.*updated_datetime is required/);
    const noKey = await post("/open311/v2/servicerequestupdates.xml", { ...update, api_key: "nope" });
    expect(noKey.statusCode).toBe(403);
    const elsewhere = await post("/open311/v2/servicerequestupdates.xml", {
      ...update,
      update_id: "x2",
      service_request_id: "999999",
    });
    expect(elsewhere.statusCode).toBe(404);
  });

  it("routes a lat/long-only report with a district key to the grid whose area holds the point", async () => {
    const [g] = await t.ctx.database.query<{ id: number; boundary: any }>(
      "select id, boundary from org_units where code = '320613019010-G01'",
    );
    const ring: [number, number][] = g.boundary.coordinates[0];
    const long = (Math.min(...ring.map((p) => p[0])) + Math.max(...ring.map((p) => p[0]))) / 2;
    const lat = (Math.min(...ring.map((p) => p[1])) + Math.max(...ring.map((p) => p[1]))) / 2;
    const base = {
      jurisdiction_id: "320613",
      api_key: districtKey,
      service_code: "sanitation",
      description: "垃圾",
    };
    const r = await post("/open311/v2/requests.xml", { ...base, lat: String(lat), long: String(long) });
    expect(r.statusCode, r.body).toBe(201);
    const id = Number(fms.parse(r.body).service_requests.request[0].service_request_id);
    const [o] = await t.ctx.database.query<any>(
      "select org_unit_id, routed_level, lat, long from work_orders where id = $1",
      [id],
    );
    expect(o).toEqual({ org_unit_id: g.id, routed_level: "grid", lat, long });
    // The same place as a Chinese map app gives it (GCJ-02): converted, routed alike, stored in WGS-84.
    const gcoord = (await import("gcoord")).default;
    const [gx, gy] = gcoord.transform([long, lat], gcoord.WGS84, gcoord.GCJ02) as [number, number];
    const r2 = await post("/open311/v2/requests.json", {
      ...base,
      lat: String(gy),
      long: String(gx),
      coord_system: "gcj02",
    });
    expect(r2.statusCode, r2.body).toBe(201);
    const [o2] = await t.ctx.database.query<any>(
      "select org_unit_id, lat, long from work_orders where id = $1",
      [Number(r2.json()[0].service_request_id)],
    );
    expect(o2.org_unit_id).toBe(g.id);
    expect(Math.abs(o2.lat - lat)).toBeLessThan(1e-5);
    expect(Math.abs(o2.long - long)).toBeLessThan(1e-5);
    // A point in no grid: 422 with the reason, nothing filed.
    const out = await post("/open311/v2/requests.xml", { ...base, lat: "31.0", long: "121.9" });
    expect(out.statusCode).toBe(422);
    expect(fms.parse(out.body).errors.error[0].description).toContain("lies in no grid");
    expect(
      (await post("/open311/v2/requests.json", { ...base, lat: "32", long: "121", coord_system: "bd09" }))
        .statusCode,
    ).toBe(400);
  });

  it("refuses an unknown service_code on POST with 404, a non-numeric address_id and bad attributes with 400", async () => {
    const base = { api_key: streetKey, lat: "32.03", long: "120.91", description: "测试" };
    const unknown = await post("/open311/v2/requests.xml", { ...base, service_code: "no_such_service" });
    expect(unknown.statusCode).toBe(404);
    expect(fms.parse(unknown.body).errors.error[0]).toMatchObject({ code: "404" });
    const addr = await post("/open311/v2/requests.json", {
      ...base,
      service_code: "noise",
      address_id: "#NOTPINPOINTED#",
    });
    expect(addr.statusCode).toBe(400);
    expect(addr.json()[0].description).toContain("address_id");
    const before = (
      await t.ctx.database.query<{ n: number }>("select count(*)::int as n from work_orders")
    )[0].n;
    const attrs = await post("/open311/v2/requests.json", {
      ...base,
      service_code: "municipal_road",
      "attribute[depth_cm]": "deep",
      "attribute[blocks][]": ["car", "boat"],
    });
    expect(attrs.statusCode).toBe(400);
    expect(attrs.json().map((e: any) => e.description)).toEqual([
      expect.stringContaining("attribute[size] is required"),
      expect.stringContaining("attribute[depth_cm] must be a number"),
      expect.stringContaining("attribute[blocks] values must be among"),
    ]);
    const after = (await t.ctx.database.query<{ n: number }>("select count(*)::int as n from work_orders"))[0]
      .n;
    expect(after).toBe(before);
    const multi = await post("/open311/v2/requests.json", {
      ...base,
      service_code: "municipal_road",
      "attribute[size]": "small",
      "attribute[blocks][]": ["car", "walk"],
    });
    expect(multi.statusCode, multi.body).toBe(201);
    const [{ client_extras }] = await t.ctx.database.query<any>(
      "select client_extras from work_orders where id = $1",
      [Number(multi.json()[0].service_request_id)],
    );
    expect(client_extras.attributes).toEqual({ size: "small", blocks: ["car", "walk"] });
  });

  it("accepts the spec's own POST example, landlines and +1 numbers, stored normalised and masked", async () => {
    // The example from the GeoReport v2 page, with our service code and a point in the district.
    const example =
      "api_key=KEY&jurisdiction_id=320613&service_code=sanitation&lat=32.0316&long=120.9175&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001";
    const phones: [string, string | null][] = [
      ["111111111", "*****1111"],
      ["0513-85123456", "0513-****3456"],
      ["+1 (202) 555-0143", "+12*****0143"],
      // An extension is dropped (the number before it is kept); a contact field with no number in it is
      // left out: neither refuses the report.
      ["0513-85123456 转 8012", "0513-****3456"],
      ["n/a", null],
    ];
    const agent = await t.login("demo-commander");
    for (const [phone, masked] of phones) {
      const r = await t.app.inject({
        method: "POST",
        url: "/open311/v2/requests.xml",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        payload: example
          .replace("KEY", streetKey)
          .replace("phone=111111111", `phone=${encodeURIComponent(phone)}`),
      });
      expect(r.statusCode, r.body).toBe(201);
      const id = Number(fms.parse(r.body).service_requests.request[0].service_request_id);
      const staff = (await t.app.inject({ url: `/api/orders/${id}`, headers: agent })).json();
      expect(staff.order.callerPhoneMasked).toBe(masked);
      expect(staff.order.callerName).toBe("john smith");
      const [{ client_extras }] = await t.ctx.database.query<any>(
        "select client_extras from work_orders where id = $1",
        [id],
      );
      expect(client_extras).toMatchObject({
        email: "smit333@sfgov.edu",
        deviceId: "tt222111",
        accountId: "123456",
        attributes: { WHISPAWN: "123456", WHISDORN: "COISL001" },
      });
    }
  });

  it("lists by the spec's rules: id overrides, comma lists, 90-day windows, explicit paging", async () => {
    const ids = await t.ctx.database.query<{ id: number; state: string }>(
      `select o.id, o.state from work_orders o join categories c on c.id = o.category_id
       where c.visibility = 'public' and o.created_at > now() - interval '80 days' order by o.id desc limit 2`,
    );
    const [a] = ids;
    // service_request_id overrides every other filter (a status and a service that exclude it).
    const over = (
      await get(
        `/open311/v2/requests.json?service_request_id=${a.id}&status=closed&service_code=nope&start_date=2001-01-01T00:00:00Z`,
      )
    ).json();
    expect(over.map((r: any) => r.service_request_id)).toEqual([String(a.id)]);
    // Comma lists: several services, both statuses.
    const codes = (
      await t.ctx.database.query<{ code: string }>(
        `select c.code from work_orders o join categories c on c.id = o.category_id
         where c.visibility = 'public' and o.created_at > now() - interval '30 days'
         group by c.code order by count(*) desc limit 2`,
      )
    ).map((r) => r.code);
    expect(codes).toHaveLength(2);
    const two = (
      await get(`/open311/v2/requests.json?service_code=${codes.join(",%20")}&status=open,closed`)
    ).json();
    expect(new Set(two.map((r: any) => r.service_code))).toEqual(new Set(codes));
    const both = (await get("/open311/v2/requests.json?status=open,closed")).json().length;
    const open = (await get("/open311/v2/requests.json?status=open")).json().length;
    const closed = (await get("/open311/v2/requests.json?status=closed")).json().length;
    expect(both).toBe(Math.min(1000, open + closed));
    expect((await get("/open311/v2/requests.json?status=open,maybe")).statusCode).toBe(400);
    // Windows: up to 90 days answered, longer refused with the reason (not cut silently).
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const ok = await get(`/open311/v2/requests.json?start_date=${iso(now - 90 * DAY)}&end_date=${iso(now)}`);
    expect(ok.statusCode).toBe(200);
    const long = await get(`/open311/v2/requests.xml?start_date=${iso(now - 91 * DAY)}&end_date=${iso(now)}`);
    expect(long.statusCode).toBe(400);
    expect(fms.parse(long.body).errors.error[0].description).toContain("90 days");
    expect(
      (await get(`/open311/v2/requests.json?start_date=${iso(now)}&end_date=${iso(now - DAY)}`)).statusCode,
    ).toBe(400);
    expect((await get("/open311/v2/requests.json?start_date=yesterday")).statusCode).toBe(400);
    // Paging: the total and the next page are said, pages do not overlap.
    const p1 = await get("/open311/v2/requests.json?page_size=2");
    const total = Number(p1.headers["x-total-count"]);
    expect(total).toBeGreaterThan(2);
    expect(p1.json()).toHaveLength(2);
    expect(String(p1.headers.link)).toMatch(
      /<\/open311\/v2\/requests\.json\?page_size=2&page=2>; rel="next"/,
    );
    const p2 = (await get("/open311/v2/requests.json?page_size=2&page=2")).json();
    expect(p2.map((r: any) => r.service_request_id)).not.toContain(p1.json()[0].service_request_id);
    expect((await get("/open311/v2/requests.json?page_size=1001")).statusCode).toBe(400);
    const all = await get("/open311/v2/requests.json");
    expect(all.json().length).toBe(Math.min(1000, total));
    if (total <= 1000) expect(all.headers.link).toBeUndefined();
  });

  it("handles jurisdiction_id the same way on every endpoint", async () => {
    const wrong = "110101";
    const [{ id }] = await t.ctx.database.query<{ id: number }>(
      "select o.id from work_orders o join categories c on c.id = o.category_id where c.visibility = 'public' limit 1",
    );
    await t.ctx.database.query("update work_orders set open311_token = 'jur-token' where id = $1", [id]);
    const gets = [
      "services",
      "services/sanitation",
      "requests",
      `requests/${id}`,
      "tokens/jur-token",
      "servicerequestupdates",
    ];
    for (const path of gets) {
      expect((await get(`/open311/v2/${path}.json?jurisdiction_id=320613`)).statusCode, path).toBe(200);
      expect((await get(`/open311/v2/${path}.json`)).statusCode, path).toBe(200);
      const r = await get(`/open311/v2/${path}.xml?jurisdiction_id=${wrong}`);
      expect(r.statusCode, path).toBe(404);
      expect(fms.parse(r.body).errors.error[0].description).toContain("jurisdiction_id");
    }
    for (const path of ["requests", "servicerequestupdates"]) {
      const r = await post(`/open311/v2/${path}.xml`, {
        api_key: streetKey,
        jurisdiction_id: wrong,
        service_code: "noise",
        lat: "32.03",
        long: "120.91",
      });
      expect(r.statusCode, path).toBe(404);
    }
  });

  it("says why a closed order is closed: merged is a duplicate, cancelled needs no action", async () => {
    const rows = await t.ctx.database.query<{ id: number }>(
      `select o.id from work_orders o join categories c on c.id = o.category_id
       where c.visibility = 'public' and o.state = 'dispatched' order by o.id desc limit 2`,
    );
    const [merged, cancelled] = rows.map((r) => r.id);
    const staff = await t.login("demo-commander");
    const act = async (id: number, action: string, extra: Record<string, unknown>) => {
      const [{ version }] = await t.ctx.database.query<{ version: number }>(
        "select version from work_orders where id = $1",
        [id],
      );
      return t.app.inject({
        method: "POST",
        url: `/api/orders/${id}/actions/${action}`,
        headers: staff,
        payload: { version, ...extra },
      });
    };
    const m = await act(merged, "merge", { intoOrderId: String(cancelled), reason: "同一处" });
    const c = await act(cancelled, "cancel", { reason: "居民撤诉" });
    expect(m.statusCode, m.body).toBe(200);
    expect(c.statusCode, c.body).toBe(200);
    const list = (await get(`/open311/v2/requests.json?service_request_id=${merged},${cancelled}`)).json();
    const by = Object.fromEntries(list.map((r: any) => [r.service_request_id, r]));
    expect(by[String(merged)]).toMatchObject({
      status: "closed",
      status_notes: expect.stringContaining("duplicate"),
    });
    expect(by[String(cancelled)]).toMatchObject({
      status: "closed",
      status_notes: expect.stringContaining("withdrawn"),
    });
  });
});
