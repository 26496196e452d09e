import { type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo } from "react";
import { forgetAssignment } from "../modules/campaigns/offline.ts";
import { ApiError, api, type Me, setCsrfToken, setUnauthorizedHandler } from "./api.ts";
import { clearDrafts, hasDrafts } from "./forms.ts";

interface Auth {
  me: Me | null;
  loading: boolean;
  can(permission: string): boolean;
  login(username: string, password: string): Promise<Me>;
  logout(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);
const ME_KEY = ["me"];

/** Set when a session ended under someone's feet, read by the sign-in page to say why it asks again. */
const EXPIRED = "gk.sessionExpired";

/** Why the sign-in page is shown, when it is not the first sign-in: "draft" (a draft was kept) or "plain". */
export function sessionExpiredReason(): "draft" | "plain" | null {
  try {
    const v = window.sessionStorage.getItem(EXPIRED);
    return v === "draft" || v === "plain" ? v : null;
  } catch {
    return null;
  }
}

function setExpired(v: "draft" | "plain" | null) {
  try {
    if (v) window.sessionStorage.setItem(EXPIRED, v);
    else window.sessionStorage.removeItem(EXPIRED);
  } catch {
    // Without session storage the sign-in page simply does not say why.
  }
}

/** Drops every cached answer of the previous session but keeps the `me` query (its observer stays subscribed). */
function resetSession(qc: QueryClient, me: Me | null) {
  qc.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" });
  qc.setQueryData(ME_KEY, me);
}

async function fetchMe(): Promise<Me | null> {
  try {
    return await api<Me>("/api/me");
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const { data, isPending } = useQuery({
    queryKey: ME_KEY,
    queryFn: fetchMe,
    staleTime: Infinity,
    retry: false,
  });
  const me = data ?? null;

  useEffect(() => {
    if (me) setCsrfToken(me.csrfToken);
  }, [me]);

  useEffect(() => {
    // A 401 on any call means the session ended: forget everything; the router then shows /login.
    setUnauthorizedHandler(() => {
      const before = qc.getQueryData<Me | null>(ME_KEY);
      if (before) setExpired(hasDrafts(before.id) ? "draft" : "plain");
      resetSession(qc, null);
    });
  }, [qc]);

  const login = useCallback(
    async (username: string, password: string) => {
      const m = await api<Me>("/api/auth/login", { method: "POST", body: { username, password } });
      setCsrfToken(m.csrfToken);
      setExpired(null);
      resetSession(qc, m);
      return m;
    },
    [qc],
  );

  const logout = useCallback(async () => {
    // Signing out on purpose: nothing of this person's stays in the browser.
    const before = qc.getQueryData<Me | null>(ME_KEY);
    if (before) {
      clearDrafts(before.id);
      void forgetAssignment(before.id);
    }
    try {
      await api("/api/auth/logout", { method: "POST" });
    } finally {
      resetSession(qc, null);
    }
  }, [qc]);

  const value = useMemo<Auth>(
    () => ({
      me,
      loading: isPending,
      can: (p) => !!me?.permissions.includes(p),
      login,
      logout,
    }),
    [me, isPending, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const a = useContext(AuthContext);
  if (!a) throw new Error("useAuth outside AuthProvider");
  return a;
}

/** The logged-in account; only for components rendered behind RequireAuth. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error("useMe without a session");
  return me;
}
