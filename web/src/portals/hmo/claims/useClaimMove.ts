/** One claim transition (POST /api/claims/{id}/transitions); on success the views it changes refresh. */
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";

export type TransitionBody = Schemas["Transition"];

export const CLAIM_CONCERNS = [["claims"], ["piles"], ["dashboard"]] as const;

export function useClaimMove(claimId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: TransitionBody) =>
      dataOf(await api.POST("/api/claims/{claim_id}/transitions", { params: { path: { claim_id: claimId } }, body })),
    onSuccess: () => Promise.all(CLAIM_CONCERNS.map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}
