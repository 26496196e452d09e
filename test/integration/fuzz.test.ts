import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../helpers/app.ts";

// Hostile input to every route, generated from the route table's own schemas: each field of each route
// (path, query and JSON body) in turn gets NUL bytes, control characters, lone surrogates, over-long text,
// formula text, impossible dates, integers past 2³¹ and 1e308, arrays where scalars belong and the like,
// the other fields staying valid; raw-body routes get empty and garbage bodies. Nothing may answer 5xx or
// take longer than a few seconds. The counts are printed for the note.

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
};

const TODAY = "2026-11-30";

/** A value the schema accepts (as far as a simple reading can tell): the background for one hostile field. */
function valid(s: Schema | undefined, name = ""): unknown {
  if (!s) return "1";
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return valid(alt.find((a) => a.type !== "null") ?? alt[0], name);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "integer":
    case "number":
      return Math.max(s.minimum ?? 1, Math.min(s.maximum ?? 1, 1));
    case "boolean":
      return true;
    case "array":
      return [valid(s.items, name)];
    case "object": {
      const o: Record<string, unknown> = {};
      for (const k of s.required ?? []) o[k] = valid(s.properties?.[k], k);
      return o;
    }
    default: {
      if (s.format === "date" || /\\d\{4\}-\\d\{2\}-\\d\{2\}\$/.test(s.pattern ?? "")) return TODAY;
      if (/\\d\{4\}-\\d\{2\}\$/.test(s.pattern ?? "") || /month/i.test(name)) return TODAY.slice(0, 7);
      if (/phone/i.test(name)) return "13800138000";
      if (/^(from|to|day|date)$/i.test(name)) return TODAY;
      const base = "测试";
      return base.repeat(Math.ceil((s.minLength ?? 1) / base.length)).slice(0, Math.max(s.maxLength ?? 2, 1));
    }
  }
}

const LONG = "长".repeat(5000);
/** What a careless or hostile client sends instead, by JSON type. */
const HOSTILE_JSON: unknown[] = [
  "\u0000",
  "a\u0000b",
  "\u0007\u001b[2J",
  "\ud800",
  LONG,
  "=cmd|'/c calc'!A1",
  "0001-01-01",
  "2026-13-01",
  "2026-02-30",
  "",
  " ",
  2 ** 31,
  2 ** 53 + 1,
  -(2 ** 31) - 1,
  1e308,
  -1,
  0,
  1.5,
  true,
  null,
  ["a", "b"],
  { $gt: "" },
];
/** The same in a URL (query or path), already percent-encoded where the raw form cannot be spelled. */
const HOSTILE_URL: string[] = [
  "%00",
  "a%00b",
  "%07%1B",
  "%ED%A0%80", // a lone surrogate's UTF-8 spelling
  "%E0%A4%A", // a broken escape
  encodeURIComponent(LONG),
  encodeURIComponent("=cmd|'/c calc'!A1"),
  "0001-01-01",
  "2026-13-01",
  "2026-13",
  "9999-99-99",
  "",
  String(2 ** 31),
  "99999999999999999999",
  "-1",
  "1e308",
  "1.5",
  "abc",
  "..%2F..%2Fetc%2Fpasswd",
];

interface Route {
  method: string;
  url: string;
  public: boolean;
  schema?: { params?: Schema; querystring?: Schema; body?: Schema };
}

interface Case {
  method: string;
  url: string;
  payload?: string | Buffer;
  contentType?: string;
  what: string;
}

function pathWith(route: Route, override?: [string, string]): string {
  return route.url.replace(/:([A-Za-z]+)(\([^)]*\))?/g, (_, name: string) => {
    if (override && override[0] === name) return override[1];
    const v = valid(route.schema?.params?.properties?.[name], name);
    return encodeURIComponent(String(v));
  });
}

