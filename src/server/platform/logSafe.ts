// Logs carry no personal data. An error from the database brings its values along: PostgreSQL's `detail`
// ("Key (id_hash)=(…) already exists", "Failing row contains (…)"), messages that quote the input
// ('invalid input syntax for type integer: "张三"'), and Drizzle's wrapper whose message is the whole query
// with its parameters. Every path that logs an error passes it through safeError / safeMessage: what
// remains is the error's kind, the statement's name, the database's code and names of constraints,
// tables and columns, a message with quoted values cut out, and the stack frames (code locations only).

import { statementLabel } from "../../db/statement.ts";

const REDACTED = "[redacted]";

/**
 * A message without the values it quotes. PostgreSQL puts input after a final colon in quotes
 * ('…: "value"'); identifiers it quotes elsewhere stay. Long digit runs (phones, ID numbers) go too.
 */
export function redactMessage(message: string): string {
  return message
    .replace(/: (?:"[\s\S]*"|'[\s\S]*')\s*$/, `: ${REDACTED}`)
    .replace(/(?:0x[0-9a-f]{2,}|\d[\d\s-]{5,}\d)/gi, REDACTED);
}

interface DbErrorLike extends Error {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  schema?: string;
  routine?: string;
  /** Set by Database.query: the statement's name, or its verb and table. */
  statement?: string;
  query?: string;
  cause?: unknown;
}

/** Drizzle's wrapper (PGlite's own errors carry `query` and `params` too, but no cause). */
const isDrizzleQueryError = (e: DbErrorLike) =>
  e.constructor?.name === "DrizzleQueryError" || (typeof e.query === "string" && e.cause instanceof Error);

export interface SafeError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

/** What of an error may be logged (the logger's `err` serializer). */
export function safeError(err: unknown): SafeError {
  if (!(err instanceof Error)) return { type: typeof err, message: REDACTED, stack: "" };
  const e = err as DbErrorLike;
  let statement = e.statement;
  let db: DbErrorLike = e;
  // Drizzle's wrapper: its message is the query and the parameters; the database's error is the cause.
  if (isDrizzleQueryError(e)) {
    statement ??= e.query ? statementLabel(e.query) : undefined;
    if (e.cause instanceof Error) db = e.cause as DbErrorLike;
  }
  // Frames only: the stack's first line repeats the message.
  const stack = String(e.stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l))
    .join("\n");
  const out: SafeError = {
    type: e.constructor?.name ?? e.name,
    message: db === e && isDrizzleQueryError(e) ? "query failed" : redactMessage(db.message),
    stack,
  };
  if (statement) out.statement = statement;
  if (typeof db.code === "string") out.code = db.code;
  for (const k of ["constraint", "table", "column", "schema", "routine"] as const)
    if (typeof db[k] === "string") out[k] = db[k];
  if (typeof (e as any).statusCode === "number") out.statusCode = (e as any).statusCode;
  if (db !== e && db.stack) out.causeType = db.constructor?.name ?? db.name;
  return out;
}

/** One line for a terminal (the CLI): the message of a plain error, the safe summary of a database error. */
export function safeMessage(err: unknown): string {
  if (!(err instanceof Error)) return REDACTED;
  const e = err as DbErrorLike;
  const isDb = isDrizzleQueryError(e) || typeof e.code === "string" || e.statement !== undefined;
  if (!isDb) return err.message;
  const s = safeError(err);
  return [s.statement && `[${s.statement}]`, s.code, s.message, s.constraint && `(${s.constraint})`]
    .filter(Boolean)
    .join(" ");
}

/**
 * pino's logMethod hook: an error logged as the first argument, or a message that repeats an error's own
 * message (Fastify logs `({ err }, err.message)`), is logged safely too.
 */
export function safeLogMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
  const [first, ...rest] = args;
  if (first instanceof Error) {
    const msg = typeof rest[0] === "string" && rest[0] !== first.message ? rest[0] : safeError(first).message;
    return method.apply(this, [{ err: first }, msg, ...rest.slice(1)]);
  }
  const err = (first as { err?: unknown } | null)?.err;
  if (err instanceof Error && typeof rest[0] === "string" && rest[0] === err.message)
    rest[0] = safeError(err).message;
  return method.apply(this, [first, ...rest]);
}
