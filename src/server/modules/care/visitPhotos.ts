import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { IMAGE_EXT, MAX_ATTACHMENT_BYTES } from "../../../domain/files/image.ts";
import type { Actor, AppContext } from "../../context.ts";
import { scopeWhere } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { AppError, Conflict, NotFound } from "../../platform/errors.ts";
import { acceptPhotoBodies, cleanPhoto } from "../../platform/photos.ts";
import { IdParams, Items, Line, stdErrors, Type } from "../../platform/schemas.ts";
import { auditHealthRead, rows, type Tx } from "./common.ts";
import { carePolicy, healthPolicy, visitPolicy } from "./policy.ts";
import { FileSchema, type VisitPhoto, VisitPhotoSchema } from "./presenter.ts";

// Photos on a visit (the state of the flat, a medicine box, a broken handrail) as evidence beside the record.
// Only pictures the server decoded and re-encoded are kept (platform/photos.ts strips EXIF, the GPS position
// included); stored under the data folder by content hash. A visit is health data: reading its photos is
// limited to care roles in scope and audited like the visit itself.

/** Enough to show the flat and what was found; a visit is not a photo album. */
export const MAX_VISIT_PHOTOS = 9;

async function visitInScope(ctx: AppContext, actor: Actor, visitId: number) {
  const params: unknown[] = [visitId];
  const [v] = await ctx.database.query<{
    id: number;
    orgPath: string;
    visitorId: number;
    residentId: number;
  }>(
    `select v.id, v.org_path as "orgPath", v.visitor_id as "visitorId", v.resident_id as "residentId"
     from care_visits v where v.id = $1 and ${scopeWhere(actor, "v.org_path", params)}`,
    params,
  );
  if (!v) throw NotFound("走访记录不存在");
  return v;
}

async function addPhoto(ctx: AppContext, actor: Actor, visitId: number, upload: Buffer): Promise<VisitPhoto> {
  carePolicy.authorize(actor, "write");
  const v = await visitInScope(ctx, actor, visitId);
  visitPolicy.authorize(actor, "attach", v);
  const { type, data } = await cleanPhoto(upload);
  const sha256 = crypto.createHash("sha256").update(data).digest("hex");
  const rel = path.join("care-photos", sha256.slice(0, 2), `${sha256}.${IMAGE_EXT[type]}`);
  const abs = path.join(ctx.config.dataDir, rel);
  if (!fs.existsSync(abs)) {
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    // Write then rename: a crash never leaves a half-written file under the final name.
    const tmp = `${abs}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, abs);
  }
  return ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Tx;
    // Count under the visit's lock, so two uploads at once cannot pass the limit together.
    await tx.execute(sql`select id from care_visits where id = ${v.id} for update`);
    const [{ n }] = await rows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from care_visit_photos where visit_id = ${v.id}`,
    );
    if (n >= MAX_VISIT_PHOTOS)
      throw Conflict(`每次走访最多 ${MAX_VISIT_PHOTOS} 张照片`, {
        fields: [{ field: "body", message: `照片: 每次走访最多 ${MAX_VISIT_PHOTOS} 张` }],
      });
    const [photo] = await rows<VisitPhoto>(
      tx,
      sql`insert into care_visit_photos (visit_id, org_path, mime, size, sha256, storage_path, uploaded_by)
        values (${v.id}, ${v.orgPath}, ${type}, ${data.length}, ${sha256}, ${rel}, ${actor.id})
        returning id, visit_id as "visitId", mime, size, created_at as "createdAt"`,
    );
    await audit.record(tx, actor, {
      action: "attach",
      entity: "care_visit",
      entityId: v.id,
      orgPath: v.orgPath,
      after: { photoId: photo.id, sha256, size: data.length },
    });
    return photo;
  });
}

export async function visitPhotoRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  acceptPhotoBodies(app);

  app.post(
    "/api/care/visits/:id/photos",
    {
      bodyLimit: MAX_ATTACHMENT_BYTES,
      schema: {
        tags: ["care"],
        summary: `为走访添加照片（图片本身为请求体，≤ 10 MB，每次走访最多 ${MAX_VISIT_PHOTOS} 张；仅记录人）`,
        params: IdParams,
        querystring: Type.Object(
          { filename: Type.Optional(Line({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: VisitPhotoSchema, ...stdErrors },
      },
    },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body))
        throw new AppError(415, "unsupported_media_type", "只能上传图片（JPEG、PNG、WebP、GIF）");
      return reply.status(201).send(await addPhoto(ctx, req.actor, req.params.id, req.body));
    },
  );

  app.get(
    "/api/care/visits/:id/photos",
    {
      schema: {
        tags: ["care"],
        summary: "走访照片列表（读取记入审计）",
        params: IdParams,
        response: { 200: Items(VisitPhotoSchema), ...stdErrors },
      },
    },
    async (req) => {
      healthPolicy.authorize(req.actor, "read");
      const v = await visitInScope(ctx, req.actor, req.params.id);
      const items = await ctx.database.query<VisitPhoto>(
        `select id, visit_id as "visitId", mime, size, created_at as "createdAt" from care_visit_photos
         where visit_id = $1 order by id`,
        [v.id],
      );
      await auditHealthRead(ctx, req.actor, "care_visit_photo", v.id, v.orgPath, { count: items.length });
      return { items };
    },
  );

  app.get(
    "/api/care/photos/:id",
    {
      schema: {
        tags: ["care"],
        summary: "下载走访照片（图片二进制，读取记入审计）",
        params: IdParams,
        response: { 200: FileSchema, ...stdErrors },
      },
    },
    async (req, reply) => {
      healthPolicy.authorize(req.actor, "read");
      const params: unknown[] = [req.params.id];
      const [p] = await ctx.database.query<{
        mime: string;
        storagePath: string;
        orgPath: string;
        visitId: number;
      }>(
        `select p.mime, p.storage_path as "storagePath", p.org_path as "orgPath", p.visit_id as "visitId"
         from care_visit_photos p where p.id = $1 and ${scopeWhere(req.actor, "p.org_path", params)}`,
        params,
      );
      if (!p) throw NotFound("照片不存在");
      await auditHealthRead(ctx, req.actor, "care_visit_photo", req.params.id, p.orgPath, {
        visitId: p.visitId,
      });
      reply.type(p.mime).header("cache-control", "private, max-age=86400");
      return reply.send(fs.createReadStream(path.join(ctx.config.dataDir, p.storagePath)));
    },
  );
}
