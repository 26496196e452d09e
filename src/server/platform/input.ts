import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { cleanText } from "../../domain/text/clean.ts";

/**
 * The second half of the input rule (the first is in schemas.ts, where single-line fields refuse control
 * characters): after validation, every string a request carries is made well-formed (a lone surrogate
 * would make PostgreSQL fail) and loses control characters other than tab and newlines. Raw bodies
 * (uploads) are left alone.
 */
export const inputPlugin = fp(async (app: FastifyInstance) => {
  // Every integer a request carries has a range: ids and counts are PostgreSQL integers, so a value past
  // 2³¹ (or 1e308) is refused as the field instead of failing the query. Routes that say their own range
  // keep it.
  app.addHook("onRoute", (route) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema) return;
    for (const part of ["params", "querystring", "body"]) bound(schema[part], new Set());
  });
  app.addHook("preHandler", async (req) => {
    if (req.body && typeof req.body === "object" && !Buffer.isBuffer(req.body)) req.body = clean(req.body);
    if (req.query && typeof req.query === "object") req.query = clean(req.query);
    if (req.params && typeof req.params === "object") req.params = clean(req.params);
  });
});

function clean<T>(v: T): T {
  if (typeof v === "string") return cleanText(v) as T;
  if (Array.isArray(v)) return v.map(clean) as T;
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = clean(x);
    return out as T;
  }
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === null) {
    // Fastify's query objects have no prototype.
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, x] of Object.entries(v)) out[k] = clean(x);
    return out as T;
  }
  return v;
}

const INT_MAX = 2_147_483_647;

/** Gives each integer in a request schema the PostgreSQL integer range where it names none. */
function bound(schema: unknown, seen: Set<unknown>): void {
  if (!schema || typeof schema !== "object" || seen.has(schema)) return;
  seen.add(schema);
  const s = schema as Record<string, unknown>;
  const types = [s.type].flat();
  if (types.includes("integer")) {
    if (s.maximum === undefined && s.exclusiveMaximum === undefined) s.maximum = INT_MAX;
    if (s.minimum === undefined && s.exclusiveMinimum === undefined) s.minimum = -INT_MAX - 1;
  }
  for (const v of Object.values(s)) {
    if (Array.isArray(v)) for (const x of v) bound(x, seen);
    else if (v && typeof v === "object") bound(v, seen);
  }
}
