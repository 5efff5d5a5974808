/** The provider's network links (every query under "network", what live events refresh)
 * and the HMOs it works with, for filters. */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";

export type Link = Schemas["LinkRead"];

export const NETWORK_KEY = ["network"] as const;
const LARGEST_PAGE = 200;

/** The HMOs of the active links (a provider has a handful), by name. */
export function useLinkedHmos() {
  return useQuery({
    queryKey: [...NETWORK_KEY, "links", "ACTIVE", "hmos"],
    queryFn: async () => {
      const links = dataOf(await api.GET("/api/network/links", { params: { query: { status: "ACTIVE", limit: LARGEST_PAGE } } })).items;
      return links.map((link) => link.hmo).sort((a, b) => a.name.localeCompare(b.name));
    },
  });
}
