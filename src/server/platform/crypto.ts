import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Field encryption for ID numbers and phones (AES-256-GCM) plus keyed hashes (HMAC-SHA256) for
 * exact lookup. Both keys derive from one secret: GRIDKEEPER_SECRET, or a random one kept in the data folder.
 */
export class FieldCrypto {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(secret: string) {
    const master = Buffer.from(secret, "utf8");
    this.encKey = Buffer.from(crypto.hkdfSync("sha256", master, "gridkeeper", "field-encryption", 32));
    this.macKey = Buffer.from(crypto.hkdfSync("sha256", master, "gridkeeper", "field-hash", 32));
  }

  encrypt(plain: string): string {
    const iv = crypto.randomBytes(12);
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

  hash(value: string): string {
    return crypto.createHmac("sha256", this.macKey).update(value).digest("base64url");
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
