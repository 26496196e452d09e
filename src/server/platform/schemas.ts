import { type Static, type TSchema, Type } from "typebox";
import { errorSchema } from "./errors.ts";

// Building blocks for route schemas. One TypeBox declaration gives a route its validation, its TypeScript
// types (through the Fastify type provider) and its OpenAPI entry, from which the web's API types are
// generated. The input rules live here once:
// - every integer has a range, every id fits PostgreSQL's int4;
// - single-line strings (names, codes, search words) reject control characters; free text (`Text`) may
//   carry them in, and the input hook (platform/input.ts) strips all but tab and newlines after validation;
// - dates and months are real calendar values in a sane range (not 2026-13, not 0001-01-01).

export { type Static, Type };

const NO_CONTROL = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";

/** A single-line string: names, codes, search words, labels. Control characters are refused. */
export const Line = (opts: {
  maxLength: number;
  minLength?: number;
  pattern?: string;
  description?: string;
}) => Type.String({ pattern: NO_CONTROL, ...opts });

/** Free text (descriptions, notes, findings): control characters other than tab and newlines are dropped. */
export const Text = (opts: { maxLength: number; minLength?: number; description?: string }) =>
  Type.String(opts);

export const Int = (
  minimum: number,
  maximum: number,
  opts: { default?: number; description?: string } = {},
) => Type.Integer({ minimum, maximum, ...opts });

/**
 * A location check-in from a phone (the Geolocation API's position, sent only when the person taps): degrees
 * and the accuracy in metres. Used by visits and by a grid worker's own report.
 */
export const CheckIn = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    long: Type.Number({ minimum: -180, maximum: 180 }),
    accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false, description: "可选的位置打卡（手机定位）：纬度、经度、精度（米）" },
);
export type CheckIn = Static<typeof CheckIn>;

export const INT4_MAX = 2147483647;
export const Id = Type.Integer({ minimum: 1, maximum: INT4_MAX });
export const IdParams = Type.Object({ id: Id });

/** A calendar day, 2000-01-01 … 2099-12-31 (the format check rejects 2026-02-30). */
export const Day = Type.String({
  format: "date",
  pattern: "^20\\d\\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$",
  description: "YYYY-MM-DD",
});
/** A month, 2000-01 … 2099-12. */
export const Month = Type.String({ pattern: "^20\\d\\d-(0[1-9]|1[0-2])$", description: "YYYY-MM" });

export const Page = Type.Integer({ minimum: 1, maximum: 10_000, default: 1 });
export const PageSize = (max: number, dflt: number) =>
  Type.Integer({ minimum: 1, maximum: max, default: dflt });

/** A string whose values are listed (TypeScript gets the union). */
export const OneOf = <const T extends readonly string[]>(values: T, opts: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...opts });

// Response building blocks. `type: [x, "null"]` keeps the serializer on its fast path (anyOf is slow) and
// @fastify/swagger turns it into OpenAPI's `nullable`.
export const Str = Type.String();
export const StrOrNull = Type.Unsafe<string | null>({ type: ["string", "null"] });
export const IntOrNull = Type.Unsafe<number | null>({ type: ["integer", "null"] });
export const NumOrNull = Type.Unsafe<number | null>({ type: ["number", "null"] });
export const BoolOrNull = Type.Unsafe<boolean | null>({ type: ["boolean", "null"] });
/** A timestamp: services hand Dates, the serializer writes ISO strings. */
export const Time = Type.Unsafe<Date | string>({ type: "string", format: "date-time" });
export const TimeOrNull = Type.Unsafe<Date | string | null>({
  type: ["string", "null"],
  format: "date-time",
});
/** An array of strings that may be null (tags never are). */
export const Strs = Type.Array(Type.String());

/** `{ items: T[] }` and `{ items: T[], total }` answers. */
export const Items = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });
export const ItemsTotal = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer() });

/** The error shape of DESIGN §5, for the OpenAPI document. */
export const ErrorBody = Type.Unsafe<{ error: { code: string; message: string; details?: unknown } }>(
  errorSchema,
);

/** Error responses every authenticated route may give. */
export const stdErrors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
} as const;

/** Legacy plain-JSON id params (modules not yet on TypeBox use it; same shape as IdParams). */
export const idParams = IdParams;

export type StaticOf<T extends TSchema> = Static<T>;
