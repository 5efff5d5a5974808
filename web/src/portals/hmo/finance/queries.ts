/** The finance screens' reads, each under the query key its live events refresh. */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { useSession } from "../../../app/session";

export type Run = Schemas["RunDetail"];
export type Remittance = Schemas["RemittanceRead"];
export type Dispute = Schemas["DisputeDetail"];

export function useRun(runId: string | undefined) {
  return useQuery({
    queryKey: ["settlement-runs", runId],
    enabled: Boolean(runId),
    queryFn: async () => dataOf(await api.GET("/api/settlement-runs/{run_id}", { params: { path: { run_id: runId ?? "" } } })),
  });
}

export function useRemittance(remittanceId: string) {
  return useQuery({
    queryKey: ["remittances", remittanceId],
    // JSON here; the same path also answers CSV and HTML, hence the narrowing.
    queryFn: async () =>
      dataOf(await api.GET("/api/remittances/{remittance_id}", { params: { path: { remittance_id: remittanceId } } })) as Remittance,
  });
}

export function useDispute(disputeId: string) {
  return useQuery({
    queryKey: ["disputes", disputeId],
    queryFn: async () => dataOf(await api.GET("/api/disputes/{dispute_id}", { params: { path: { dispute_id: disputeId } } })),
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
