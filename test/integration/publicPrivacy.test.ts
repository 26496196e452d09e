import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../helpers/app.ts";

// What a stranger may see (issue: no private data on public surfaces). A visit with a critical blood
// pressure raises a care-urgent order; a hotline agent files an ordinary order whose text carries the caller's
// name, phone and flat. Then every public answer — Open311 in JSON and XML, list, single and token lookups,
// and the resident's status page — is searched for anything that identifies the person, the flat or their
// health. Staff surfaces outside the care roles are searched for the readings too.

describe.each(DB_KINDS)("public surfaces on %s", (kind) => {
  let t: TestApp;
  let grid: Headers;
  let agent: Headers;
  let commander: Headers;
  let resident: {
    id: number;
    name: string;
    idNumber: string;
    phone: string;
    roomNo: string;
    address: string;
  };
  let careOrder: { id: number; number: string };
  let plainOrder: { id: number; number: string };
  let token: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    [grid, agent, commander] = await Promise.all([
      t.login("demo-grid"),
      t.login("demo-agent"),
      t.login("demo-commander"),
    ]);
    const [r] = await t.ctx.database.query<{
      id: number;
      name: string;
      id_cipher: string;
      phone_cipher: string;
      room_no: string;
      address: string;
      building_id: number;
    }>(
      `select r.id, r.name, r.id_cipher, r.phone_cipher, h.room_no, r.address, r.building_id from residents r
       join households h on h.id = r.household_id
       where r.org_path like '%/320613019010-G01/%' and r.phone_cipher is not null and h.room_no is not null
       order by r.id limit 1`,
    );
    resident = {
      id: r.id,
      name: r.name,
      idNumber: t.ctx.crypto.decrypt(r.id_cipher),
      phone: t.ctx.crypto.decrypt(r.phone_cipher),
      roomNo: r.room_no,
      address: r.address,
    };

    // A critical reading on a visit: the care-urgent order.
    const v = await t.app.inject({
      method: "POST",
      url: "/api/care/visits",
      headers: grid,
      payload: {
        clientId: crypto.randomUUID(),
        residentId: resident.id,
        kind: "door",
        visitedAt: new Date(Date.now() - 60_000).toISOString(),
        durationMinutes: 20,
        findings: "头晕乏力，独居无人照看",
        vitals: { systolic: 200, diastolic: 125, heartRate: 96 },
      },
    });
    expect(v.statusCode, v.body).toBe(201);
    careOrder = v.json().workOrder;
    expect(careOrder.id).toBeGreaterThan(0);

    // An ordinary complaint whose text names the caller, their phone and their flat.
    const o = await t.app.inject({
      method: "POST",
      url: "/api/orders",
      headers: agent,
      payload: {
        channel: "hotline_12345",
        categoryCode: "municipal",
        description: `${resident.name}来电：${resident.address}门口路灯不亮，回电 ${resident.phone}，身份证 ${resident.idNumber}`,
        callerName: resident.name,
        callerPhone: resident.phone,
        residentId: resident.id,
      },
    });
    expect(o.statusCode, o.body).toBe(201);
    plainOrder = o.json();

    // And one through Open311, to have a token to look up.
    const commanderKey = await t.app.inject({
      method: "POST",
      url: "/api/open311/keys",
      headers: commander,
      payload: { name: "隐私测试", orgUnitId: (await unit("320613019010")).id },
    });
    const key = commanderKey.json().key as string;
    const filed = await t.app.inject({
      method: "POST",
      url: "/open311/v2/requests.json",
      payload: {
        api_key: key,
        service_code: "sanitation",
        address_string: resident.address,
        description: `${resident.name} 家门口（${resident.roomNo}）垃圾堆放，电话 ${resident.phone}`,
        first_name: resident.name.slice(1),
        last_name: resident.name.slice(0, 1),
        phone: resident.phone,
      },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    // A realtime service answers with the id only; tokens remain for requests filed when they were handed
    // out, so give this one a token as such a request has.
    const filedId = Number(filed.json()[0].service_request_id);
    token = `tok-${filedId}`;
    await t.ctx.database.query("update work_orders set open311_token = $1 where id = $2", [token, filedId]);
    // A client's update that names the caller and their number: the updates feed must not repeat them.
    const update = await t.app.inject({
      method: "POST",
      url: "/open311/v2/servicerequestupdates.json",
      payload: {
        api_key: key,
        service_request_id: String(filedId),
        update_id: "privacy-1",
        status: "OPEN",
        updated_datetime: new Date().toISOString(),
        description: `${resident.name} 说还没清运，电话 ${resident.phone}`,
      },
    });
    expect(update.statusCode, update.body).toBe(201);
  });
  afterAll(() => t?.close());

  const unit = async (code: string) =>
    (await t.ctx.database.query<{ id: number }>("select id from org_units where code = $1", [code]))[0];

  /** Everything that must never show: the person, the flat, the numbers (any 6 digits of them), the reading. */
  function secrets(): string[] {
    const runs = (s: string) => Array.from({ length: s.length - 5 }, (_, i) => s.slice(i, i + 6));
    return [
      resident.name,
      resident.phone,
      resident.idNumber,
      ...runs(resident.phone),
      ...runs(resident.idNumber),
      `${resident.roomNo}`,
      "200/125",
      "mmHg",
      "高血压",
      "头晕",
      "独居",
    ];
  }
  const expectClean = (label: string, body: string) => {
    for (const s of secrets()) expect(body.includes(s), `${label} shows "${s}"`).toBe(false);
  };

  it("Open311 lists, single lookups and token lookups, JSON and XML, show nothing private", async () => {
    const urls = [
      "/open311/v2/requests.json",
      "/open311/v2/requests.xml",
      `/open311/v2/requests.json?service_request_id=${careOrder.id},${plainOrder.id}`,
      `/open311/v2/requests/${plainOrder.id}.json`,
      `/open311/v2/requests/${plainOrder.id}.xml`,
      `/open311/v2/tokens/${token}.json`,
      `/open311/v2/tokens/${token}.xml`,
      "/open311/v2/services.json",
      "/open311/v2/services.xml",
      "/open311/v2/servicerequestupdates.json",
      "/open311/v2/servicerequestupdates.xml",
      `/open311/v2/servicerequestupdates.xml?service_request_id=${careOrder.id},${plainOrder.id}`,
    ];
    for (const url of urls) {
      const r = await t.app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expectClean(url, r.body);
    }
    // The ordinary order is listed, masked, at building level.
    const list = (await t.app.inject({ url: "/open311/v2/requests.json" })).json() as any[];
    const plain = list.find((x) => x.service_request_id === String(plainOrder.id));
    expect(plain.description).toContain("路灯不亮");
    expect(plain.address).not.toMatch(/单元|室/);
    // The care-urgent order's category is hidden: not listed, and not found by id either.
    expect(list.some((x) => x.service_request_id === String(careOrder.id))).toBe(false);
    expect((await t.app.inject({ url: `/open311/v2/requests/${careOrder.id}.json` })).statusCode).toBe(404);
    // Neither is the medical service offered to strangers.
    const services = (await t.app.inject({ url: "/open311/v2/services.json" })).json() as any[];
    expect(services.some((s) => s.service_code === "medical")).toBe(false);
  });

  it("the resident's status page shows progress, not the text, the caller or the phone", async () => {
    for (const o of [careOrder, plainOrder]) {
      const r = await t.app.inject({
        url: `/api/public/orders/${o.number}?phone4=${resident.phone.slice(-4)}`,
      });
      if (o === careOrder) {
        // The care order was raised by the system, not by a call: there is no caller phone to prove.
        expect(r.statusCode).toBe(404);
        continue;
      }
      expect(r.statusCode, r.body).toBe(200);
      expectClean("status page", r.body);
    }
  });

  it("a care-urgent order says which alert, not the readings, to everyone who sees orders", async () => {
    for (const h of [agent, commander, grid]) {
      const r = await t.app.inject({ url: `/api/orders/${careOrder.id}`, headers: h });
      expect(r.statusCode).toBe(200);
      expect(r.json().order.description).toBe("走访预警（危急），详见关爱档案");
      expect(r.body).not.toMatch(/200\/125|mmHg|高血压/);
    }
    // The alert's message names no one and carries no readings (commanders read the outbox); nor does any
    // message about the care order.
    const notes = (await t.app.inject({ url: "/api/notifications?limit=500", headers: commander })).json();
    const alertNote = notes.items.find((n: any) => n.kind === "care_alert");
    expect(alertNote.title).toBe("走访预警（危急）");
    for (const n of notes.items.filter((x: any) => x.kind === "care_alert" || x.orderId === careOrder.id)) {
      expect(`${n.title} ${n.body}`.includes(resident.name), n.title).toBe(false);
      expect(`${n.title} ${n.body}`).not.toMatch(/mmHg|200\/125|高血压/);
    }
    // The readings are in the care module, for care roles in scope; the commander and the agent get 403 there.
    expect(
      (await t.app.inject({ url: `/api/care/residents/${resident.id}/health`, headers: grid })).statusCode,
    ).toBe(200);
    for (const h of [agent, commander])
      expect(
        (await t.app.inject({ url: `/api/care/residents/${resident.id}/health`, headers: h })).statusCode,
      ).toBe(403);
  });
});
