import { Alert, Button, Stack } from "@mantine/core";
import { IconPlayerTrackNext } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { claimInPilePath, PILES_KEY } from "./piles";

/** Takes the pile's next claim (assigned to the user for a while) and opens it; a 204
 * answer (nothing left) stays here and says so. */
export function VetNextButton({ pileId, label = "Vet next" }: { pileId: string; label?: string }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const next = useMutation({
    mutationFn: async () => {
      const answer = await api.POST("/api/piles/{pile_id}/next", { params: { path: { pile_id: pileId } } });
      return answer.response.status === 204 ? null : dataOf(answer);
    },
    onSuccess: (claim) => {
      void queryClient.invalidateQueries({ queryKey: PILES_KEY });
      if (claim) void navigate(claimInPilePath(claim.id, pileId));
    },
  });
  return (
    <Stack gap="xs" align="flex-end">
      <Button leftSection={<IconPlayerTrackNext size={16} />} loading={next.isPending} onClick={() => next.mutate()}>
        {label}
      </Button>
      {next.data === null && <Alert color="gray" role="status">Nothing left to vet in this pile right now.</Alert>}
      <ProblemAlert error={next.error} />
    </Stack>
  );
}
