import type { RouteObject } from "react-router-dom";

import { PilePage } from "./PilePage";
import { PilesPage } from "./PilesPage";

export const pileRoutes: RouteObject[] = [
  { path: "piles", element: <PilesPage /> },
  { path: "piles/:pileId", element: <PilePage /> },
];
