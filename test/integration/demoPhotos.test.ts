import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedOrderPhotos } from "../../src/seed/orderPhotos.ts";
import { seedOrders } from "../../src/seed/orders.ts";
import { createTestApp, DB_KINDS, type TestApp } from "../helpers/app.ts";

// Demo orders with photos: a share of the seeded orders carry a small generated site picture, stored where
// uploads are and served like one; the pictures are drawn once and shared, so the seed stays fast.

describe.each(DB_KINDS)("demo orders with photos on %s", (kind) => {
  let t: TestApp;
  let seeded: { photos: number; files: number };
  let ms: number;

  beforeAll(async () => {
    t = await createTestApp(kind);
    await seedOrders(t.ctx.database, t.ctx.crypto, "320613019010", { count: 600, days: 60 });
    const [{ path }] = await t.ctx.database.query<{ path: string }>(
      "select path from org_units where code = '320613019010'",
    );
    const t0 = performance.now();
    seeded = await seedOrderPhotos(t.ctx.database, t.ctx.config.dataDir, { scopePath: path });
    ms = performance.now() - t0;
  });
  afterAll(() => t?.close());

  it("gives about a quarter of the finished orders and a tenth of the open ones a picture", async () => {
    const [share] = await t.ctx.database.query<{
      done: number;
      donePhotos: number;
      open: number;
      openPhotos: number;
    }>(
      `select count(*) filter (where done)::int as done,
              count(*) filter (where done and photo)::int as "donePhotos",
              count(*) filter (where not done)::int as open,
              count(*) filter (where not done and photo)::int as "openPhotos"
         from (select o.state in ('resolved', 'callback', 'closed') as done,
                      exists (select 1 from attachments a where a.order_id = o.id) as photo
                 from work_orders o) x`,
    );
    console.log(
      `[demo photos] ${seeded.photos} photos on 600 orders (${seeded.files} pictures) in ${ms.toFixed(0)} ms; finished ${share.donePhotos}/${share.done}, open ${share.openPhotos}/${share.open}`,
    );
    expect(seeded.files).toBe(12);
    expect(share.donePhotos / share.done).toBeGreaterThan(0.15);
    expect(share.donePhotos / share.done).toBeLessThan(0.4);
    if (share.open > 20) expect(share.openPhotos).toBeGreaterThan(0);
    // Seeding again adds nothing to orders that already have one.
    const again = await seedOrderPhotos(t.ctx.database, t.ctx.config.dataDir);
    expect(again.photos).toBe(0);
  });

  it("serves a demo photo to staff in scope as a real picture", async () => {
    const [a] = await t.ctx.database.query<{ id: number; orderId: number }>(
      `select a.id, a.order_id as "orderId" from attachments a join work_orders o on o.id = a.order_id
        where o.org_path like (select path from org_units where code = '320613019010-G01') || '%' order by a.id limit 1`,
    );
    const headers = await t.login("demo-grid");
    const list = (await t.app.inject({ url: `/api/orders/${a.orderId}/attachments`, headers })).json();
    expect(list.items.map((i: { id: number }) => i.id)).toContain(a.id);
    const r = await t.app.inject({ url: `/api/attachments/${a.id}`, headers });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe("image/jpeg");
    expect(await sharp(r.rawPayload).metadata()).toMatchObject({ format: "jpeg", width: 320, height: 240 });
  });
});
