import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const networkRoutes: RouteObject[] = [{ path: "network/*", element: <NotBuiltYet title="Network" /> }];
