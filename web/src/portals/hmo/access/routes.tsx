import type { RouteObject } from "react-router-dom";

import { AccessLayout, FirstAccessSection } from "./AccessLayout";
import { ApiKeysPage } from "./ApiKeysPage";
import { ApprovalLimitsPage } from "./ApprovalLimitsPage";
import { RolesPage } from "./RolesPage";
import { UsersPage } from "./UsersPage";

export const accessRoutes: RouteObject[] = [
  {
    path: "access",
    element: <AccessLayout />,
    children: [
      { index: true, element: <FirstAccessSection /> },
      { path: "users", element: <UsersPage /> },
      { path: "roles", element: <RolesPage /> },
      { path: "approval-limits", element: <ApprovalLimitsPage /> },
      { path: "api-keys", element: <ApiKeysPage /> },
    ],
  },
];
