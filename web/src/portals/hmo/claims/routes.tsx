import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const claimRoutes: RouteObject[] = [{ path: "claims/*", element: <NotBuiltYet title="Claims" /> }];
