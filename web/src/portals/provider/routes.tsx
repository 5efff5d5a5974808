import { Navigate, type RouteObject } from "react-router-dom";

import { PortalShell } from "../../app/Shell";
import { accessRoutes } from "./access/routes";
import { financeRoutes } from "./finance/routes";
import { PROVIDER_NAV } from "./nav";
import { networkRoutes } from "./network/routes";

export const routes: RouteObject[] = [
  {
    element: <PortalShell title="Vetra for providers" nav={PROVIDER_NAV} />,
    children: [
      { index: true, element: <Navigate to="/provider/finance" replace /> },
      ...financeRoutes,
      ...networkRoutes,
      ...accessRoutes,
    ],
  },
];
