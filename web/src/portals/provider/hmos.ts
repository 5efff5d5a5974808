/** The HMOs the provider works with: its ACTIVE network links. */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../api/client";
import type { Schemas } from "../../api/types";

export type Hmo = Schemas["HmoBrief"];

export function useLinkedHmos(): Hmo[] {
  const links = useQuery({
    queryKey: ["network", "links", "ACTIVE"],
    queryFn: async () => dataOf(await api.GET("/api/network/links", { params: { query: { status: "ACTIVE", limit: 100 } } })).items,
    staleTime: 5 * 60_000,
  });
  return (links.data ?? []).map((link) => link.hmo);
}
