import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { Database } from "../db/client.ts";

// Demo orders with photos, as a district's would have: a share of the resolved ones carry the worker's "done,
// see photo" picture and some open ones the reporter's. A handful of small site-like pictures (a wall, a
// stairwell, greenery, a road under a sky) are drawn once and stored by content hash exactly where uploads go,
// so the many orders that show one share its file; one set-based insert writes the rows. Demo only.

/** Pictures drawn (each order shows one of them). */
const VARIANTS = 12;

const PALETTES: [sky: string, wall: string, ground: string, accent: string][] = [
  ["#b9d4ea", "#d8cbb8", "#8a8f94", "#5a7d4f"],
  ["#c9dbe8", "#e3ddd2", "#77736b", "#b2442f"],
  ["#aac6de", "#cfc2ae", "#6d7a5a", "#3f6e8c"],
  ["#d3dde6", "#bfb5a6", "#8c8a83", "#d9a13b"],
];

/** A 320×240 scene: sky, a building face with windows, the ground, and something to look at. */
function scene(i: number): string {
  const [sky, wall, ground, accent] = PALETTES[i % PALETTES.length];
  const floors = 3 + (i % 3);
  const windows: string[] = [];
  for (let f = 0; f < floors; f++)
    for (let w = 0; w < 4; w++)
      windows.push(
        `<rect x="${60 + w * 48}" y="${40 + f * 34}" width="26" height="20" fill="#6f8596" opacity="0.8"/>`,
      );
  const thing =
    i % 3 === 0
      ? `<rect x="${30 + (i % 5) * 40}" y="182" width="70" height="34" rx="4" fill="${accent}"/>` // a heap
      : i % 3 === 1
        ? `<circle cx="${80 + (i % 4) * 50}" cy="176" r="26" fill="${accent}"/>` // a shrub
        : `<rect x="${120 + (i % 4) * 20}" y="120" width="8" height="90" fill="#444"/><circle cx="${124 + (i % 4) * 20}" cy="118" r="9" fill="${accent}"/>`; // a lamp post
  return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">
    <defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky}"/><stop offset="1" stop-color="#eef2f5"/></linearGradient></defs>
    <rect width="320" height="240" fill="url(#s)"/>
    <rect x="40" y="${40 - 14}" width="220" height="${floors * 34 + 20}" fill="${wall}"/>
    ${windows.join("")}
    <rect y="${Math.min(200, 46 + floors * 34)}" width="320" height="60" fill="${ground}"/>
    ${thing}
  </svg>`;
}

/**
 * Draws the pictures into `dataDir/attachments` (as uploads are stored) and gives a share of the demo's orders
 * one: about a quarter of those resolved or later, a tenth of the open ones. Returns how many rows it wrote.
 */
export async function seedOrderPhotos(
  database: Database,
  dataDir: string,
  opts: { scopePath?: string; seed?: number } = {},
): Promise<{ photos: number; files: number }> {
  const files: { rel: string; sha256: string; size: number }[] = [];
  for (let i = 0; i < VARIANTS; i++) {
    const data = await sharp(Buffer.from(scene(i + (opts.seed ?? 1))))
      .jpeg({ quality: 70 })
      .toBuffer();
    const sha256 = crypto.createHash("sha256").update(data).digest("hex");
    const rel = path.join("attachments", sha256.slice(0, 2), `${sha256}.jpg`);
    const abs = path.join(dataDir, rel);
    if (!fs.existsSync(abs)) {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      const tmp = `${abs}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, data);
      fs.renameSync(tmp, abs);
    }
    files.push({ rel, sha256, size: data.length });
  }
  const rows = await database.query<{ id: number }>(
    `with pics as (
       select (ord - 1)::int as k, rel, sha, size from unnest($1::text[], $2::text[], $3::int[]) with ordinality as p(rel, sha, size, ord)
     ), chosen as (
       select o.id, o.state, o.assignee_id, coalesce(o.resolved_at, o.created_at) as at,
              (o.id * 7919 + $5) % 100 as roll
         from work_orders o
        where o.org_path like $4 || '%'
          and not exists (select 1 from attachments a where a.order_id = o.id)
     )
     insert into attachments (order_id, filename, mime, size, sha256, storage_path, uploaded_by, created_at, updated_at)
     select c.id, case when c.state in ('resolved', 'callback', 'closed') then '办结现场.jpg' else '现场照片.jpg' end,
            'image/jpeg', p.size, p.sha, p.rel,
            case when c.state in ('resolved', 'callback', 'closed') then c.assignee_id end, c.at, c.at
       from chosen c join pics p on p.k = c.id % ${VARIANTS}
      where (c.state in ('resolved', 'callback', 'closed') and c.roll < 25) or c.roll < 10
     returning id`,
    [
      files.map((f) => f.rel),
      files.map((f) => f.sha256),
      files.map((f) => f.size),
      opts.scopePath ?? "/",
      opts.seed ?? 1,
    ],
  );
  return { photos: rows.length, files: files.length };
}
