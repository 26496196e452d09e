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

export async function api<T>(path: string, opts: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers["x-csrf-token"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError(0, "network", "网络连接失败，请检查网络后重试");
  }
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

/** Builds a query string, leaving out empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== "") sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : "";
}

// Shapes of the API's answers.

export type OrgKind = "district" | "street" | "community" | "grid" | "micro_grid";

export interface Me {
  id: number;
  username: string;
  displayName: string;
  role: string;
  roleLabel: string;
  org: { id: number; name: string; kind: OrgKind; path: string };
  permissions: string[];
  csrfToken: string;
}

export interface OrgNode {
  id: number;
  kind: OrgKind;
  code: string;
  name: string;
  path: string;
  parentId: number | null;
  childCount: number;
}

export interface Crumb {
  id: number;
  kind: OrgKind;
  name: string;
  code: string;
}

export interface OrgStats {
  residents: number;
  households: number;
  buildings: number;
  tags: Record<string, number>;
}

export interface Resident {
  id: number;
  name: string;
  gender: string;
  genderLabel: string;
  birthDate: string;
  age: number;
  idNumberMasked: string;
  phoneMasked: string | null;
  address: string;
  householdId: number | null;
  buildingId: number | null;
  orgUnitId: number;
  relationToHead: string | null;
  relationLabel: string | null;
  livingArrangement: string | null;
  livingLabel: string | null;
  tags: string[];
  tagLabels: string[];
  version: number;
}

export interface ResidentPage {
  items: Resident[];
  total: number;
  totalCapped: boolean;
  page: number;
  pageSize: number;
}

export interface Household {
  id: number;
  buildingId: number;
  orgUnitId: number;
  unitNo: number | null;
  roomNo: string | null;
  address: string;
}

export interface Building {
  id: number;
  orgUnitId: number;
  name: string;
  address: string;
  floors: number | null;
  units: number | null;
}

export interface BuildingHousehold {
  id: number;
  unitNo: number | null;
  roomNo: string | null;
  address: string;
  members: number;
  tags: string[];
}

export interface BuildingSummary {
  id: number;
  name: string;
  address: string;
  households: number;
}
