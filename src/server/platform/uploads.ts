// The spreadsheets an import keeps (verification_lists.file, roster_imports.file), sealed at rest with the
// app's key (FieldCrypto: AES-256-GCM under a key derived from GRIDKEEPER_SECRET), so that a database dump,
// a backup or a replica holds no ID number, name or phone of an upload — as the registry holds none in clear.
//
// Sealed and kept, not dropped when the import finishes: the file is in the database from the upload through
// the preview (which may wait days for the admin's confirmation) and the whole run (a process killed mid-way
// resumes from the file at its checkpoint), so dropping it at the end would still leave it in clear for that
// window; and after the import the roster's flagged-row download reads it again (the flagged rows' cells as
// typed; a list's typed fields, too, are only in its file). Sealing a 60 MB file costs one sealed copy beside
// the upload (filled a MiB at a time), opening it none beside the row just read (decrypted where it lies).
//
// Each owning module reads and writes its own table (table ownership); what is stored, how it is opened and
// what a wrong key answers live here once. The row says the format: `file_key` null is a file kept before
// uploads were sealed (read as it is), otherwise the fingerprint of the key that sealed it. At start the app
// seals the plain ones left (boot.ts), and only under a key that reads the database's own ciphers.
import type { AppContext } from "../context.ts";
import type { FieldCrypto } from "./crypto.ts";
import { AppError } from "./errors.ts";

/** A kept upload as its row holds it. */
export interface KeptUpload {
  file: Uint8Array | null;
  fileKey: string | null;
}

/** What to store for an upload: its bytes sealed, and which key sealed them. */
export function sealUpload(crypto: FieldCrypto, bytes: Uint8Array): { file: Buffer; fileKey: string } {
  return { file: crypto.sealBytes(bytes), fileKey: crypto.fingerprint() };
}

/** The error code of an upload sealed under another key than the one in force. */
export const UPLOAD_KEY_MISMATCH = "upload_key_mismatch";

export const isUploadKeyMismatch = (e: unknown) => e instanceof AppError && e.code === UPLOAD_KEY_MISMATCH;

const asBuffer = (u: Uint8Array) =>
  Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * The columns to read a kept upload by, its bytes only when the key in force can open them (`param`: the
 * placeholder of that key's fingerprint): a process with the wrong secret does not fetch 60 MB to refuse them.
 */
export const keptFileColumns = (param: string) =>
  `file_key as "fileKey", case when file_key is null or file_key = ${param} then file end as file`;

/**
 * The upload's bytes (null when the row holds none), opened where the row put them: `row.file` is spent.
 * A file sealed under another key refuses, naming both keys' fingerprints (never a key), as a restore does.
 */
export function openUpload(crypto: FieldCrypto, row: KeptUpload): Buffer | null {
  if (row.fileKey !== null && row.fileKey !== crypto.fingerprint())
    throw new AppError(
      503,
      UPLOAD_KEY_MISMATCH,
      `加密密钥不符：上传的文件用指纹为 ${row.fileKey} 的密钥加密保存，当前密钥指纹为 ${crypto.fingerprint()}，无法读取。` +
        "请设置上传时的 GRIDKEEPER_SECRET（或放回原 secret.key）后再试；文件与已导入的数据均未改动。",
    );
  if (!row.file) return null;
  if (row.fileKey === null) return asBuffer(row.file);
  try {
    return crypto.openBytesInPlace(row.file);
  } catch {
    throw new AppError(422, "upload_damaged", "保存的上传文件已损坏（加密校验不符），无法读取，请重新上传");
  }
}

/**
 * Whether the key in force is the one the database's own ciphers were made with: a resident's ID number
 * opens under it, and no upload is sealed under another. A process started with the wrong secret must not
 * seal the plain uploads left under a key the others cannot open.
 */
async function keyFitsDatabase(ctx: AppContext): Promise<boolean> {
  const [r] = await ctx.database.query<{ c: string }>(
    "select id_cipher as c from residents where id_cipher is not null order by id limit 1",
  );
  if (r)
    try {
      ctx.crypto.decrypt(r.c);
    } catch {
      return false;
    }
  const other = await ctx.database.query(
    `select 1 from verification_lists where file_key <> $1
     union all select 1 from roster_imports where file_key <> $1 limit 1`,
    [ctx.crypto.fingerprint()],
  );
  return other.length === 0;
}

/**
 * The app's step that seals the uploads kept before they were sealed at rest, one file at a time (one in
 * memory): `next` reads the owner's next plain row after an id, `put` stores it sealed where it is still
 * plain. Nothing is sealed under a key that does not fit the database. Answers how many were sealed.
 */
export async function sealPlainUploads(
  ctx: AppContext,
  store: {
    next(after: number): Promise<{ id: number; file: Uint8Array } | undefined>;
    put(id: number, sealed: { file: Buffer; fileKey: string }): Promise<unknown>;
  },
): Promise<number> {
  if (!(await keyFitsDatabase(ctx))) return 0;
  let sealed = 0;
  for (let after = 0; ; ) {
    const row = await store.next(after);
    if (!row) return sealed;
    await store.put(row.id, sealUpload(ctx.crypto, row.file));
    after = row.id;
    sealed++;
  }
}
