import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { createBrowserRouter, Outlet, RouterProvider } from "react-router-dom";

import { problemOf } from "../api/problem";
import { routes } from "./routes";
import { SessionProvider, useSession } from "./session";
import { readableVariables, themeFor } from "./theme";
import { useBranding } from "./branding";

function retryUnlessRefused(failures: number, error: unknown): boolean {
  const status = problemOf(error)?.status ?? 0;
  return failures < 2 && (status === 0 || status >= 500);
}

function Themed() {
  const { me } = useSession();
  const branding = useBranding(me?.tenant?.slug);
  return (
    <MantineProvider theme={themeFor(branding.data?.primary_colour)} cssVariablesResolver={readableVariables}>
      <Notifications position="top-right" />
      <Outlet />
    </MantineProvider>
  );
}

function Root() {
  return (
    <SessionProvider>
      <Themed />
    </SessionProvider>
  );
}

const router = createBrowserRouter([{ element: <Root />, children: routes }]);

export function App() {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { retry: retryUnlessRefused, staleTime: 15_000 } },
      }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
