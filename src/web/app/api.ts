import type { paths } from "./api.gen.ts";

// The one fetch wrapper: same-origin cookie session, CSRF header on writes, typed errors.

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let csrfToken = "";
let onUnauthorized: () => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when a request answers 401 (session expired); the auth context sends the user to /login. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/**
 * A fresh Idempotency-Key: one per user action, reused by that action's retries, so a write retried after a
 * dropped connection is done once (the server answers the retry with the first answer). From
 * crypto.getRandomValues, which (unlike randomUUID) also works on a LAN server reached over plain http.
 */
export function newIdempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits before each retry of a write whose answer was lost (network) or is still being made (409 in flight). */
const RETRY_DELAYS = [500, 1500, 3000];

/**
 * Sends a write with its Idempotency-Key and, when the network fails or the server is still busy with the
 * same action, sends it again with the same key (the server never does it twice).
 */
async function sendWrite(path: string, init: RequestInit, key: string): Promise<Response> {
  const headers = { ...(init.headers as Record<string, string>), "idempotency-key": key };
  for (let attempt = 0; ; attempt++) {
    let res: Response | undefined;
    try {
      res = await fetch(path, { ...init, headers });
    } catch {
      if (attempt >= RETRY_DELAYS.length) throw new ApiError(0, "network", "网络连接失败，请检查网络后重试");
    }
    if (res) {
      const inFlight =
        res.status === 409 &&
        (await res
          .clone()
          .json()
          .then((d) => d?.error?.code === "idempotency_in_flight")
          .catch(() => false));
      if (!inFlight || attempt >= RETRY_DELAYS.length) return res;
    }
    await pause(RETRY_DELAYS[attempt]);
  }
}

export async function api<T>(
  path: string,
  opts: { method?: string; body?: unknown; idempotencyKey?: string } = {},
): Promise<T> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers["x-csrf-token"] = csrfToken;
  const init: RequestInit = {
    method,
    headers,
    credentials: "same-origin",
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  };
  if (method !== "GET" && method !== "HEAD")
    return answer<T>(await sendWrite(path, init, opts.idempotencyKey ?? newIdempotencyKey()), path);
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", "网络连接失败，请检查网络后重试");
  }
  return answer<T>(res, path);
}

async function answer<T>(res: Response, path: string): Promise<T> {
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = data?.error ?? {};
    const fields: FieldError[] = Array.isArray(e.details?.fields) ? e.details.fields : [];
    const err = new ApiError(
      res.status,
      e.code ?? "error",
      e.message ?? `请求失败 (${res.status})`,
      fields,
      e.details,
    );
    if (res.status === 401 && path !== "/api/auth/login" && path !== "/api/me") onUnauthorized();
    throw err;
  }
  return data as T;
}

/** Sends a file as the raw request body (photo uploads); the server reads its type from content-type. */
export async function apiUpload<T>(path: string, file: Blob, idempotencyKey?: string): Promise<T> {
  const init: RequestInit = {
    method: "POST",
    headers: {
      accept: "application/json",
      "content-type": file.type || "application/octet-stream",
      "x-csrf-token": csrfToken,
    },
    credentials: "same-origin",
    body: file,
  };
  return answer<T>(await sendWrite(path, init, idempotencyKey ?? newIdempotencyKey()), path);
}

/** Builds a query string, leaving out empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== "") sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : "";
}

// Shapes of the API's answers, generated from the server's OpenAPI document (api.gen.ts, `npm run gen:api`).

type Json<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Op<P extends keyof paths, M extends string> = P extends keyof paths
  ? M extends keyof paths[P]
    ? paths[P][M]
    : never
  : never;
/** What a route answers with on success (200, or 201 for creates). */
export type Answer<P extends keyof paths, M extends "get" | "post" | "put" | "patch" | "delete" = "get"> =
  Op<P, M> extends { responses: infer R }
    ? R extends { 200: infer A }
      ? Json<A>
      : R extends { 201: infer A }
        ? Json<A>
        : never
    : never;
/** What a route takes as its JSON body. */
export type BodyOf<P extends keyof paths, M extends "post" | "put" | "patch"> =
  Op<P, M> extends {
    requestBody?: infer B;
  }
    ? Json<NonNullable<B>>
    : never;

export type OrgKind = "district" | "street" | "community" | "grid" | "micro_grid";

export type Me = Answer<"/api/me">;

// The org tree and the resident registry, as their routes declare them.

export type OrgNode = Answer<"/api/orgs">["items"][number];

export type Crumb = Answer<"/api/orgs/{id}">["breadcrumb"][number];

export type OrgStats = Answer<"/api/orgs/{id}/stats">;

export type Resident = Answer<"/api/residents/{id}">;

export type ResidentPage = Answer<"/api/residents">;

export type ResidentInput = BodyOf<"/api/residents", "post">;

