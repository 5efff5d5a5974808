import type { RouteObject } from "react-router-dom";

import { AuthorizationPage } from "./AuthorizationPage";
import { AuthorizationsPage } from "./AuthorizationsPage";
import { NewAuthorizationPage } from "./NewAuthorizationPage";

export const authorizationRoutes: RouteObject[] = [
  { path: "authorizations", element: <AuthorizationsPage /> },
  { path: "authorizations/new", element: <NewAuthorizationPage /> },
  { path: "authorizations/:authorizationId", element: <AuthorizationPage /> },
];
