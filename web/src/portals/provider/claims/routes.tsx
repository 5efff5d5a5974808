import type { RouteObject } from "react-router-dom";

import { ClaimPage } from "./ClaimPage";
import { ClaimsPage } from "./ClaimsPage";
import { NewClaimPage } from "./NewClaimPage";

export const claimRoutes: RouteObject[] = [
  { path: "claims", element: <ClaimsPage /> },
  { path: "claims/new", element: <NewClaimPage /> },
  { path: "claims/:claimId", element: <ClaimPage /> },
];
