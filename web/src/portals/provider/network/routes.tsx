import type { RouteObject } from "react-router-dom";

import { NetworkPage } from "./NetworkPage";

export const networkRoutes: RouteObject[] = [{ path: "network", element: <NetworkPage /> }];
