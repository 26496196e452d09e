import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { IMAGE_EXT, MAX_ATTACHMENT_BYTES } from "../../../domain/files/image.ts";
import type { Actor, AppContext, Principal } from "../../context.ts";
import { scopeWhere } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { AppError, NotFound } from "../../platform/errors.ts";
import { acceptPhotoBodies, cleanPhoto } from "../../platform/photos.ts";
import { authorize } from "../../platform/policy.ts";
import { IdParams, Items, Line, type Static, Str, stdErrors, Time, Type } from "../../platform/schemas.ts";
import { orderPolicy } from "./policy.ts";
import { loadOrder } from "./service.ts";

const AttachmentSchema = Type.Object({
  id: Type.Integer(),
  filename: Str,
  mime: Str,
  size: Type.Integer(),
  sha256: Str,
  createdAt: Time,
});

// Photos on an order (a worker's "resolved, see photo"). Stored under the data folder by content hash,
// so the same photo twice is one file and a file's name proves its content.

async function saveAttachment(
  ctx: AppContext,
  actor: Actor,
  orderId: number,
  filename: string,
  upload: Buffer,
) {
  authorize(actor, "order.act");
  const row = await loadOrder(ctx, actor, orderId);
  orderPolicy.authorize(actor, "attach", row);
  return storePhoto(ctx, actor, orderId, row.orgPath, filename, upload, actor.id);
}

/**
 * Stores a photo on an order (decoded and re-encoded, never the bytes as sent) and audits it: for staff
 * through the route above, for the resident app through the module's face (`uploadedBy` null).
 */
export async function storePhoto(
  ctx: AppContext,
  who: Principal,
  orderId: number,
  orgPath: string,
  filename: string,
  upload: Buffer,
  uploadedBy: number | null,
) {
  // What is stored is the decoded and re-encoded picture, never the bytes as sent.
  const { type, data } = await cleanPhoto(upload);
  const sha256 = crypto.createHash("sha256").update(data).digest("hex");
  const rel = path.join("attachments", sha256.slice(0, 2), `${sha256}.${IMAGE_EXT[type]}`);
  const abs = path.join(ctx.config.dataDir, rel);
  if (!fs.existsSync(abs)) {
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    // Write then rename: a crash never leaves a half-written file under the final name.
    const tmp = `${abs}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, abs);
  }
  const [a] = await ctx.database.query<{ id: number }>(
    `insert into attachments (order_id, filename, mime, size, sha256, storage_path, uploaded_by) values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [orderId, filename.slice(0, 200), type, data.length, sha256, rel, uploadedBy],
  );
  await audit.record(ctx.database.db, who, {
    action: "attach",
    entity: "work_order",
    entityId: orderId,
    orgPath,
    after: { attachmentId: a.id, sha256, size: data.length },
  });
  return { id: a.id, filename, mime: type, size: data.length, sha256, createdAt: new Date() };
}

export async function attachmentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  acceptPhotoBodies(app, { octetStream: true });

  app.post(
    "/api/orders/:id/attachments",
    {
      bodyLimit: MAX_ATTACHMENT_BYTES,
      schema: {
        tags: ["workOrders"],
        summary: "上传工单照片（图片，≤ 10 MB，请求体为图片本身）",
        params: IdParams,
        querystring: Type.Object(
          { filename: Type.Optional(Line({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: AttachmentSchema, ...stdErrors },
      },
    },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body))
        throw new AppError(415, "unsupported_media_type", "只能上传图片（JPEG、PNG、WebP、GIF）");
      return reply
        .status(201)
        .send(
          await saveAttachment(
            ctx,
            req.actor,
            req.params.id,
            req.query.filename ?? "photo",
            req.body as Buffer,
          ),
        );
    },
  );

  app.get(
    "/api/orders/:id/attachments",
    {
      schema: {
        tags: ["workOrders"],
        summary: "工单照片列表",
        params: IdParams,
        response: { 200: Items(AttachmentSchema), ...stdErrors },
      },
    },
    async (req) => {
      authorize(req.actor, "order.read");
      await loadOrder(ctx, req.actor, req.params.id);
      const items = await ctx.database.query<Static<typeof AttachmentSchema>>(
        `select id, filename, mime, size, sha256, created_at as "createdAt" from attachments where order_id = $1 order by id`,
        [req.params.id],
      );
      return { items };
    },
  );

  app.get(
    "/api/attachments/:id",
    {
      schema: {
        tags: ["workOrders"],
        summary: "下载照片（图片二进制）",
        params: IdParams,
        response: { 200: Type.Unsafe({ type: "string", format: "binary" }), ...stdErrors },
      },
    },
    async (req, reply) => {
      authorize(req.actor, "order.read");
      const params: unknown[] = [req.params.id];
      const [a] = await ctx.database.query<{ mime: string; storagePath: string }>(
        `select a.mime, a.storage_path as "storagePath" from attachments a join work_orders o on o.id = a.order_id
         where a.id = $1 and ${scopeWhere(req.actor, "o.org_path", params)}`,
        params,
      );
      if (!a) throw NotFound("照片不存在");
      reply.type(a.mime).header("cache-control", "private, max-age=86400");
      return reply.send(fs.createReadStream(path.join(ctx.config.dataDir, a.storagePath)));
    },
  );
}
