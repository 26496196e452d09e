import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { IMAGE_EXT, MAX_ATTACHMENT_BYTES, sniffImage } from "../../../domain/files/image.ts";
import type { Actor, AppContext } from "../../context.ts";
import { audit } from "../../platform/audit.ts";
import { AppError, NotFound } from "../../platform/errors.ts";
import { authorize, authorizeScope } from "../../platform/policy.ts";
import { idParams, stdErrors } from "../../platform/schemas.ts";
import { getOrder } from "./service.ts";

// Photos on an order (a worker's "resolved, see photo"). Stored under the data folder by content hash,
// so the same photo twice is one file and a file's name proves its content.

async function saveAttachment(
  ctx: AppContext,
  actor: Actor,
  orderId: number,
  filename: string,
  body: Buffer,
) {
  authorize(actor, "order.act");
  const { row } = await getOrder(ctx, actor, orderId);
  const type = sniffImage(body);
  if (!type) throw new AppError(415, "unsupported_media_type", "只能上传图片（JPEG、PNG、WebP、GIF）");
  const sha256 = crypto.createHash("sha256").update(body).digest("hex");
  const rel = path.join("attachments", sha256.slice(0, 2), `${sha256}.${IMAGE_EXT[type]}`);
  const abs = path.join(ctx.config.dataDir, rel);
  if (!fs.existsSync(abs)) {
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    // Write then rename: a crash never leaves a half-written file under the final name.
    const tmp = `${abs}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, body);
    fs.renameSync(tmp, abs);
  }
  const [a] = await ctx.database.query<{ id: number }>(
    `insert into attachments (order_id, filename, mime, size, sha256, storage_path, uploaded_by) values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [orderId, filename.slice(0, 200), type, body.length, sha256, rel, actor.id],
  );
  await audit(ctx.database.db, actor, {
    action: "attach",
    entity: "work_order",
    entityId: orderId,
    orgPath: row.orgPath,
    after: { attachmentId: a.id, sha256, size: body.length },
  });
  return { id: a.id, filename, mime: type, size: body.length, sha256 };
}

export async function attachmentRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  // Raw image bodies up to 10 MB on this route only; Fastify answers 413 above the limit and 415 for
  // content types no parser takes.
  app.addContentTypeParser(
    /^image\//,
    { parseAs: "buffer", bodyLimit: MAX_ATTACHMENT_BYTES },
    (_req, body, done) => done(null, body),
  );
  app.addContentTypeParser(
    "application/octet-stream",
    { parseAs: "buffer", bodyLimit: MAX_ATTACHMENT_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.post<{ Params: { id: number }; Querystring: { filename?: string }; Body: Buffer }>(
    "/api/orders/:id/attachments",
    {
      bodyLimit: MAX_ATTACHMENT_BYTES,
      schema: {
        tags: ["workOrders"],
        summary: "上传工单照片（图片，≤ 10 MB，请求体为图片本身）",
        params: idParams,
        querystring: { type: "object", properties: { filename: { type: "string", maxLength: 200 } } },
        response: { 201: { type: "object", additionalProperties: true }, ...stdErrors },
      },
    },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body))
        throw new AppError(415, "unsupported_media_type", "只能上传图片（JPEG、PNG、WebP、GIF）");
      return reply
        .status(201)
        .send(await saveAttachment(ctx, req.actor, req.params.id, req.query.filename ?? "photo", req.body));
    },
  );

  app.get<{ Params: { id: number } }>(
    "/api/orders/:id/attachments",
    {
      schema: {
        tags: ["workOrders"],
        summary: "工单照片列表",
        params: idParams,
        response: { 200: { type: "object", additionalProperties: true }, ...stdErrors },
      },
    },
    async (req) => {
      await getOrder(ctx, req.actor, req.params.id);
      const items = await ctx.database.query(
        `select id, filename, mime, size, sha256, created_at as "createdAt" from attachments where order_id = $1 order by id`,
        [req.params.id],
      );
      return { items };
    },
  );

  app.get<{ Params: { id: number } }>(
    "/api/attachments/:id",
    { schema: { tags: ["workOrders"], summary: "下载照片", params: idParams } },
    async (req, reply) => {
      authorize(req.actor, "order.read");
      const [a] = await ctx.database.query<{ mime: string; storagePath: string; orgPath: string }>(
        `select a.mime, a.storage_path as "storagePath", o.org_path as "orgPath" from attachments a join work_orders o on o.id = a.order_id where a.id = $1`,
        [req.params.id],
      );
      if (!a) throw NotFound("照片不存在");
      authorizeScope(req.actor, a.orgPath);
      reply.type(a.mime).header("cache-control", "private, max-age=86400");
      return reply.send(fs.createReadStream(path.join(ctx.config.dataDir, a.storagePath)));
    },
  );
}
