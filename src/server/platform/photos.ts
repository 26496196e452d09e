import type { FastifyInstance } from "fastify";
import sharp from "sharp";
import {
  type ImageType,
  MAX_ATTACHMENT_BYTES,
  MAX_IMAGE_PIXELS,
  sniffImage,
} from "../../domain/files/image.ts";
import { AppError } from "./errors.ts";

// A photo is kept only as an image this server decoded and encoded again: a file that only starts like
// an image (a GIF header before HTML, a PNG header before PHP) does not decode and is refused, and one that
// decodes keeps its pixels and nothing else — no bytes appended after the image, no EXIF (GPS position,
// camera owner), no comments. The first bytes choose the decoder, so only the four raster formats reach it
// (sharp would also read SVG, TIFF, HEIF …). Decoding runs on libuv's threads, not the event loop.

const notAnImage = () => new AppError(415, "unsupported_media_type", "只能上传图片（JPEG、PNG、WebP、GIF）");

const FORMAT: Record<ImageType, "jpeg" | "png" | "webp" | "gif"> = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
};

/** The photo decoded and re-encoded in its own format, with its orientation applied and no metadata. */
export async function cleanPhoto(body: Buffer): Promise<{ type: ImageType; data: Buffer }> {
  const type = sniffImage(body);
  if (!type) throw notAnImage();
  const animated = type === "image/gif" || type === "image/webp";
  try {
    const input = sharp(body, { failOn: "error", limitInputPixels: MAX_IMAGE_PIXELS, animated });
    const meta = await input.metadata();
    if (meta.format !== FORMAT[type]) throw notAnImage();
    // EXIF orientation is applied to the pixels before the metadata goes (sharp keeps none unless asked).
    const image = animated ? input : input.rotate();
    const data = await image.toFormat(FORMAT[type], type === "image/jpeg" ? { quality: 90 } : {}).toBuffer();
    return { type, data };
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (/pixel limit/i.test(String((e as Error).message)))
      throw new AppError(
        422,
        "image_too_large",
        `图片像素过多：上限 ${MAX_IMAGE_PIXELS / 1_000_000} 百万像素`,
        {
          fields: [{ field: "body", message: `图片像素不能超过 ${MAX_IMAGE_PIXELS / 1_000_000} 百万像素` }],
        },
      );
    throw new AppError(
      415,
      "unsupported_media_type",
      "文件无法作为图片解码：只能上传完好的 JPEG、PNG、WebP、GIF 图片",
    );
  }
}

/**
 * Lets the routes of this plugin take a photo as the raw request body (image/*, and octet-stream when
 * `octetStream`), up to 10 MB: Fastify answers 413 above it and 415 for other types. What arrives is still
 * only a buffer; cleanPhoto decides whether it is an image.
 */
export function acceptPhotoBodies(app: FastifyInstance, opts: { octetStream?: boolean } = {}): void {
  const keep = { parseAs: "buffer" as const, bodyLimit: MAX_ATTACHMENT_BYTES };
  app.addContentTypeParser(/^image\//, keep, (_req, body, done) => done(null, body));
  if (opts.octetStream)
    app.addContentTypeParser("application/octet-stream", keep, (_req, body, done) => done(null, body));
}
