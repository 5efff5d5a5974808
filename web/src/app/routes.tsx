/**
 * Every route of the app. Each portal is its own chunk, loaded when first opened, so the
 * sign-in page carries none of them.
 */
import { Center, Loader } from "@mantine/core";
import { lazy, Suspense, type ReactNode } from "react";
import { Navigate, useLocation, useRoutes, type RouteObject } from "react-router-dom";

import { AcceptInvitePage, SetPasswordPage } from "./AccountLinks";
import { SignInPage } from "./SignIn";
import { portalOf, signInPath, useSession } from "./session";

export const PORTAL_HOME = { hmo: "/hmo", provider: "/provider", enrollee: "/me", client: "/client" } as const;

function Waiting() {
  return (
    <Center h="100vh">
      <Loader role="status" aria-label="Loading" />
    </Center>
  );
}

/** The portal's screens for its own kind of user only; others go to sign-in or home. */
function PortalGate({ portal, children }: { portal: keyof typeof PORTAL_HOME; children: ReactNode }) {
  const { me, loading } = useSession();
  const location = useLocation();
  if (loading) return <Waiting />;
  if (!me) return <Navigate to={signInPath(undefined, location.pathname + location.search)} replace />;
  if (portalOf(me) !== portal) return <Navigate to={PORTAL_HOME[portalOf(me)]} replace />;
  return <>{children}</>;
}

function Home() {
  const { me, loading } = useSession();
  if (loading) return <Waiting />;
  return <Navigate to={me ? PORTAL_HOME[portalOf(me)] : "/sign-in"} replace />;
}

type PortalModule = Promise<{ routes: RouteObject[] }>;

/** A portal's screens as one lazily loaded chunk, behind the gate of its kind of user. */
function portal(path: string, name: keyof typeof PORTAL_HOME, load: () => PortalModule): RouteObject {
  const Screens = lazy(async () => {
    const { routes } = await load();
    return { default: function PortalScreens() { return useRoutes(routes); } };
  });
  return {
    path: `${path}/*`,
    element: (
      <PortalGate portal={name}>
        <Suspense fallback={<Waiting />}>
          <Screens />
        </Suspense>
      </PortalGate>
    ),
  };
}

export const routes: RouteObject[] = [
  { path: "/", element: <Home /> },
  { path: "/sign-in", element: <SignInPage /> },
  { path: "/set-password", element: <SetPasswordPage /> },
  { path: "/accept-invite", element: <AcceptInvitePage /> },
  portal("/hmo", "hmo", () => import("../portals/hmo/routes")),
  portal("/provider", "provider", () => import("../portals/provider/routes")),
  portal("/me", "enrollee", () => import("../portals/enrollee/routes")),
  portal("/client", "client", () => import("../portals/client/routes")),
  { path: "/:slug", element: <SignInPage /> },
];
