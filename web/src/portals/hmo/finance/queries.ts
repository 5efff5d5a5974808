/** The finance screens' reads, each under the query key its live events refresh. */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { useSession } from "../../../app/session";

export type Run = Schemas["RunDetail"];

export function useRun(runId: string | undefined) {
  return useQuery({
    queryKey: ["settlement-runs", runId],
    enabled: Boolean(runId),
    queryFn: async () => dataOf(await api.GET("/api/settlement-runs/{run_id}", { params: { path: { run_id: runId ?? "" } } })),
  });
}

/** The user's settlement approval ceiling in minor units (0: may not approve), or
 * undefined while unknown or when the user approves nothing. */
export function useSettlementLimit(): number | undefined {
  const { can } = useSession();
  const limits = useQuery({
    queryKey: ["approval-limits", "mine"],
    enabled: can("settlements:approve"),
    staleTime: 60_000,
    queryFn: async () => dataOf(await api.GET("/api/approval-limits/mine")),
  });
  return limits.data?.settlement_limit;
}
