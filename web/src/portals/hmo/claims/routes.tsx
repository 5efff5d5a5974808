import type { RouteObject } from "react-router-dom";

import { ClaimPage } from "./ClaimPage";
import { ClaimsPage } from "./ClaimsPage";

export const claimRoutes: RouteObject[] = [
  { path: "claims", element: <ClaimsPage /> },
  { path: "claims/:claimId", element: <ClaimPage /> },
];
