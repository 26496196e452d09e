import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** IV and tag before a sealed file's ciphertext. */
export const SEALED_HEAD = 28;
/** A sealed file is encrypted and decrypted this much at a time. */
const BYTES_STEP = 1 << 20;

/**
 * Field encryption for ID numbers and phones (AES-256-GCM) plus keyed hashes (HMAC-SHA256) for
 * exact lookup, and whole files sealed at rest (platform/uploads.ts). Every key derives from one secret:
 * GRIDKEEPER_SECRET, or a random one kept in the data folder.
 */
export class FieldCrypto {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;
  /** Whole files (uploads kept with their import): a key of their own from the same secret. */
  private readonly bytesKey: Buffer;
  private readonly fingerprintValue: string;

  constructor(secret: string) {
    const master = Buffer.from(secret, "utf8");
    this.fingerprintValue = Buffer.from(
      crypto.hkdfSync("sha256", master, "gridkeeper", "key-fingerprint", 16),
    ).toString("hex");
    this.encKey = Buffer.from(crypto.hkdfSync("sha256", master, "gridkeeper", "field-encryption", 32));
    this.macKey = Buffer.from(crypto.hkdfSync("sha256", master, "gridkeeper", "field-hash", 32));
    this.bytesKey = Buffer.from(crypto.hkdfSync("sha256", master, "gridkeeper", "bytes-encryption", 32));
  }

  /** Random bytes for IVs, drawn 1,000 IVs at a time (one randomFillSync, not one per value). */
  private ivPool = Buffer.alloc(0);
  private ivAt = 0;

  /** A fresh random 12-byte IV: each is taken once from the pool, then the pool is replaced, never refilled. */
  private nextIv(): Buffer {
    if (this.ivAt + 12 > this.ivPool.length) {
      this.ivPool = crypto.randomFillSync(Buffer.allocUnsafe(12 * 1000));
      this.ivAt = 0;
    }
    const iv = this.ivPool.subarray(this.ivAt, this.ivAt + 12);
    this.ivAt += 12;
    return iv;
  }

  encrypt(plain: string): string {
    const iv = this.nextIv();
    const c = crypto.createCipheriv("aes-256-gcm", this.encKey, iv);
    const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString("base64");
  }

  decrypt(box: string): string {
    const buf = Buffer.from(box, "base64");
    const d = crypto.createDecipheriv("aes-256-gcm", this.encKey, buf.subarray(0, 12));
    d.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString("utf8");
  }

  /**
   * Bytes sealed with AES-256-GCM as IV (12) | tag (16) | ciphertext, in one buffer of the input's size plus
   * 28 filled a MiB at a time: a 60 MB upload costs its one sealed copy and a MiB, not the two or three a
   * `Buffer.concat` of whole parts would hold at once.
   */
  sealBytes(plain: Uint8Array): Buffer {
    const out = Buffer.allocUnsafeSlow(SEALED_HEAD + plain.length);
    crypto.randomFillSync(out, 0, 12);
    const c = crypto.createCipheriv("aes-256-gcm", this.bytesKey, out.subarray(0, 12));
    let at = SEALED_HEAD;
    for (let i = 0; i < plain.length; i += BYTES_STEP)
      at += c.update(plain.subarray(i, i + BYTES_STEP)).copy(out, at);
    at += c.final().copy(out, at);
    c.getAuthTag().copy(out, 12);
    if (at !== out.length) throw new Error(`sealBytes wrote ${at} of ${out.length} bytes`);
    return out;
  }

  /**
   * What `sealBytes` sealed, decrypted where it lies: the plaintext overwrites `box` from its start (each
   * MiB is written 28 bytes before where it was read, over ciphertext already consumed), and the answer is a
   * view of `box`'s memory — no second copy of the file. `box` is the caller's to spend (a row just read).
   * Throws when the tag does not verify (another key, or damaged bytes); `box` is garbage then.
   */
  openBytesInPlace(box: Uint8Array): Buffer {
    if (box.length < SEALED_HEAD) throw new Error("sealed bytes shorter than their header");
    const buf = Buffer.from(box.buffer, box.byteOffset, box.byteLength);
    const d = crypto.createDecipheriv("aes-256-gcm", this.bytesKey, Buffer.from(buf.subarray(0, 12)));
    d.setAuthTag(Buffer.from(buf.subarray(12, SEALED_HEAD)));
    let at = 0;
    for (let i = SEALED_HEAD; i < buf.length; i += BYTES_STEP)
      at += d.update(buf.subarray(i, i + BYTES_STEP)).copy(buf, at);
    at += d.final().copy(buf, at);
    return buf.subarray(0, at);
  }

  /**
   * Names the secret without revealing it (a one-way derivation of its own): a backup records it, and a
   * restore under another secret, which could decrypt none of the data, refuses.
   */
  fingerprint(): string {
    return this.fingerprintValue;
  }

  hash(value: string): string {
    return crypto.createHmac("sha256", this.macKey).update(value).digest("base64url");
  }
}

/** The configured or kept secret, without making one when there is none (a restore must not invent a key). */
export function existingSecret(configured: string | undefined, dataDir: string): string | undefined {
  if (configured) return configured;
  try {
    return fs.readFileSync(path.join(dataDir, "secret.key"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

export function loadSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, "secret.key");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const s = crypto.randomBytes(32).toString("base64url");
    try {
      fs.writeFileSync(file, s, { mode: 0o600, flag: "wx" });
    } catch (e) {
      // Another process created it first: use theirs, never a second key.
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return fs.readFileSync(file, "utf8").trim();
      throw e;
    }
    return s;
  }
}
