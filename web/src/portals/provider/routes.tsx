import type { RouteObject } from "react-router-dom";

import { PortalShell } from "../../app/Shell";
import { accessRoutes } from "./access/routes";
import { authorizationRoutes } from "./authorizations/routes";
import { claimRoutes } from "./claims/routes";
import { FrontDeskPage } from "./desk/FrontDeskPage";
import { financeRoutes } from "./finance/routes";
import { PROVIDER_NAV } from "./nav";
import { networkRoutes } from "./network/routes";

export const routes: RouteObject[] = [
  {
    element: <PortalShell title="Vetra for providers" nav={PROVIDER_NAV} />,
    children: [
      { index: true, element: <FrontDeskPage /> },
      ...claimRoutes,
      ...authorizationRoutes,
      ...financeRoutes,
      ...networkRoutes,
      ...accessRoutes,
    ],
  },
];
