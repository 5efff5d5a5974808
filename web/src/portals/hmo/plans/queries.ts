/** A plan in one version (the one in force when none is named). */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";

export function usePlan(planId: string, versionNo?: number) {
  return useQuery({
    queryKey: ["plans", planId, versionNo ?? "current"],
    enabled: Boolean(planId),
    queryFn: async () => dataOf(await api.GET("/api/plans/{plan_id}", { params: { path: { plan_id: planId }, query: { version_no: versionNo } } })),
  });
}
