// Sniffs an image's real type from its first bytes: a photo is accepted for what it is, not for the
// Content-Type a client claims.

export type ImageType = "image/jpeg" | "image/png" | "image/webp" | "image/gif";

export function sniffImage(buf: Uint8Array): ImageType | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return "image/jpeg";
  if (buf.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => buf[i] === b))
    return "image/png";
  if (
    buf.length >= 12 &&
    String.fromCharCode(...buf.subarray(0, 4)) === "RIFF" &&
    String.fromCharCode(...buf.subarray(8, 12)) === "WEBP"
  ) {
    return "image/webp";
  }
  if (buf.length >= 6 && /^GIF8[79]a$/.test(String.fromCharCode(...buf.subarray(0, 6)))) return "image/gif";
  return null;
}

export const IMAGE_EXT: Record<ImageType, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
};
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** Decoding a bigger picture would cost more memory than a photo of an order deserves (a 40 MP phone photo fits). */
export const MAX_IMAGE_PIXELS = 50_000_000;
