/** A provider's name from its id (`GET /api/providers/{id}`, cached for the session). */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../api/client";
import { useSession } from "../app/session";

export function useProvider(providerId: string) {
  const { can } = useSession();
  return useQuery({
    queryKey: ["providers", providerId],
    enabled: can("providers:read"),
    staleTime: Infinity,
    queryFn: async () =>
      dataOf(await api.GET("/api/providers/{provider_id}", { params: { path: { provider_id: providerId } } })),
  });
}

export function ProviderName({ providerId }: { providerId: string }) {
  const provider = useProvider(providerId);
  return <span>{provider.data?.name ?? "—"}</span>;
}
