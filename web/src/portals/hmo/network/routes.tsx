import type { RouteObject } from "react-router-dom";

import { DirectoryPage } from "./DirectoryPage";
import { LinksPage } from "./LinksPage";

export const networkRoutes: RouteObject[] = [
  { path: "network", element: <DirectoryPage /> },
  { path: "network/links", element: <LinksPage /> },
];
