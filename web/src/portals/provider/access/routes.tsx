import type { RouteObject } from "react-router-dom";

import { ApiKeysPage } from "../../../components/access/ApiKeysPage";
import { UsersPage } from "../../../components/access/UsersPage";
import { AccessLayout, FirstAccessSection } from "./AccessLayout";

export const accessRoutes: RouteObject[] = [
  {
    path: "access",
    element: <AccessLayout />,
    children: [
      { index: true, element: <FirstAccessSection /> },
      { path: "users", element: <UsersPage /> },
      { path: "api-keys", element: <ApiKeysPage /> },
    ],
  },
];
