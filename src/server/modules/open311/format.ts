import { XMLBuilder } from "fast-xml-parser";

// Open311 GeoReport v2 answers in JSON or XML with the same fields; XML wraps lists in a plural root
// (<services><service>…</service></services>).

const builder = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false });

export type Format = "json" | "xml";

export function render(
  format: Format,
  root: string,
  item: string,
  rows: Record<string, unknown>[] | Record<string, unknown>,
): string {
  if (format === "json") return JSON.stringify(rows);
  const body = Array.isArray(rows) ? { [root]: { [item]: rows.map(clean) } } : { [root]: clean(rows) };
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build(body)}`;
}

function clean(r: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null || v === undefined ? "" : v]));
}

export const contentType = (f: Format) =>
  f === "json" ? "application/json; charset=utf-8" : "text/xml; charset=utf-8";

/** "requests.json" → ["requests", "json"]; anything else → null. */
export function splitFormat(file: string): [string, Format] | null {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  return m ? [m[1], m[2] as Format] : null;
}
