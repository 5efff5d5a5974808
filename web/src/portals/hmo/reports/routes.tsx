import type { RouteObject } from "react-router-dom";

import { ReportPage } from "./ReportPage";
import { ReportsIndexPage } from "./ReportsIndexPage";

export const reportRoutes: RouteObject[] = [
  { path: "reports", element: <ReportsIndexPage /> },
  { path: "reports/:name", element: <ReportPage /> },
];
