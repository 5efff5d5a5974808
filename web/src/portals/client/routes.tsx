import type { RouteObject } from "react-router-dom";

import { PortalShell } from "../../app/Shell";
import { CLIENT_NAV } from "./nav";
import { RequestsPage } from "./requests/RequestsPage";
import { EnrolleePage } from "./roster/EnrolleePage";
import { RosterPage } from "./roster/RosterPage";
import { UtilisationPage } from "./utilisation/UtilisationPage";

export const routes: RouteObject[] = [
  {
    element: <PortalShell title="Vetra for employers" nav={CLIENT_NAV} />,
    children: [
      { index: true, element: <RosterPage /> },
      { path: "enrollees/:enrolleeId", element: <EnrolleePage /> },
      { path: "requests", element: <RequestsPage /> },
      { path: "utilisation", element: <UtilisationPage /> },
    ],
  },
];
