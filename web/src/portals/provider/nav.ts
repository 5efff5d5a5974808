import { IconBuildingHospital, IconCash, IconUsers } from "@tabler/icons-react";

import type { NavItem } from "../../app/Shell";

/** The provider portal's areas, each shown with its read permission. */
export const PROVIDER_NAV: NavItem[] = [
  { label: "Finance", to: "/provider/finance", icon: IconCash, permissions: ["settlements:read", "disputes:read"] },
  { label: "Network", to: "/provider/network", icon: IconBuildingHospital, permissions: ["network:read"] },
  { label: "Users & keys", to: "/provider/access", icon: IconUsers, permissions: ["users:read", "api_keys:read"] },
];
