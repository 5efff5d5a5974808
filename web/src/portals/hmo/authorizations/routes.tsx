import type { RouteObject } from "react-router-dom";

import { AuthorizationPage } from "./AuthorizationPage";
import { AuthorizationQueuePage } from "./AuthorizationQueuePage";
import { GhostAlertsPage } from "./GhostAlertsPage";
import { RulesPage } from "./RulesPage";

export const authorizationRoutes: RouteObject[] = [
  { path: "authorizations", element: <AuthorizationQueuePage /> },
  { path: "authorizations/alerts", element: <GhostAlertsPage /> },
  { path: "authorizations/rules", element: <RulesPage /> },
  { path: "authorizations/:authorizationId", element: <AuthorizationPage /> },
];
