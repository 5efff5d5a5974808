import type { RouteObject } from "react-router-dom";

import { PortalShell } from "../../app/Shell";
import { AuthorizationsPage } from "./AuthorizationsPage";
import { CardPage } from "./CardPage";
import { ClaimsPage } from "./ClaimsPage";
import { CoveragePage } from "./CoveragePage";
import { DashboardPage } from "./DashboardPage";
import { useWithMember } from "./family";
import { ENROLLEE_NAV, PHONE_TABS } from "./nav";
import { ProvidersPage } from "./ProvidersPage";
import { SettingsPage } from "./settings/SettingsPage";
import { VisitsPage } from "./VisitsPage";

/** The frame, its links keeping the family member chosen. */
function EnrolleeShell() {
  const withMember = useWithMember();
  const nav = ENROLLEE_NAV.map((item) => ({ ...item, to: withMember(item.to) }));
  return <PortalShell title="My health plan" nav={nav} phoneTabs={nav.slice(0, PHONE_TABS)} />;
}

export const routes: RouteObject[] = [
  {
    element: <EnrolleeShell />,
    children: [
      { index: true, element: <DashboardPage /> },
      { path: "card", element: <CardPage /> },
      { path: "coverage", element: <CoveragePage /> },
      { path: "claims", element: <ClaimsPage /> },
      { path: "authorizations", element: <AuthorizationsPage /> },
      { path: "providers", element: <ProvidersPage /> },
      { path: "visits", element: <VisitsPage /> },
      { path: "settings", element: <SettingsPage /> },
    ],
  },
];
