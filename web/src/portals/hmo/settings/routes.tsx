import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const settingsRoutes: RouteObject[] = [{ path: "settings/*", element: <NotBuiltYet title="Settings" /> }];
