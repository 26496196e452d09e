import fs from "node:fs";
import { beforeAll, expect, it } from "vitest";
import { API_TYPES, apiTypesSource, openapiDocument } from "../../scripts/apiTypes.ts";

let doc: Record<string, unknown>;
beforeAll(async () => {
  doc = await openapiDocument();
}, 60_000);

// The web's API types are generated from the routes' schemas; a route changed without `npm run gen:api`
// leaves the web compiling against answers the server no longer gives.
it("src/web/app/api.gen.ts matches the server's OpenAPI document (run `npm run gen:api`)", async () => {
  expect(fs.readFileSync(API_TYPES, "utf8")).toBe(await apiTypesSource(doc));
}, 60_000);

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};

/** Objects in a schema that say nothing of their fields (`{ type: "object" }`, additionalProperties: true). */
function openObjects(s: Schema | undefined, at: string, out: string[]): string[] {
  if (!s || typeof s !== "object") return out;
  const isObject = s.type === "object" || (Array.isArray(s.type) && s.type.includes("object"));
  const fields = Object.keys(s.properties ?? {}).length + Object.keys(s.patternProperties ?? {}).length;
  if (isObject && fields === 0 && (s.additionalProperties ?? true) === true) out.push(at || "(body)");
  for (const [k, v] of Object.entries(s.properties ?? {})) openObjects(v, `${at}.${k}`, out);
  if (s.items) openObjects(s.items, `${at}[]`, out);
  for (const x of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) openObjects(x, at, out);
  return out;
}

/**
 * Answers a presenter does not describe. A job's result depends on its kind (the ledger import's counts, the
 * next kind's own), so the jobs schema leaves it open. The list may only shrink.
 */
const OPEN_ANSWERS = ["POST /api/care/ledger/import 202 .result", "GET /api/jobs/{id} 200 .result"];

// Every route says what it answers, field by field: the response schema is the whitelist the serializer
// applies (a field not in it never leaves) and the source of the web's types. A route without a success
// schema, or with an open object in it, fails here.
it("every route declares its success answer field by field", () => {
  const paths = doc.paths as Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  const missing: string[] = [];
  const open: string[] = [];
  for (const [p, ops] of Object.entries(paths))
    for (const [method, op] of Object.entries(ops)) {
      const route = `${method.toUpperCase()} ${p}`;
      const ok = Object.entries(op.responses ?? {}).filter(([code]) => code.startsWith("2"));
      if (!ok.length) missing.push(route);
      for (const [code, r] of ok) {
        const schema = (r as { content?: Record<string, { schema?: Schema }> }).content?.["application/json"]
          ?.schema;
        for (const at of openObjects(schema, "", [])) open.push(`${route} ${code} ${at}`);
      }
    }
  expect(missing).toEqual([]);
  expect(open.filter((o) => !OPEN_ANSWERS.includes(o))).toEqual([]);
  expect(
    OPEN_ANSWERS.filter((o) => !open.includes(o)),
    "described now: take them off OPEN_ANSWERS",
  ).toEqual([]);
});
