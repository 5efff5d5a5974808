import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const financeRoutes: RouteObject[] = [{ path: "finance/*", element: <NotBuiltYet title="Finance" /> }];
