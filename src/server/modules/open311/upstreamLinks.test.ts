import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { syncUpstream } from "./index.ts";

// The admin card's form for 上级交办 links: add, edit, disable. Each bad field named in Chinese with nothing
// written; the key never shown whole (not in the list, not in the audit log); a link outside the caller's
// subtree is not found; a disabled link is neither polled nor sent to, and its steps wait queued.

const SECRET = "gk_upstream-secret-abcdef123456";

describe.each(DB_KINDS)("upstream link admin on %s", (kind) => {
  let t: TestApp;
  let commander: Headers;
  let street: number;
  let otherStreet: number;
  beforeAll(async () => {
    t = await createTestApp(kind);
    commander = await t.login("demo-commander");
    [{ id: street }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019'",
    );
    [{ id: otherStreet }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where kind = 'street' and code <> '320613019' order by id limit 1",
    );
  });
  afterAll(() => t?.close());

  const create = (body: Record<string, unknown>, who = commander) =>
    t.app.inject({ method: "POST", url: "/api/open311/upstream", headers: who, payload: body });
  const patch = (id: number, body: Record<string, unknown>, who = commander) =>
    t.app.inject({ method: "PATCH", url: `/api/open311/upstream/${id}`, headers: who, payload: body });
  const list = async (who = commander) =>
    (await t.app.inject({ url: "/api/open311/upstream", headers: who })).json().items as Record<
      string,
      unknown
    >[];
  const count = async () =>
    (await t.ctx.database.query<{ n: number }>("select count(*)::int as n from upstream_links"))[0].n;

  it("names every bad field in Chinese and writes nothing", async () => {
    const before = await count();
    const r = await create({
      name: "  ",
      baseUrl: "ftp://12345.example/open311",
      apiKey: " ",
      jurisdictionId: "南通 市",
      orgUnitId: street,
      defaultCategory: "no_such_code",
      pollIntervalMinutes: 0,
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      "name",
      "baseUrl",
      "jurisdictionId",
      "defaultCategory",
      "pollIntervalMinutes",
    ]);
    expect(r.json().error.details.fields[1].message).toMatch(/^接口地址: 须为 http\(s\) 地址/);
    const noKey = await create({
      name: "南通市12345",
      baseUrl: "http://127.0.0.1:9/open311/v2/",
      apiKey: "",
      jurisdictionId: "320600",
      orgUnitId: street,
      defaultCategory: "municipal_road",
    });
    expect(noKey.json().error.details.fields).toEqual([{ field: "apiKey", message: "接口密钥: 不能为空" }]);
    const withUser = await create({
      name: "南通市12345",
      baseUrl: `https://u:${SECRET}@12345.example.gov.cn/open311/v2?api_key=${SECRET}`,
      apiKey: SECRET,
      jurisdictionId: "320600",
      orgUnitId: street,
      defaultCategory: "municipal_road",
    });
    expect(withUser.statusCode).toBe(400);
    expect(withUser.json().error.details.fields[0].field).toBe("baseUrl");
    expect(await count()).toBe(before);
  });

  it("adds a link, lists it with the key masked, edits and disables it, audited without the key", async () => {
    const made = await create({
      name: "南通市12345",
      baseUrl: "http://127.0.0.1:9/open311/v2/",
      apiKey: SECRET,
      jurisdictionId: "320600",
      orgUnitId: street,
      defaultCategory: "municipal_road",
      pollIntervalMinutes: 5,
    });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id as number;
    const shown = (await list()).find((l) => l.id === id);
    expect(shown).toMatchObject({
      baseUrl: "http://127.0.0.1:9/open311/v2",
      apiKeyMasked: "****3456",
      pollIntervalMinutes: 5,
      enabled: true,
      defaultCategory: "municipal_road",
    });
    expect(JSON.stringify(await list())).not.toContain(SECRET);

    // Blank key keeps the key; the rest changes.
    const bad = await patch(id, { pollIntervalMinutes: 2000, baseUrl: "not a url" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      "baseUrl",
      "pollIntervalMinutes",
    ]);
    expect((await list()).find((l) => l.id === id)).toMatchObject({ pollIntervalMinutes: 5 });

    const ok = await patch(id, {
      apiKey: "",
      pollIntervalMinutes: 15,
      enabled: false,
      name: "南通市12345热线",
    });
    expect(ok.statusCode, ok.body).toBe(204);
    expect((await list()).find((l) => l.id === id)).toMatchObject({
      name: "南通市12345热线",
      pollIntervalMinutes: 15,
      enabled: false,
      apiKeyMasked: "****3456",
    });
    expect(await patch(id, { apiKey: "gk_new-secret-zyxw98765432" })).toMatchObject({ statusCode: 204 });
    expect((await list()).find((l) => l.id === id)).toMatchObject({ apiKeyMasked: "****5432" });

    const audits = await t.ctx.database.query<{ action: string; before: unknown; after: unknown }>(
      "select action, before, after from audit_events where entity = 'upstream_link' and entity_id = $1 order by id",
      [String(id)],
    );
    expect(audits.map((a) => a.action)).toEqual(["create", "update", "update"]);
    expect(audits[1].after).toEqual({ name: "南通市12345热线", pollIntervalMinutes: 15, enabled: false });
    expect(audits[2]).toMatchObject({ before: { apiKey: "****3456" }, after: { apiKey: "****5432" } });
    expect(JSON.stringify(audits)).not.toContain(SECRET);
    expect(JSON.stringify(audits)).not.toContain("gk_new-secret");
  });

  it("is not found outside the caller's subtree, and a unit outside it cannot be chosen", async () => {
    const away = await create({
      name: "外街道对接",
      baseUrl: "http://127.0.0.1:9/open311/v2",
      apiKey: SECRET,
      jurisdictionId: "OTHER",
      orgUnitId: otherStreet,
      defaultCategory: "municipal_road",
    });
    expect(away.statusCode, away.body).toBe(201);
    const streetAdmin = await t.login("demo-street");
    expect((await patch(away.json().id, { enabled: false }, streetAdmin)).statusCode).toBe(404);
    expect((await patch(999999, { enabled: false })).statusCode).toBe(404);
    const mine = (await list(streetAdmin)).map((l) => l.name);
    expect(mine).not.toContain("外街道对接");
    const own = await create(
      {
        name: "街道自建对接",
        baseUrl: "http://127.0.0.1:9/open311/v2",
        apiKey: SECRET,
        jurisdictionId: "STREET",
        orgUnitId: street,
        defaultCategory: "municipal_road",
      },
      streetAdmin,
    );
    expect(own.statusCode, own.body).toBe(201);
    expect((await patch(own.json().id, { orgUnitId: otherStreet }, streetAdmin)).statusCode).toBe(404);
    // Two links on one (platform, jurisdiction): the edit is a 409, nothing changed.
    expect((await patch(own.json().id, { jurisdictionId: "320600" })).statusCode).toBe(409);
  });

  it("polls and sends only enabled links; a disabled link's steps wait queued; the sweep honours the interval", async () => {
    const made = await create({
      name: "停用测试",
      baseUrl: "http://127.0.0.1:9/open311/v2",
      apiKey: SECRET,
      jurisdictionId: "DISABLED",
      orgUnitId: street,
      defaultCategory: "municipal_road",
      pollIntervalMinutes: 60,
    });
    const id = made.json().id as number;
    await t.ctx.database.query(
      `insert into notifications (kind, org_path, title, body, payload)
       values ('upstream_update', '/', '上级交办回传：已受理', '已受理', $1::jsonb)`,
      [
        JSON.stringify({
          linkId: id,
          serviceRequestId: "9",
          updateId: "gk-1",
          status: "OPEN",
          at: new Date().toISOString(),
          description: "x",
        }),
      ],
    );
    const attempts = async () =>
      (
        await t.ctx.database.query<{ attempts: number; state: string }>(
          "select attempts, state from notifications where kind = 'upstream_update' and (payload->>'linkId')::int = $1",
          [id],
        )
      )[0];

    await patch(id, { enabled: false });
    let r = await syncUpstream(t.ctx, { timeoutMs: 300 });
    expect(r.polls.map((p) => p.linkId)).not.toContain(id);
    expect(await attempts()).toEqual({ attempts: 0, state: "pending" });

    await patch(id, { enabled: true });
    r = await syncUpstream(t.ctx, { timeoutMs: 300 });
    const poll = r.polls.find((p) => p.linkId === id);
    expect(poll?.error).toMatch(/上级平台无法连接/);
    expect(poll?.error).not.toContain(SECRET);
    expect(await attempts()).toEqual({ attempts: 1, state: "pending" });

    // Just polled, 60-minute interval: the minute sweep leaves it; the CLI (no onlyDue) polls it.
    r = await syncUpstream(t.ctx, { timeoutMs: 300, onlyDue: true });
    expect(r.polls.map((p) => p.linkId)).not.toContain(id);
    await t.ctx.database.query(
      "update upstream_links set last_poll_at = now() - interval '61 minutes' where id = $1",
      [id],
    );
    r = await syncUpstream(t.ctx, { timeoutMs: 300, onlyDue: true });
    expect(r.polls.map((p) => p.linkId)).toContain(id);
  });
});
