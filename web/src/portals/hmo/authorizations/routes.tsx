import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const authorizationRoutes: RouteObject[] = [{ path: "authorizations/*", element: <NotBuiltYet title="Authorizations" /> }];
