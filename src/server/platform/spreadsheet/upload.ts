import { AppError } from "../errors.ts";
import { StrOrNull, Strs, Type } from "../schemas.ts";

// A spreadsheet sent as the raw request body (xlsx or csv): the content types every upload route parses as a
// buffer, and the one check of what arrived — empty is 400 naming the file field, anything not read as a
// file 415 — worded with the thing the clerk was asked for (台账文件, 名单文件, 花名册文件 …).

export const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const SPREADSHEET_TYPES = [XLSX_MIME, "text/csv", "application/csv", "application/octet-stream"];

export function uploadedFile(body: unknown, what = "文件"): Buffer {
  if (body === undefined || body === null || (Buffer.isBuffer(body) && body.length === 0))
    throw new AppError(400, "invalid", `文件为空（0 字节），请选择${what} / The file is empty`, {
      fields: [{ field: "file", message: "文件为空" }],
    });
  if (!Buffer.isBuffer(body))
    throw new AppError(415, "unsupported_media_type", `请以 ${XLSX_MIME} 或 text/csv 上传${what}`);
  return body;
}

// A type list, not a union: with coercion on, a union's first branch would turn null into 0.
const Column = Type.Unsafe<number | null>({ type: ["integer", "null"], minimum: 0, maximum: 200 });

/** The confirmed header mapping of an upload: each field's column (0-based) or null, no other keys. */
export const mappingSchema = (fields: readonly string[]) =>
  Type.Object(Object.fromEntries(fields.map((f) => [f, Type.Optional(Column)])), {
    additionalProperties: false,
  });

/** What an upload answers before anything is imported: the header row found, the mapping, masked sample rows. */
export const SheetPreviewSchema = Type.Object({
  id: Type.Integer(),
  headerRow: Type.Integer(),
  mapping: Type.Record(Type.String(), Type.Union([Type.Integer(), Type.Null()])),
  columns: Strs,
  sample: Type.Array(Type.Object({ n: Type.Integer(), cells: Strs })),
  problem: StrOrNull,
});