function queryWith(route: Route, override?: [string, string[]]): string {
  const q = route.schema?.querystring;
  const parts: string[] = [];
  for (const k of Object.keys(q?.properties ?? {})) {
    if (override && override[0] === k) {
      for (const v of override[1]) parts.push(`${k}=${v}`);
      continue;
    }
    if (!(q?.required ?? []).includes(k)) continue;
    parts.push(`${k}=${encodeURIComponent(String(valid(q?.properties?.[k], k)))}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

function casesOf(route: Route): Case[] {
  const { method } = route;
  const cases: Case[] = [];
  const body = route.schema?.body;
  const validBody = body ? JSON.stringify(valid(body)) : undefined;
  const base = (url: string, what: string): Case => ({
    method,
    url,
    what,
    ...(validBody !== undefined ? { payload: validBody, contentType: "application/json" } : {}),
  });
  cases.push(base(pathWith(route) + queryWith(route), "valid"));
  for (const name of Object.keys(route.schema?.params?.properties ?? {}))
    for (const v of HOSTILE_URL)
      cases.push(base(pathWith(route, [name, v]) + queryWith(route), `param ${name}=${v.slice(0, 20)}`));
  for (const name of Object.keys(route.schema?.querystring?.properties ?? {})) {
    for (const v of HOSTILE_URL)
      cases.push(base(pathWith(route) + queryWith(route, [name, [v]]), `query ${name}=${v.slice(0, 20)}`));
    cases.push(base(pathWith(route) + queryWith(route, [name, ["1", "2"]]), `query ${name} twice`));
  }
  const url = pathWith(route) + queryWith(route);
  if (body) {
    const good = valid(body) as Record<string, unknown>;
    for (const name of Object.keys(body.properties ?? {}))
      for (const v of HOSTILE_JSON)
        cases.push({
          method,
          url,
          what: `body ${name}=${JSON.stringify(v)?.slice(0, 20)}`,
          contentType: "application/json",
          payload: JSON.stringify({ ...good, [name]: v }),
        });
    for (const raw of ["[]", '"x"', "null", "{", '{"__proto__":{"admin":true}}', "1e308"])
      cases.push({ method, url, what: `body ${raw}`, contentType: "application/json", payload: raw });
  } else if (method === "POST" || method === "PUT" || method === "PATCH") {
    // Raw-body routes (files): empty, garbage and a lying content type.
    for (const [type, payload] of [
      ["application/octet-stream", Buffer.alloc(0)],
      ["application/octet-stream", Buffer.from("\u0000\u0001garbage")],
      ["image/png", Buffer.from("GIF89a<html><script>alert(1)</script>")],
      ["text/csv", Buffer.from("\u0000,\ud800\n=cmd|'/c calc'!A1,2026-13-01")],
      ["text/calendar", Buffer.from("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261301\nEND:VCALENDAR")],
      [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Buffer.from("PK\u0003\u0004not really a zip"),
      ],
    ] as const)
      cases.push({
        method,
        url,
        what: `raw ${type} ${payload.length} bytes`,
        contentType: type,
        payload: Buffer.from(payload),
      });
  }
  return cases;
}

/** Routes whose valid call would end the fuzzing session itself. */
const SKIP = new Set(["POST /api/auth/logout"]);
const CALLERS = ["demo-commander", "demo-community", "demo-doctor"];
const SLOW_MS = 5_000;

describe.each(DB_KINDS)("hostile input to every route on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  it("answers every case below 500, within seconds", async () => {
    const routes = (t.app.gatedRoutes as Route[]).filter(
      (r) =>
        r.method !== "HEAD" &&
        !r.url.startsWith("/api/docs") &&
        !r.url.includes("*") &&
        !SKIP.has(`${r.method} ${r.url}`),
    );
    expect(routes.length).toBeGreaterThan(70);
    const statuses: Record<number, number> = {};
    const failures: string[] = [];
    let sent = 0;
    let slowest = 0;
    for (const caller of CALLERS) {
      let headers = await t.login(caller);
      // The commander walks every route; the others the areas their roles open (care, residents).
      const mine =
        caller === "demo-commander"
          ? routes
          : routes.filter((r) => /^\/api\/(care|residents|households|buildings)/.test(r.url));
      for (const route of mine)
        for (const c of casesOf(route)) {
          const started = Date.now();
          const res = await Promise.race([
            t.app.inject({
              method: c.method as "GET",
              url: c.url,
              headers: { ...headers, ...(c.contentType ? { "content-type": c.contentType } : {}) },
              payload: c.payload,
              // Failed logins among the cases lock their address out; the callers sign in from another.
              remoteAddress: "10.9.9.9",
            }),
            new Promise<null>((r) => setTimeout(() => r(null), SLOW_MS * 3)),
          ]);
          const took = Date.now() - started;
          slowest = Math.max(slowest, took);
          sent++;
          const where = `${caller} ${route.method} ${route.url} [${c.what}]`;
          if (!res) {
            failures.push(`${where} → no answer in ${SLOW_MS * 3} ms`);
            continue;
          }
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          if (res.statusCode >= 500) failures.push(`${where} → ${res.statusCode} ${res.body.slice(0, 120)}`);
          else if (took > SLOW_MS) failures.push(`${where} → ${res.statusCode} after ${took} ms`);
          // A case that ended the session (a password change, say) must not hide the rest behind 401s.
          if (res.statusCode === 401 && !route.url.startsWith("/api/auth")) headers = await t.login(caller);
        }
    }
    console.info(
      `fuzz on ${kind}: ${sent} requests over ${routes.length} routes; statuses ${JSON.stringify(statuses)}; slowest ${slowest} ms; ${failures.length} failures`,
    );
    expect(failures).toEqual([]);
  }, 600_000);
});
