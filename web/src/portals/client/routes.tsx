import type { RouteObject } from "react-router-dom";

import { PortalShell } from "../../app/Shell";
import { NotBuiltYet } from "../../components/NotBuiltYet";

export const routes: RouteObject[] = [
  { element: <PortalShell title="Vetra for employers" nav={[]} />, children: [{ path: "*", element: <NotBuiltYet title="Vetra for employers" /> }] },
];
