import { IconChartBar, IconInbox, IconUsers } from "@tabler/icons-react";

import type { NavItem } from "../../app/Shell";

/** The client (employer) portal: its roster, the changes it asked for, its utilisation. */
export const CLIENT_NAV: NavItem[] = [
  { label: "Roster", to: "/client", icon: IconUsers, permissions: ["enrollees:read"] },
  { label: "Change requests", to: "/client/requests", icon: IconInbox, permissions: ["change_requests:read"] },
  { label: "Utilisation", to: "/client/utilisation", icon: IconChartBar, permissions: ["portal:utilisation"] },
];
