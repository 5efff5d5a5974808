import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const planRoutes: RouteObject[] = [{ path: "plans/*", element: <NotBuiltYet title="Plans & benefits" /> }];
