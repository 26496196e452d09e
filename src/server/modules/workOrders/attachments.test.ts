import zlib from "node:zlib";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { MAX_IMAGE_PIXELS } from "../../../domain/files/image.ts";

// A photo is kept only as a picture the server decoded and encoded again: impostors that merely start like
// an image are refused, and what is stored carries no bytes of the upload beyond its pixels.

type H = Awaited<ReturnType<TestApp["login"]>>;

/** A PNG chunk with its length and CRC. */
function chunk(type: string, data: Buffer) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

describe.each(DB_KINDS)("order photos on %s", (kind) => {
  let t: TestApp;
  let community: H;
  let orderId: number;

  const upload = (body: Buffer, type: string) =>
    t.app.inject({
      method: "POST",
      url: `/api/orders/${orderId}/attachments?filename=photo`,
      headers: { ...community, "content-type": type },
      payload: body,
    });
  const stored = async (id: number) =>
    (await t.app.inject({ url: `/api/attachments/${id}`, headers: community })).rawPayload;
  const count = async () =>
    (await t.app.inject({ url: `/api/orders/${orderId}/attachments`, headers: community })).json().items
      .length;

  beforeAll(async () => {
    t = await createTestApp(kind);
    community = await t.login("demo-community");
    const [{ id: grid }] = await t.ctx.database.query<{ id: number }>(
      "select id from org_units where code = '320613019010-G01'",
    );
    const r = await t.app.inject({
      method: "POST",
      url: "/api/orders",
      headers: await t.login("demo-agent"),
      payload: { channel: "walk_in", categoryCode: "sanitation", description: "楼道堆物", orgUnitId: grid },
    });
    orderId = r.json().id;
  });
  afterAll(() => t?.close());

  it("refuses files that only start like an image: GIF header + HTML, PNG header + PHP", async () => {
    const impostors: [Buffer, string][] = [
      [
        Buffer.from("GIF89a/*<html><body><script>alert(document.cookie)</script></body></html>*/"),
        "image/gif",
      ],
      [
        Buffer.concat([
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
          Buffer.from("<?php system($_GET['c']); ?>"),
        ]),
        "image/png",
      ],
      [
        Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("<?php phpinfo(); ?>")]),
        "image/jpeg",
      ],
      [
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        "image/svg+xml",
      ],
    ];
    const before = await count();
    for (const [body, type] of impostors) {
      const r = await upload(body, type);
      expect(r.statusCode, body.subarray(0, 12).toString()).toBe(415);
      expect(r.json().error.code).toBe("unsupported_media_type");
    }
    expect(await count()).toBe(before);
  });

  it("keeps a real picture's pixels and drops what was hidden after it", async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#c33" } })
      .gif()
      .toBuffer();
    const jpeg = await sharp({ create: { width: 6, height: 4, channels: 3, background: "#36c" } })
      .jpeg()
      .toBuffer();
    for (const [picture, type, hidden] of [
      [gif, "image/gif", "<html><script>alert(1)</script></html>"],
      [jpeg, "image/jpeg", "<?php system($_GET['c']); ?>"],
    ] as const) {
      const r = await upload(Buffer.concat([picture, Buffer.from(hidden)]), type);
      expect(r.statusCode, r.body).toBe(201);
      const back = await stored(r.json().id);
      expect(back.includes(Buffer.from("<"))).toBe(false);
      expect(back.toString("latin1")).not.toContain(hidden);
      const meta = await sharp(back).metadata();
      expect(meta.format).toBe(type.slice(6));
    }
  });

  it("strips EXIF (owner, description, position) and applies the orientation first", async () => {
    // 6 × 4 pixels, EXIF orientation 6 (rotate 90°): stored upright as 4 × 6, with no metadata.
    const photo = await sharp({ create: { width: 6, height: 4, channels: 3, background: "#999" } })
      .jpeg()
      .withExif({
        IFD0: { Artist: "王小明 13912345678", ImageDescription: "幸福里3栋502室" },
      })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(photo).metadata()).orientation).toBe(6);
    expect(photo.toString("latin1")).toContain("13912345678");
    const r = await upload(photo, "image/jpeg");
    expect(r.statusCode, r.body).toBe(201);
    const back = await stored(r.json().id);
    expect(back.toString("latin1")).not.toContain("13912345678");
    const meta = await sharp(back).metadata();
    expect(meta.exif).toBeUndefined();
    expect([meta.width, meta.height]).toEqual([4, 6]);
  });

  it("refuses a picture whose size in pixels is beyond the limit, before decoding it (422)", async () => {
    // A PNG header claiming 30,000 × 30,000 pixels (900 MP) in a few bytes.
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(30_000, 0);
    ihdr.writeUInt32BE(30_000, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const bomb = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk("IHDR", ihdr),
      chunk("IDAT", zlib.deflateSync(Buffer.alloc(1024 * 1024))),
      chunk("IEND", Buffer.alloc(0)),
    ]);
    expect(30_000 * 30_000).toBeGreaterThan(MAX_IMAGE_PIXELS);
    const r = await upload(bomb, "image/png");
    expect(r.statusCode).toBe(422);
    expect(r.json().error.message).toContain("像素");
    expect((await t.app.inject({ url: "/api/health" })).statusCode).toBe(200);
  });
});
