import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const reportRoutes: RouteObject[] = [{ path: "reports/*", element: <NotBuiltYet title="Reports" /> }];
