/** A tenant's branding (`GET /api/branding?tenant=slug`), public, for its sign-in page. */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../api/client";

export function useBranding(slug: string | undefined) {
  return useQuery({
    queryKey: ["branding", slug],
    enabled: Boolean(slug),
    retry: false,
    staleTime: 10 * 60_000,
    queryFn: async () => dataOf(await api.GET("/api/branding", { params: { query: { tenant: slug ?? "" } } })),
  });
}
