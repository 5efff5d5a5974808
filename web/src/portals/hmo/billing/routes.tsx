import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const billingRoutes: RouteObject[] = [{ path: "billing/*", element: <NotBuiltYet title="Billing" /> }];
