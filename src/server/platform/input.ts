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
