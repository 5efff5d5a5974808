import type { RouteObject } from "react-router-dom";

import { ApiKeysPage } from "../../../components/access/ApiKeysPage";
import { UsersPage } from "../../../components/access/UsersPage";
import { AccessLayout, FirstAccessSection } from "./AccessLayout";
import { ApprovalLimitsPage } from "./ApprovalLimitsPage";
import { RolesPage } from "./RolesPage";

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
