import { IconClipboardCheck, IconShieldCheck, IconStethoscope } from "@tabler/icons-react";

import type { NavItem } from "../../app/Shell";

/** The provider portal's areas, each shown with its read permission. */
export const PROVIDER_NAV: NavItem[] = [
  { label: "Front desk", to: "/provider", icon: IconStethoscope, permissions: ["eligibility:check"] },
  { label: "Claims", to: "/provider/claims", icon: IconClipboardCheck, permissions: ["claims:read"] },
  { label: "Pre-authorizations", to: "/provider/authorizations", icon: IconShieldCheck, permissions: ["authorizations:read"] },
];
