import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const accessRoutes: RouteObject[] = [{ path: "access/*", element: <NotBuiltYet title="Users & access" /> }];
