/** The HMO's network links: query keys, the provider types' names, the open link per provider. */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { useSession } from "../../../app/session";

export type Link = Schemas["LinkRead"];
export type LinkStatus = Schemas["LinkStatus"];

/** Every query of this module starts with "network" (what the live events refresh). */
export const NETWORK_KEY = ["network"] as const;

export const PROVIDER_TYPES: { value: Schemas["ProviderType"]; label: string }[] = [
  { value: "HOSPITAL", label: "Hospital" },
  { value: "PHARMACY", label: "Pharmacy" },
  { value: "LAB", label: "Laboratory" },
];

export function providerTypeLabel(type: Schemas["ProviderType"]): string {
  return PROVIDER_TYPES.find((option) => option.value === type)?.label ?? type;
}

const OPEN: ReadonlySet<LinkStatus> = new Set(["REQUESTED", "ACTIVE"]);
const NEWEST_LINKS = 200; // the API's largest page

/** Each provider's open link (REQUESTED or ACTIVE), from the newest links; a provider past
 * them shows none here, and the server still refuses a second request in words. */
export function openLinksByProvider(links: Link[]): Map<string, Link> {
  const byProvider = new Map<string, Link>();
  for (const link of links) {
    if (OPEN.has(link.status) && !byProvider.has(link.provider.id)) byProvider.set(link.provider.id, link);
  }
  return byProvider;
}

/** The newest links (one page), for marking the directory and offering providers as filters. */
export function useNewestLinks() {
  const { can } = useSession();
  return useQuery({
    queryKey: [...NETWORK_KEY, "links", "newest"],
    enabled: can("network:read"),
    queryFn: async () => dataOf(await api.GET("/api/network/links", { params: { query: { limit: NEWEST_LINKS } } })).items,
  });
}
