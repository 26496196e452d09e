import { type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo } from "react";
import { ApiError, api, type Me, setCsrfToken, setUnauthorizedHandler } from "./api.ts";

interface Auth {
  me: Me | null;
  loading: boolean;
  can(permission: string): boolean;
  login(username: string, password: string): Promise<Me>;
  logout(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);
const ME_KEY = ["me"];

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
      resetSession(qc, null);
    });
  }, [qc]);

  const login = useCallback(
    async (username: string, password: string) => {
      const m = await api<Me>("/api/auth/login", { method: "POST", body: { username, password } });
      setCsrfToken(m.csrfToken);
      resetSession(qc, m);
      return m;
    },
    [qc],
  );

  const logout = useCallback(async () => {
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
