/** The provider directory as options for a filter (first 100 by name). */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import { useSession } from "../../../app/session";

export function useProviderOptions() {
  const { can } = useSession();
  const providers = useQuery({
    queryKey: ["providers", "options"],
    enabled: can("providers:read"),
    staleTime: 10 * 60_000,
    queryFn: async () => dataOf(await api.GET("/api/providers", { params: { query: { limit: 100 } } })),
  });
  return (providers.data?.items ?? []).map((provider) => ({ value: provider.id, label: provider.name }));
}
