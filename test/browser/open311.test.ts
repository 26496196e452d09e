import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, loginOk, PHONE, screenshot, startHarness } from "./harness.ts";

// An order a third-party platform (Open311, e.g. FixMyStreet) filed shows staff what the platform sent with
// it: the reporter's email masked, the service's extra fields in their own words, the photo links.

let h: Harness;
let orderId: number;

beforeAll(async () => {
  h = await startHarness();
  const commander = await h.t.login("demo-commander");
  const [{ id: street }] = await h.t.ctx.database.query<{ id: number }>(
    "select id from org_units where code = '320613019'",
  );
  const key = (
    await h.t.app.inject({
      method: "POST",
      url: "/api/open311/keys",
      headers: commander,
      payload: { name: "FixMyStreet", orgUnitId: street },
    })
  ).json().key as string;
  const r = await h.t.app.inject({
    method: "POST",
    url: "/open311/v2/requests.json",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({
      api_key: key,
      service_code: "municipal_road",
      address_string: "苏阳社区 3幢",
      description: "路面塌陷\r\n有一个大坑",
      email: "reporter@example.org",
      first_name: "小明",
      last_name: "张",
      media_url: "https://fms.example/photo/42.jpeg",
      "attribute[size]": "medium",
      "attribute[depth_cm]": "15",
    }).toString(),
  });
  expect(r.statusCode, r.body).toBe(201);
  orderId = Number(r.json()[0].service_request_id);
});
afterAll(() => h?.close());

describe("an Open311 order's platform details", () => {
  for (const [name, viewport] of [
    ["desktop", { width: 1366, height: 900 }],
    ["phone", PHONE],
  ] as const) {
    it(`are shown to staff on the order page (${name})`, async () => {
      const s = await h.open({ viewport });
      await loginOk(s.page, "demo-commander");
      await s.page.goto(`${h.base}/orders/${orderId}`);
      const card = s.page.getByTestId("client-extras");
      await card.waitFor();
      const text = (await card.textContent()) ?? "";
      expect(text).toContain("第三方平台附加信息");
      expect(text).toContain("r*******@example.org");
      expect(text).toContain("破损范围");
      expect(text).toContain("1–5 平方米");
      expect(text).toContain("附件 1");
      expect(text).not.toContain("reporter@");
      await screenshot(s.page, `open311-order-${name}`, /工单 \d+/);
      expect(s.errors).toEqual([]);
    });
  }
});
