import {
  IconAddressBook,
  IconBuildingHospital,
  IconCash,
  IconChartBar,
  IconClipboardCheck,
  IconFileInvoice,
  IconGauge,
  IconLayoutList,
  IconNotes,
  IconSettings,
  IconShieldCheck,
  IconStack2,
  IconUsers,
} from "@tabler/icons-react";

import type { NavItem } from "../../app/Shell";

/** The HMO portal's modules (the operator guide's), each shown with its read permission. */
export const HMO_NAV: NavItem[] = [
  { label: "Dashboard", to: "/hmo", icon: IconGauge },
  { label: "Clients & enrollees", to: "/hmo/clients", icon: IconAddressBook, permissions: ["clients:read", "enrollees:read"] },
  { label: "Plans & benefits", to: "/hmo/plans", icon: IconNotes, permissions: ["plans:read"] },
  { label: "Network", to: "/hmo/network", icon: IconBuildingHospital, permissions: ["network:read", "providers:read"] },
  { label: "Authorizations", to: "/hmo/authorizations", icon: IconShieldCheck, permissions: ["authorizations:read"] },
  { label: "Claims", to: "/hmo/claims", icon: IconClipboardCheck, permissions: ["claims:read"] },
  { label: "Piles", to: "/hmo/piles", icon: IconStack2, permissions: ["piles:read"] },
  { label: "Finance", to: "/hmo/finance", icon: IconCash, permissions: ["settlements:read", "disputes:read", "capitation:read"] },
  { label: "Reports", to: "/hmo/reports", icon: IconChartBar, permissions: ["reports:read"] },
  { label: "Users & access", to: "/hmo/access", icon: IconUsers, permissions: ["users:read", "roles:read", "api_keys:read", "approval_limits:read"] },
  { label: "Audit log", to: "/hmo/audit", icon: IconLayoutList, permissions: ["audit:read"] },
  { label: "Billing", to: "/hmo/billing", icon: IconFileInvoice, permissions: ["billing:read"] },
  { label: "Settings", to: "/hmo/settings", icon: IconSettings, permissions: ["tenant:read"] },
];
