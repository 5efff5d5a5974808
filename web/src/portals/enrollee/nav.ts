import {
  IconBuildingHospital,
  IconCalendarEvent,
  IconClipboardList,
  IconHome,
  IconId,
  IconSettings,
  IconShieldCheck,
  IconShieldHalf,
} from "@tabler/icons-react";

import type { NavItem } from "../../app/Shell";

/** The enrollee portal's modules; the first four are a phone's tab bar. */
export const ENROLLEE_NAV: NavItem[] = [
  { label: "Home", to: "/me", icon: IconHome },
  { label: "Card", to: "/me/card", icon: IconId },
  { label: "Coverage", to: "/me/coverage", icon: IconShieldHalf },
  { label: "Claims", to: "/me/claims", icon: IconClipboardList },
  { label: "Authorizations", to: "/me/authorizations", icon: IconShieldCheck },
  { label: "Providers", to: "/me/providers", icon: IconBuildingHospital },
  { label: "Check-ins", to: "/me/visits", icon: IconCalendarEvent },
  { label: "Settings", to: "/me/settings", icon: IconSettings },
];

export const PHONE_TABS = 4;