export type ResidentPatch = BodyOf<"/api/residents/{id}", "patch">;

export type Household = Answer<"/api/households/{id}">["household"];

export type Building = Answer<"/api/buildings/{id}">["building"];

export type BuildingHousehold = Answer<"/api/buildings/{id}">["households"][number];

export type BuildingSummary = Answer<"/api/buildings">["items"][number];

// Work orders 接诉即办.

export type SlaStatus = WorkOrder["slaStatus"];

export type OrderClock = WorkOrder["clocks"][number];

export type OrderActionRef = WorkOrder["allowedActions"][number];

export type WorkOrder = Answer<"/api/orders/{id}">["order"];

export type OrderPage = Answer<"/api/orders">;

export type OrderEvent = Answer<"/api/orders/{id}">["events"][number];
/** 上级交办: the upstream id and sync state of an order that came from a 12345 platform (staff only). */
export type OrderUpstream = Answer<"/api/orders/{id}">["upstream"];

export type Category = Answer<"/api/categories">["items"][number];

export type Attachment = Answer<"/api/orders/{id}/attachments">["items"][number];

export type PublicOrderStatus = Answer<"/api/public/orders/{number}">;

export type NotificationItem = Answer<"/api/notifications">["items"][number];

// Rates 五率 and the red/black list 红黑榜.

export const RATE_NAMES = [
  "response_rate",
  "on_time_rate",
  "first_time_rate",
  "solve_rate",
  "satisfaction_rate",
  "rework_rate",
  "extension_rate",
] as const;
export type RateName = (typeof RATE_NAMES)[number];

export type RatesReport = Answer<"/api/rates">;

export type Rate = RatesReport["rates"][RateName];

export type RateCounts = RatesReport["counts"];

export type RankingReport = Answer<"/api/rates/ranking">;

export type RankedUnit = RankingReport["ranking"][number];

export type RateWeights = BodyOf<"/api/rates/weights", "put">;

// Care 重点人群关爱: ledger, visits, alerts, doctors, referrals, care teams (all generated from care's presenter).

export type CareLedgerSummary = Answer<"/api/care/ledger/summary">;

export type CareLedgerGrid = CareLedgerSummary["items"][number];

/** Before printing a grid's contact cards: which would show "—" where a number belongs. */
export type CardCheck = Answer<"/api/care/cards/check">;
export type CardGap = CardCheck["examples"][number]["gaps"][number] | "hotline";

export type CareLedgerPage = Answer<"/api/care/ledger">;

export type CareLedgerRow = CareLedgerPage["items"][number];

/** A finished ledger import's counts (the job's result; the job's schema leaves its result open). */
export interface CareImportResult {
  rows: number;
  residentsChanged: number;
  tagsAdded: number;
  unchanged: number;
}

/** A refused import row, as the 422's details list them. */
export interface CareImportRowError {
  row: number;
  messages: string[];
}

export type CareDueList = Answer<"/api/care/visits/due">;

export type CareDueItem = CareDueList["items"][number];

export type CareDueState = CareDueItem["state"];

export type CareVisit = Answer<"/api/care/residents/{id}/visits">["items"][number];

export type VitalLevel = CareVisit["level"];

export type VitalFlag = CareVisit["flags"][number];

export type CareVisitResult = Answer<"/api/care/visits", "post">;

export type CareAlert = Answer<"/api/care/alerts">["items"][number];

export type HealthTimeline = Answer<"/api/care/residents/{id}/health">;

export type CareConsultation = HealthTimeline["consultations"][number];

export type DoctorContract = HealthTimeline["contracts"][number];

export type Referral = Answer<"/api/care/referrals">["items"][number];

export type ReferralEventItem = Answer<"/api/care/referrals/{id}">["events"][number];

export type TagAssignment = Answer<"/api/care/residents/{id}/tags">["items"][number];

export type CarePlan = Answer<"/api/care/residents/{id}/plan">;

/** Someone a care plan can be assigned to (GET /api/care/staff). */
export type CareStaff = Answer<"/api/care/staff">["items"][number];

export type CareTeam = Answer<"/api/care/teams/{communityId}">;

export type CareTeamMember = CareTeam["members"][number];

export type CareRosterEntry = CareTeam["roster"][number];

export type OnDuty = Answer<"/api/public/care-teams/{communityId}/on-duty">;

export type OnDutySlot = OnDuty["current"];

// Admin 系统管理: the category taxonomy with its state, and Open311 API keys.

export type CategoryAdmin = Category;

export type Open311Key = Answer<"/api/open311/keys">["items"][number];

/** The answer to creating a key: the only time the whole key is sent. */
/** The answer to creating a key: the only time the whole key is sent. */
export type Open311KeyCreated = Answer<"/api/open311/keys", "post">;
export type UpstreamLink = Answer<"/api/open311/upstream">["items"][number];
