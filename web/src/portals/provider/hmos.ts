/** The HMOs the provider works with: its ACTIVE network links, by name (under the
 * "network" key, so live network events refresh them). */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../api/client";
import type { Schemas } from "../../api/types";
import { NETWORK_KEY } from "./network/hmos";

export type Hmo = Schemas["HmoBrief"];

const LARGEST_PAGE = 200;

export function useLinkedHmos(): Hmo[] {
  const links = useQuery({
    queryKey: [...NETWORK_KEY, "links", "ACTIVE", "hmos"],
    queryFn: async () => {
      const links = dataOf(await api.GET("/api/network/links", { params: { query: { status: "ACTIVE", limit: LARGEST_PAGE } } })).items;
      return links.map((link) => link.hmo).sort((a, b) => a.name.localeCompare(b.name));
    },
    staleTime: 5 * 60_000,
  });
  return links.data ?? [];
}
