import type { OrderState } from "../../../domain/workflow/index.ts";
import type * as workOrders from "../workOrders/index.ts";

// The GeoReport v2 rules that need no database: query windows and paging, comma lists, statuses, attribute
// values. Each refusal is an Open311Error with the spec's HTTP status; several at once become the spec's
// error list.

export class Open311Error extends Error {
  /** More than one problem: each becomes one {code, description} of the error list. */
  readonly descriptions: string[];
  constructor(
    readonly status: number,
    description: string | string[],
  ) {
    const all = [description].flat();
    super(all.join("; "));
    this.descriptions = all;
  }
}

const DAY = 86_400_000;
/** The spec's longest window for GET requests (and the updates extension). */
export const MAX_WINDOW_DAYS = 90;
/** The spec's "first 1000 requests": our largest page. */
export const MAX_PAGE_SIZE = 1000;

/** A w3 datetime ("2010-01-01T00:00:00Z", "1994-11-05T08:15:30-05:00"); a bare date is taken as UTC. */
export function parseW3(name: string, value: string): Date {
  const ok = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(
    value.trim(),
  );
  const d = new Date(value.trim());
  if (!ok || Number.isNaN(d.getTime()) || d.getUTCFullYear() < 2000 || d.getUTCFullYear() > 2099)
    throw new Open311Error(400, `${name} must be a w3 datetime, e.g. 2026-11-01T00:00:00Z`);
  return d;
}

/**
 * The window a list covers: both ends given → at most 90 days (longer is refused, not cut); one end → 90
 * days from or to it; none → the last 90 days.
 */
export function windowOf(q: { start_date?: string; end_date?: string }, now: Date): { from: Date; to: Date } {
  const start = q.start_date ? parseW3("start_date", q.start_date) : null;
  const end = q.end_date ? parseW3("end_date", q.end_date) : null;
  if (start && end) {
    if (end < start) throw new Open311Error(400, "end_date is before start_date");
    if (end.getTime() - start.getTime() > MAX_WINDOW_DAYS * DAY)
      throw new Open311Error(
        400,
        `start_date to end_date spans more than ${MAX_WINDOW_DAYS} days; ask for ${MAX_WINDOW_DAYS} days or less at a time`,
      );
    return { from: start, to: end };
  }
  if (start) return { from: start, to: new Date(start.getTime() + MAX_WINDOW_DAYS * DAY) };
  if (end) return { from: new Date(end.getTime() - MAX_WINDOW_DAYS * DAY), to: end };
  return { from: new Date(now.getTime() - MAX_WINDOW_DAYS * DAY), to: now };
}

/** Paging, our extension: `page` from 1, `page_size` up to 1000 (the default, as the spec's cap). */
export function pageOf(q: { page?: string; page_size?: string }): { page: number; size: number } {
  const int = (name: string, v: string | undefined, min: number, max: number, dflt: number) => {
    if (v === undefined || v === "") return dflt;
    if (!/^\d{1,7}$/.test(v) || Number(v) < min || Number(v) > max)
      throw new Open311Error(400, `${name} must be a whole number from ${min} to ${max}`);
    return Number(v);
  };
  return {
    page: int("page", q.page, 1, 1_000_000, 1),
    size: int("page_size", q.page_size, 1, MAX_PAGE_SIZE, MAX_PAGE_SIZE),
  };
}

/** "a, b,,c" → ["a", "b", "c"]; an empty list is no filter (undefined). */
export function commaList(v: string | undefined): string[] | undefined {
  const items = (v ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  return items.length ? [...new Set(items)] : undefined;
}

export function statusList(v: string | undefined): ("open" | "closed")[] | undefined {
  const items = commaList(v)?.map((s) => s.toLowerCase());
  if (!items) return undefined;
  const bad = items.filter((s) => s !== "open" && s !== "closed");
  if (bad.length)
    throw new Open311Error(400, `status must be open, closed or both (comma separated): ${bad[0]}`);
  return items as ("open" | "closed")[];
}

/** service_request_id's comma list: ids that cannot exist (not a positive integer) match nothing. */
export function idList(v: string): number[] {
  return (commaList(v) ?? [])
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0 && n <= 2_147_483_647)
    .slice(0, 1000);
}

