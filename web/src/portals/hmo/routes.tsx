import type { RouteObject } from "react-router-dom";

import { PortalShell } from "../../app/Shell";
import { accessRoutes } from "./access/routes";
import { auditRoutes } from "./audit/routes";
import { authorizationRoutes } from "./authorizations/routes";
import { billingRoutes } from "./billing/routes";
import { claimRoutes } from "./claims/routes";
import { clientRoutes } from "./clients/routes";
import { DashboardPage } from "./dashboard/DashboardPage";
import { financeRoutes } from "./finance/routes";
import { HMO_NAV } from "./nav";
import { networkRoutes } from "./network/routes";
import { pileRoutes } from "./piles/routes";
import { planRoutes } from "./plans/routes";
import { reportRoutes } from "./reports/routes";
import { settingsRoutes } from "./settings/routes";

export const routes: RouteObject[] = [
  {
    element: <PortalShell title="Vetra HMO" nav={HMO_NAV} search />,
    children: [
      { index: true, element: <DashboardPage /> },
      ...clientRoutes,
      ...planRoutes,
      ...networkRoutes,
      ...authorizationRoutes,
      ...claimRoutes,
      ...pileRoutes,
      ...financeRoutes,
      ...reportRoutes,
      ...accessRoutes,
      ...auditRoutes,
      ...billingRoutes,
      ...settingsRoutes,
    ],
  },
];
