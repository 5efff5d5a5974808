import { IconBuildingHospital, IconCash, IconClipboardCheck, IconShieldCheck, IconStethoscope, IconUsers } from "@tabler/icons-react";

import type { NavItem } from "../../app/Shell";

/** The provider portal's areas, each shown with its read permission. */
export const PROVIDER_NAV: NavItem[] = [
  { label: "Front desk", to: "/provider", icon: IconStethoscope, permissions: ["eligibility:check"] },
  { label: "Claims", to: "/provider/claims", icon: IconClipboardCheck, permissions: ["claims:read"] },
  { label: "Pre-authorizations", to: "/provider/authorizations", icon: IconShieldCheck, permissions: ["authorizations:read"] },
  { label: "Finance", to: "/provider/finance", icon: IconCash, permissions: ["settlements:read", "disputes:read"] },
  { label: "Network", to: "/provider/network", icon: IconBuildingHospital, permissions: ["network:read"] },
  { label: "Users & keys", to: "/provider/access", icon: IconUsers, permissions: ["users:read", "api_keys:read"] },
];
