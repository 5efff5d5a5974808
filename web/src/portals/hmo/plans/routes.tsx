import type { RouteObject } from "react-router-dom";

import { PlanFormPage } from "./PlanFormPage";
import { PlanPage } from "./PlanPage";
import { PlansPage } from "./PlansPage";

export const planRoutes: RouteObject[] = [
  { path: "plans", element: <PlansPage /> },
  { path: "plans/new", element: <PlanFormPage /> },
  { path: "plans/:planId", element: <PlanPage /> },
  { path: "plans/:planId/edit", element: <PlanFormPage /> },
];
