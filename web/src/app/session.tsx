/**
 * Who is signed in: `GET /api/me`, loaded once and shared. A session the server ended
 * (expired, revoked, signed out elsewhere) clears every cached answer and sends the user
 * to sign-in, remembering where they were.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, type ReactNode } from "react";
import { useLocation, useNavigate } from "react-router-dom";

import { api, dataOf, setCsrfToken, whenSessionEnds } from "../api/client";
import { problemOf } from "../api/problem";
import type { Me } from "../api/types";

export const ME_KEY = ["me"] as const;

interface Session {
  me: Me | null;
  loading: boolean;
  can: (permission: string) => boolean;
}

const SessionContext = createContext<Session>({ me: null, loading: true, can: () => false });

export async function loadMe(): Promise<Me | null> {
  try {
    const me = dataOf(await api.GET("/api/me"));
    setCsrfToken(dataOf(await api.GET("/api/auth/csrf")).csrf_token);
    return me;
  } catch (error) {
    if (problemOf(error)?.status === 401) return null;
    throw error;
  }
}

export function signInPath(slug: string | undefined, next: string | null): string {
  const query = next && next !== "/" ? `?next=${encodeURIComponent(next)}` : "";
  return `${slug ? `/${slug}` : "/sign-in"}${query}`;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const query = useQuery({ queryKey: ME_KEY, queryFn: loadMe, staleTime: 5 * 60_000 });
  const slug = query.data?.tenant?.slug;

  useEffect(() => {
    whenSessionEnds(() => {
      if (!queryClient.getQueryData(ME_KEY)) return; // nobody was signed in: nothing ended
      const here = location.pathname + location.search;
      setCsrfToken(null);
      queryClient.clear();
      queryClient.setQueryData(ME_KEY, null);
      navigate(signInPath(slug, here), { replace: true });
    });
  }, [queryClient, navigate, location, slug]);

  const me = query.data ?? null;
  const permissions = new Set(me?.permissions ?? []);
  const session: Session = { me, loading: query.isPending, can: (name) => permissions.has(name) };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** Forgets the signed-in user here (after signing out) and shows the sign-in page. */
export function useForgetSession(): () => void {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const slug = useSession().me?.tenant?.slug;
  return () => {
    setCsrfToken(null);
    queryClient.clear();
    queryClient.setQueryData(ME_KEY, null);
    navigate(signInPath(slug, null), { replace: true });
  };
}

export function useSession(): Session {
  return useContext(SessionContext);
}

/** The portal a signed-in user belongs in, from the kind of their account. */
export function portalOf(me: Me): "hmo" | "provider" | "enrollee" | "client" {
  switch (me.user?.kind) {
    case "PROVIDER":
      return "provider";
    case "ENROLLEE":
      return "enrollee";
    case "CLIENT":
      return "client";
    default:
      return "hmo";
  }
}
