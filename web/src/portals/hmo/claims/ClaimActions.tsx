/** The moves the claim's status and the user's permissions allow, and only those. */
import { Button, Group, Paper, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, dataOf } from "../../../api/client";
import { formatMoney } from "../../../app/format";
import { useSession } from "../../../app/session";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ConfirmButton } from "../../../components/ConfirmButton";
import type { ClaimDetail } from "./claimViews";
import type { LineDecisions } from "./lineDecisions";
import { QueryDialog } from "./QueryDialog";
import { offeredMoves, type Move } from "./transitions";
import { useClaimMove } from "./useClaimMove";

function useMyClaimLimit() {
  const { can } = useSession();
  return useQuery({
    queryKey: ["approval-limits", "mine"],
    enabled: can("claims:approve"),
    staleTime: 5 * 60_000,
    queryFn: async () => dataOf(await api.GET("/api/approval-limits/mine")).claim_limit,
  });
}

export function ClaimActions({ claim, decisions, onReload }: { claim: ClaimDetail; decisions: LineDecisions | null; onReload: () => void }) {
  const { can } = useSession();
  const moves = offeredMoves(claim.status, can);
  const move = useClaimMove(claim.id);
  const [querying, setQuerying] = useState(false);
  if (moves.length === 0) return null;
  const reload = () => {
    move.reset();
    onReload();
  };
  const button = (offered: Move) => {
    switch (offered.to) {
      case "APPROVED":
        return <ApproveButton key={offered.to} claim={claim} decisions={decisions} pending={move.isPending} onApprove={() => move.mutate({ to: "APPROVED", version: claim.version, items: decisions?.payload })} />;
      case "QUERIED":
        return <Button key={offered.to} variant="outline" color="#7a5400" onClick={() => setQuerying(true)}>{offered.label}</Button>;
      case "REJECTED":
        return (
          <ConfirmButton
            key={offered.to}
            label={offered.label}
            title={`Reject claim ${claim.number}`}
            confirmLabel="Reject the claim"
            reason="required"
            color="#b3261e"
            variant="outline"
            pending={move.isPending}
            error={move.error}
            onConfirm={(reason) => move.mutateAsync({ to: "REJECTED", version: claim.version, reason })}
          >
            Every line is refused (A1: claim/service denied) unless it already carries a reason. The provider is told.
          </ConfirmButton>
        );
      default:
        return <Button key={offered.to} loading={move.isPending} onClick={() => move.mutate({ to: offered.to, version: claim.version })}>{offered.label}</Button>;
    }
  };
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Decision">
      <Stack gap="sm">
        <Group gap="xs">{moves.map(button)}</Group>
        <ProblemAlert error={move.error} onReload={reload} />
      </Stack>
      <QueryDialog claim={claim} opened={querying} onClose={() => setQuerying(false)} onReload={onReload} />
    </Paper>
  );
}

/** Approve, with the user's approval limit shown before it is hit. */
function ApproveButton({ claim, decisions, pending, onApprove }: { claim: ClaimDetail; decisions: LineDecisions | null; pending: boolean; onApprove: () => void }) {
  const limit = useMyClaimLimit();
  const total = decisions?.total ?? claim.total_approved;
  const invalid = decisions !== null && Object.keys(decisions.errors).length > 0;
  const overLimit = limit.data !== undefined && total > limit.data;
  const money = (minor: number) => formatMoney(minor, claim.currency);
  return (
    <Stack gap={4}>
      <Button color="#25713a" loading={pending} disabled={invalid || overLimit || claim.on_hold || limit.isPending} onClick={onApprove} aria-describedby="approval-limit">
        Approve {money(total)}
      </Button>
      <Text id="approval-limit" size="xs" c={overLimit ? "#b3261e" : "dimmed"}>
        {limit.isError && "Your approval limit could not be read."}
        {limit.data !== undefined && (overLimit
          ? `${money(total)} is above your approval limit of ${money(limit.data)}: someone with a higher limit must approve it.`
          : `Your approval limit: ${money(limit.data)}.`)}
        {claim.on_hold && " Held for a fraud review: clear the hold first."}
        {invalid && " Correct the line amounts first."}
      </Text>
    </Stack>
  );
}
