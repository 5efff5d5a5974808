import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const clientRoutes: RouteObject[] = [{ path: "clients/*", element: <NotBuiltYet title="Clients & enrollees" /> }];
