import { Navigate, type RouteObject } from "react-router-dom";

import { DisputePage } from "./DisputePage";
import { DisputesPage } from "./DisputesPage";
import { RemittancePage } from "./RemittancePage";
import { RemittancesPage } from "./RemittancesPage";

export const financeRoutes: RouteObject[] = [
  { path: "finance", element: <Navigate to="/provider/finance/remittances" replace /> },
  { path: "finance/remittances", element: <RemittancesPage /> },
  { path: "finance/remittances/:remittanceId", element: <RemittancePage /> },
  { path: "finance/disputes", element: <DisputesPage /> },
  { path: "finance/disputes/:disputeId", element: <DisputePage /> },
];
