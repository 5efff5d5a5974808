import type { RouteObject } from "react-router-dom";

import { FeesPage, InvoicesPage } from "./BillingPages";

export const billingRoutes: RouteObject[] = [
  { path: "billing", element: <InvoicesPage /> },
  { path: "billing/fees", element: <FeesPage /> },
];
