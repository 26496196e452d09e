import { type Answer, ApiError } from "../../app/api.ts";

// The resident app's own fetch: its session is a kind of its own (cookie gk_resident, path /api/app), with its
// own CSRF token, so it never mixes with a staff session in the same browser.

let csrf = "";
export const setResidentCsrf = (token: string) => {
  csrf = token;
};

async function answer<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = data?.error ?? {};
    throw new ApiError(
      res.status,
      e.code ?? "error",
      e.message ?? `请求失败 (${res.status})`,
      e.details?.fields ?? [],
      e.details,
    );
  }
  return data as T;
}

export async function appApi<T>(path: string, opts: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers["x-csrf-token"] = csrf;
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
  return answer<T>(res);
}

export async function appUpload<T>(path: string, file: Blob): Promise<T> {
  const res = await fetch(path, {
    method: "POST",
    headers: {
      accept: "application/json",
      "content-type": file.type || "application/octet-stream",
      "x-csrf-token": csrf,
    },
    credentials: "same-origin",
    body: file,
  });
  return answer<T>(res);
}

export type AppMe = Answer<"/api/app/me">;
export type AppMine = Answer<"/api/app/mine">;
export type AppEvent = Answer<"/api/app/events">["items"][number];
export type AppStock = Answer<"/api/app/medicines">["items"][number];
