import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { syncUpstream } from "./index.ts";
import { POLL_OVERLAP_MS } from "./upstream.ts";

// 上级交办 end to end: this installation syncs with a second Gridkeeper acting as the city's 12345 platform
// (its own app on its own database, reached over real HTTP). Between the two sits a small proxy that can
// pass requests on, refuse them, hang, or answer garbage, so the faults a real upstream has are real too.

type Mode = "pass" | "down" | "hang" | "garbage" | "bad_item" | "doubled" | "forward_then_garbage";

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const HOUR = 3600_000;

describe.each(DB_KINDS)("upstream 12345 sync on %s", (kind) => {
  let local: TestApp;
  let up: TestApp;
  let proxy: http.Server;
  let mode: Mode = "pass";
  const seen: string[] = [];
  let upKey: string;
  let building: { id: number; gridId: number };
  let localCommander: Headers;
  let grid: Headers;
  let linkId: number;
  const T = 3000;

  beforeAll(async () => {
    [local, up] = await Promise.all([createTestApp(kind), createTestApp(kind)]);
    await up.app.listen({ port: 0, host: "127.0.0.1" });
    const upPort = (up.app.server.address() as AddressInfo).port;
    proxy = http.createServer(async (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (mode === "hang") return; // never answers: the caller's timeout is what ends it
      if (mode === "down") return res.writeHead(503).end("Service Unavailable");
      if (mode === "garbage") return res.writeHead(200, { "content-type": "text/html" }).end("<html>维护中");
      const r = await fetch(`http://127.0.0.1:${upPort}${req.url}`, {
        method: req.method,
        headers: { "content-type": String(req.headers["content-type"] ?? "text/plain") },
        body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
      });
      let text = await r.text();
      if (mode === "forward_then_garbage") text = "{not json";
      if (mode === "bad_item" && req.method === "GET") text = JSON.stringify([...JSON.parse(text), { x: 1 }]);
      if (mode === "doubled" && req.method === "GET") {
        const list = JSON.parse(text);
        text = JSON.stringify([...list, ...list]);
      }
      res.writeHead(r.status, { "content-type": "application/json" }).end(text);
    });
    proxy.on("connection", (s) => s.unref());
    await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
    const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/open311/v2/`;

    // The upstream issues us a key for the district's jurisdiction.
    const upCommander = await up.login("demo-commander");
    const [district] = await up.ctx.database.query<{ id: number }>(
      "select id from org_units where kind = 'district' order by depth limit 1",
    );
    upKey = (
      await up.app.inject({
        method: "POST",
        url: "/api/open311/keys",
        headers: upCommander,
        payload: { name: "崇川区网格管家", orgUnitId: district.id },
      })
    ).json().key;

    // A building in the demo grid worker's grid (the two databases come from one seed: same ids here and there).
    localCommander = await local.login("demo-commander");
    grid = await local.login("demo-grid");
    [building] = await local.ctx.database.query<{ id: number; gridId: number }>(
      `select b.id, g.id as "gridId" from accounts a join org_units g on g.id = a.org_unit_id
       join buildings b on b.org_path like g.path || '%' where a.username = 'demo-grid' order by b.id limit 1`,
    );
    const [street] = await local.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019'",
    );
    const link = await local.app.inject({
      method: "POST",
      url: "/api/open311/upstream",
      headers: localCommander,
      payload: {
        name: "南通市12345",
        baseUrl: base,
        apiKey: upKey,
        jurisdictionId: "320613",
        orgUnitId: street.id,
        defaultCategory: "municipal_road",
        since: new Date(Date.now() - HOUR).toISOString(),
      },
    });
    expect(link.statusCode, link.body).toBe(201);
    linkId = link.json().id;
  });

  afterAll(async () => {
    proxy?.closeAllConnections();
    proxy?.close();
    await Promise.all([local?.close(), up?.close()]);
  });

  /** A caller reports to the city: a request filed on the upstream through its own Open311 POST. */
  const fileUpstream = async (text: string) => {
    const r = await up.app.inject({
      method: "POST",
      url: "/open311/v2/requests.json",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: form({
        api_key: upKey,
        jurisdiction_id: "320613",
        service_code: "municipal_lighting",
        address_id: String(building.id),
        description: text,
      }),
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json()[0].service_request_id as string;
  };
  const localOrders = () =>
    local.ctx.database.query<{ upstreamId: string; orderId: number; channel: string; orgUnitId: number }>(
      `select r.upstream_id as "upstreamId", r.order_id as "orderId", o.channel, o.org_unit_id as "orgUnitId"
       from upstream_requests r join work_orders o on o.id = r.order_id order by r.id`,
    );
  const cursor = async () =>
    new Date(
      (
        await local.ctx.database.query<{ c: Date }>(
          "select poll_cursor as c from upstream_links where id = $1",
          [linkId],
        )
      )[0].c,
    );
  const upstreamUpdates = async (id: string) =>
    (
      await up.app.inject({
        url: `/open311/v2/servicerequestupdates.json?service_request_id=${id}&start_date=${new Date(Date.now() - HOUR).toISOString()}`,
      })
    ).json() as { update_id: string; description: string; status: string }[];
  const act = async (id: number, action: string, body: Record<string, unknown> = {}) => {
    const cur = (await local.app.inject({ url: `/api/orders/${id}`, headers: grid })).json().order;
    const r = await local.app.inject({
      method: "POST",
      url: `/api/orders/${id}/actions/${action}`,
      headers: grid,
      payload: { version: cur.version, ...body },
    });
    expect(r.statusCode, r.body).toBe(200);
  };

  let first: string;
  let firstOrder: number;

  it("polls new requests into routed 12345 orders, once each, and keeps the cursor across a restart", async () => {
    first = await fileUpstream("路灯不亮，晚上很黑");
    const second = await fileUpstream("3号楼前路灯闪烁");
    mode = "doubled"; // every request listed twice in one answer
    const r = await syncUpstream(local.ctx, { timeoutMs: T });
    expect(r.polls[0]).toMatchObject({ created: 2, duplicates: 2 });
    expect(r.polls[0].error).toBeUndefined();
    const orders = await localOrders();
    expect(orders.map((o) => o.upstreamId).sort()).toEqual([first, second].sort());
    // As intake routes: the address names the building, so the order is in its grid, by the 12345 channel.
    for (const o of orders) expect(o).toMatchObject({ channel: "hotline_12345", orgUnitId: building.gridId });
    firstOrder = orders.find((o) => o.upstreamId === first)!.orderId;

    // A restart: another process (own connections on PostgreSQL) reads the cursor from the database and
    // asks only from it (less the overlap); the overlap re-reads the two and creates nothing.
    const stored = await cursor();
    expect(stored.getTime()).toBeGreaterThan(Date.now() - 60_000);
    mode = "pass";
    seen.length = 0;
    const third = await fileUpstream("小区门口路灯坏了");
    const other = await local.secondProcess();
    try {
      const again = await syncUpstream(other.ctx, { timeoutMs: T });
      expect(again.polls[0]).toMatchObject({ created: 1, duplicates: 2 });
    } finally {
      await other.close();
    }
    const get = seen.find((s) => s.startsWith("GET /open311/v2/requests.json"))!;
    const start = new URL(get.slice(4), "http://x").searchParams.get("start_date")!;
    expect(new Date(start).getTime()).toBe(stored.getTime() - POLL_OVERLAP_MS);
    expect((await localOrders()).map((o) => o.upstreamId)).toContain(third);
  });

  it("two pollers at once create one order per upstream request", async () => {
    const id = await fileUpstream("路灯杆倾斜");
    const other = await local.secondProcess();
    try {
      const both = await Promise.all([
        syncUpstream(local.ctx, { timeoutMs: T }),
        syncUpstream(other.ctx, { timeoutMs: T }),
      ]);
      expect(both.reduce((n, r) => n + r.polls[0].created, 0)).toBe(1);
    } finally {
      await other.close();
    }
    expect((await localOrders()).filter((o) => o.upstreamId === id)).toHaveLength(1);
    // The guarantee is the database's, not the read before the write: a second row for that id is refused.
    await expect(
      local.ctx.database.query(
        "insert into upstream_requests (link_id, origin, upstream_id) select link_id, origin, upstream_id from upstream_requests where upstream_id = $1",
        [id],
      ),
    ).rejects.toThrow(/duplicate key|unique/);
  });

  it("an upstream answering garbage or a malformed list: logged on the link, nothing created, cursor kept", async () => {
    const id = await fileUpstream("路灯线路裸露");
    const before = await cursor();
    const count = (await localOrders()).length;
    for (const m of ["garbage", "bad_item", "down", "hang"] as Mode[]) {
      mode = m;
      const r = await syncUpstream(local.ctx, { timeoutMs: 300 });
      expect(r.polls[0].error, m).toBeTruthy();
      expect((await localOrders()).length, m).toBe(count);
      expect((await cursor()).getTime(), m).toBe(before.getTime());
    }
    const links = (await local.app.inject({ url: "/api/open311/upstream", headers: localCommander })).json();
    expect(links.items[0].lastPollError).toMatch(/未应答/);
    mode = "pass";
    const r = await syncUpstream(local.ctx, { timeoutMs: T });
    expect(r.polls[0]).toMatchObject({ created: 1 });
    expect((await localOrders()).filter((o) => o.upstreamId === id)).toHaveLength(1);
    const after = (await local.app.inject({ url: "/api/open311/upstream", headers: localCommander })).json();
    expect(after.items[0]).toMatchObject({ lastPollError: null, orders: 5 });
    // The api key never leaves: not in the list.
    expect(JSON.stringify(after)).not.toContain(upKey);
  });

  it("posts the order's steps and the final reply back; down then up retries once, nothing doubled", async () => {
    // The upstream's own steps on its request (received, dispatched) are updates there too.
    const own = (await upstreamUpdates(first)).length;
    // Upstream down: the step is queued, the delivery fails and waits for its backoff.
    mode = "down";
    await act(firstOrder, "accept");
    let r = await syncUpstream(local.ctx, { timeoutMs: T });
    expect(r).toMatchObject({ queued: 1, sent: 0, failed: 1 });
    let detail = (await local.app.inject({ url: `/api/orders/${firstOrder}`, headers: grid })).json();
    expect(detail.upstream).toMatchObject({
      upstreamId: first,
      syncState: "pending",
      platform: "南通市12345",
    });
    expect(detail.upstream.lastError).toMatch(/503/);
    expect(await upstreamUpdates(first)).toHaveLength(own);

    // Up again, after the backoff: delivered once.
    mode = "pass";
    const later = () => new Date(Date.now() + HOUR);
    r = await syncUpstream(local.ctx, { timeoutMs: T, deliverAt: later });
    expect(r).toMatchObject({ queued: 0, sent: 1, failed: 0 });

    // The result: the upstream received it, but its answer is lost (garbage): retried, and the upstream's
    // update_id rule makes the retry a no-op there.
    await act(firstOrder, "arrive");
    await act(firstOrder, "resolve", { note: "已更换灯泡，恢复照明" });
    mode = "forward_then_garbage";
    r = await syncUpstream(local.ctx, { timeoutMs: T, deliverAt: later });
    expect(r).toMatchObject({ queued: 2, sent: 0, failed: 2 });
    mode = "hang";
    r = await syncUpstream(local.ctx, { timeoutMs: 300, deliverAt: () => new Date(Date.now() + 2 * HOUR) });
    expect(r).toMatchObject({ sent: 0, failed: 2 });
    mode = "pass";
    r = await syncUpstream(local.ctx, { timeoutMs: T, deliverAt: () => new Date(Date.now() + 3 * HOUR) });
    expect(r).toMatchObject({ sent: 2, failed: 0 });
    r = await syncUpstream(local.ctx, { timeoutMs: T, deliverAt: () => new Date(Date.now() + 4 * HOUR) });
    expect(r).toMatchObject({ queued: 0, sent: 0, failed: 0 });

    // On the upstream, through its servicerequestupdates GET: three updates, each once, the reply in words.
    const updates = await upstreamUpdates(first);
    expect(updates).toHaveLength(own + 3);
    expect(updates.map((u) => u.description)).toContain("已更换灯泡，恢复照明");
    detail = (await local.app.inject({ url: `/api/orders/${firstOrder}`, headers: grid })).json();
    expect(detail.upstream).toMatchObject({ syncState: "synced", sentUpdates: 3, pendingUpdates: 0 });
  });

  // PGlite lives in this process's memory here: the command line can reach the PostgreSQL database only.
  it.runIf(kind === "postgres")(
    "`gridkeeper upstream sync` polls and reports from the command line",
    async () => {
      mode = "pass";
      const id = await fileUpstream("路灯白天常亮");
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gk-upstream-cli-"));
      try {
        const child = spawn(process.execPath, [path.resolve("bin/gridkeeper.js"), "upstream", "sync"], {
          env: {
            ...process.env,
            DATABASE_URL: (local.ctx.database as { url?: string }).url ?? "",
            GRIDKEEPER_SECRET: "test-secret",
            GRIDKEEPER_DATA_DIR: dataDir,
            LOG_LEVEL: "warn",
          },
        });
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
        });
        child.stderr.on("data", (d) => {
          out += d;
        });
        const code = await new Promise<number | null>((ok) => child.on("close", ok));
        expect(code, out).toBe(0);
        expect(out).toMatch(/新建工单 1 件/);
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
      expect((await localOrders()).filter((o) => o.upstreamId === id)).toHaveLength(1);
    },
  );

  it("the upstream id and sync state stay off public surfaces", async () => {
    const pub = await local.app.inject({ url: `/open311/v2/requests/${firstOrder}.json` });
    expect(pub.statusCode).toBe(200);
    expect(JSON.stringify(pub.json())).not.toMatch(/upstream|南通市12345/);
    expect(Object.keys(pub.json()[0])).not.toContain("upstream");
    const updates = await local.app.inject({
      url: `/open311/v2/servicerequestupdates.json?service_request_id=${firstOrder}`,
    });
    expect(updates.body).not.toMatch(/upstream|南通市12345|12345平台/);
  });
});