/**
 * Why a closed order is closed, in the status notes a client shows (the spec has only open/closed, and
 * FixMyStreet shows a bare "closed" as fixed): merged and cancelled orders say so.
 */
export const CLOSED_NOTES: Partial<Record<OrderState, string>> = {
  resolved: "已办结，待回访核实 (resolved, awaiting the caller's confirmation)",
  callback: "已办结，回访中 (resolved, the caller is being called back)",
  closed: "已办结结案 (fixed and closed)",
  merged: "重复诉求，已并入另一工单办理 (duplicate: merged into another request)",
  cancelled: "已作废，无需办理 (withdrawn: no action needed)",
};

/**
 * A state in the mySociety updates extension's words (FixMyStreet's extended statuses): what a state means
 * to a FixMyStreet user, so a merged order is a duplicate and a cancelled one needs no further action
 * rather than "fixed".
 */
export function extendedStatus(state: string): string {
  switch (state) {
    case "accepted":
    case "on_site":
    case "replied":
      return "in_progress";
    case "planned":
      return "action_scheduled";
    case "resolved":
    case "callback":
    case "closed":
      return "fixed";
    case "merged":
      return "duplicate";
    case "cancelled":
      return "no_further_action";
    default:
      return "open";
  }
}

/** The statuses a client may report in a POST to servicerequestupdates (mySociety's upper-case list). */
export const CLIENT_STATUSES = [
  "OPEN",
  "CLOSED",
  "FIXED",
  "IN_PROGRESS",
  "ACTION_SCHEDULED",
  "INVESTIGATING",
  "DUPLICATE",
  "NOT_COUNCILS_RESPONSIBILITY",
  "NO_FURTHER_ACTION",
  "INTERNAL_REFERRAL",
  "REOPEN",
  "FOR_TRIAGE",
] as const;

/** `attribute[code]` / `attribute[code][]` fields of a form post → code → value(s). */
export function attributesOf(body: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    const m = /^attribute\[([^\]]{1,100})\](\[\])?$/.exec(k);
    if (!m) continue;
    const values = [v].flat().map(String);
    const prev = out[m[1]];
    const all = [...(prev === undefined ? [] : [prev].flat()), ...values];
    out[m[1]] = m[2] || all.length > 1 ? all : all[0];
  }
  return out;
}

/**
 * Checks submitted values against the service definition: each problem is one entry of the spec's error
 * list (a required value missing, a number that is not one, a key not among the values…). Values for codes
 * the definition does not name are kept as sent. Returns the values to store.
 */
export function checkAttributes(
  defs: workOrders.ServiceAttribute[],
  given: Record<string, string | string[]>,
): Record<string, string | string[]> {
  const problems: string[] = [];
  const out: Record<string, string | string[]> = { ...given };
  for (const d of defs) {
    if (d.variable === false) continue;
    const raw = given[d.code];
    const values = (raw === undefined ? [] : [raw].flat()).map((x) => x.trim()).filter(Boolean);
    if (!values.length) {
      if (d.required) problems.push(`attribute[${d.code}] is required (${d.description})`);
      delete out[d.code];
      continue;
    }
    const keys = new Set((d.values ?? []).map((v) => String(v.key)));
    switch (d.datatype) {
      case "number":
        if (values.length > 1 || !/^-?\d+(\.\d+)?$/.test(values[0]))
          problems.push(`attribute[${d.code}] must be a number`);
        break;
      case "datetime":
        try {
          parseW3(`attribute[${d.code}]`, values[0]);
        } catch {
          problems.push(`attribute[${d.code}] must be a w3 datetime`);
        }
        break;
      case "singlevaluelist":
        if (values.length > 1 || !keys.has(values[0]))
          problems.push(`attribute[${d.code}] must be one of ${[...keys].join(", ")}`);
        break;
      case "multivaluelist": {
        const bad = values.filter((v) => !keys.has(v));
        if (bad.length) problems.push(`attribute[${d.code}] values must be among ${[...keys].join(", ")}`);
        out[d.code] = values;
        continue;
      }
      case "string":
        if (values.length > 1 || /[\r\n]/.test(values[0]))
          problems.push(`attribute[${d.code}] must be one line of text`);
        break;
      default:
        break;
    }
    out[d.code] = values.length > 1 ? values : values[0];
  }
  if (problems.length) throw new Open311Error(400, problems);
  return out;
}
