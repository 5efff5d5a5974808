import type { RouteObject } from "react-router-dom";

import { ChangeRequestsPage } from "./ChangeRequestsPage";
import { ClientPage } from "./ClientPage";
import { ClientsPage } from "./ClientsPage";
import { EnrolleePage } from "./EnrolleePage";
import { ImportPage } from "./ImportPage";
import { RosterPage } from "./RosterPage";

export const clientRoutes: RouteObject[] = [
  { path: "clients", element: <ClientsPage /> },
  { path: "clients/roster", element: <RosterPage /> },
  { path: "clients/import", element: <ImportPage /> },
  { path: "clients/requests", element: <ChangeRequestsPage /> },
  { path: "clients/:clientId", element: <ClientPage /> },
  { path: "enrollees/:enrolleeId", element: <EnrolleePage /> },
];
