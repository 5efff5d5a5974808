import type { RouteObject } from "react-router-dom";

import { PortalShell } from "../../app/Shell";
import { authorizationRoutes } from "./authorizations/routes";
import { claimRoutes } from "./claims/routes";
import { FrontDeskPage } from "./desk/FrontDeskPage";
import { PROVIDER_NAV } from "./nav";

export const routes: RouteObject[] = [
  {
    element: <PortalShell title="Vetra for providers" nav={PROVIDER_NAV} />,
    children: [
      { index: true, element: <FrontDeskPage /> },
      ...claimRoutes,
      ...authorizationRoutes,
    ],
  },
];
