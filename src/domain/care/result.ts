// Domain results: validators never throw on bad input, they say which fields failed and why (in
// Chinese, for the phone), so routes can answer 400 with the failing fields of DESIGN §5.

export interface FieldError {
  field: string;
  message: string;
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
