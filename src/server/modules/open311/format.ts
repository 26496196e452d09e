// Open311 GeoReport v2 answers in JSON or XML with the same fields. XML follows the spec's examples (the
// Spark convention read backwards): a list is a plural element holding one singular element per item
// (<services><service>…</service></services>), an empty list stays as its empty plural element
// (<attributes></attributes>, which FixMyStreet's XML::Simple reads as an empty list), and null is an empty
// element. Element names come from this file only; every text is escaped.

export type Format = "json" | "xml";

/** Plural element → its items' element, for every list GeoReport (and the mySociety extension) sends. */
const ITEM: Record<string, string> = {
  services: "service",
  service_requests: "request",
  service_request_updates: "request_update",
  attributes: "attribute",
  values: "value",
  errors: "error",
  endpoints: "endpoint",
  formats: "format",
};

const escapeXml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // Characters XML 1.0 cannot carry at all (input cleaning already drops them; this is the last guard).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to match them
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "");

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}></${name}>`;
  if (Array.isArray(value)) {
    const item = ITEM[name];
    if (!item) throw new Error(`open311 xml: no item element for list ${name}`);
    return `<${name}>${value.map((v) => element(item, v)).join("")}</${name}>`;
  }
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === "object") {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join("");
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The body in the asked format: `root` names the XML root (a list's plural, or an object's element). */
export function render(format: Format, root: string, body: unknown): string {
  if (format === "json") return JSON.stringify(body);
  return `<?xml version="1.0" encoding="utf-8"?>${element(root, body)}`;
}

/**
 * Exactly `text/xml` and `application/json`, the media types the spec names for its formats and the ones
 * discovery lists: the XML declaration carries the encoding and JSON is UTF-8 by definition (RFC 8259, which
 * defines no charset parameter), so nothing is lost and clients comparing the type exactly accept it.
 */
export const contentType = (f: Format) => (f === "json" ? "application/json" : "text/xml");

/** "requests.json" → ["requests", "json"]; anything else → null. */
export function splitFormat(file: string): [string, Format] | null {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  return m ? [m[1], m[2] as Format] : null;
}
