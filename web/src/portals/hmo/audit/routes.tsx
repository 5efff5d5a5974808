import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const auditRoutes: RouteObject[] = [{ path: "audit/*", element: <NotBuiltYet title="Audit log" /> }];
