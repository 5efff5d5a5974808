import type { RouteObject } from "react-router-dom";

import { NotBuiltYet } from "../../../components/NotBuiltYet";

export const pileRoutes: RouteObject[] = [{ path: "piles/*", element: <NotBuiltYet title="Piles" /> }];
