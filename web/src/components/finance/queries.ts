/** The remittance and dispute reads both sides show (the HMO's staff and the provider),
 * each under the query key its live events refresh. */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../api/client";
import type { Schemas } from "../../api/types";

export type Remittance = Schemas["RemittanceRead"];
export type Dispute = Schemas["DisputeDetail"];

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
