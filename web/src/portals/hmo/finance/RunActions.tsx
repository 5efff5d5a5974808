/**
 * Approve or cancel a run, each after a confirmation, shown only to those who may. The
 * approver's settlement limit is shown before they try: above it, the run waits for
 * someone with a higher limit (the server refuses it anyway).
 */
import { Alert, Group, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import { formatMoney } from "../../../app/format";
import { useSession } from "../../../app/session";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { aboveLimit } from "./amounts";
import { useSettlementLimit, type Run } from "./queries";

function useRunMove(run: Run, move: "approve" | "cancel") {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const params = { params: { path: { run_id: run.id } } };
      return dataOf(await (move === "approve"
        ? api.POST("/api/settlement-runs/{run_id}/approve", params)
        : api.POST("/api/settlement-runs/{run_id}/cancel", params)));
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(["settlement-runs", run.id], updated);
      void queryClient.invalidateQueries({ queryKey: ["settlement-runs"] });
      void queryClient.invalidateQueries({ queryKey: ["remittances"] });
      void queryClient.invalidateQueries({ queryKey: ["dashboard"] });
    },
  });
}

function ApproveRun({ run, onReload }: { run: Run; onReload: () => void }) {
  const limit = useSettlementLimit();
  const approve = useRunMove(run, "approve");
  const money = (minor: number) => formatMoney(minor, run.currency);
  if (limit !== undefined && aboveLimit(run.total, limit)) {
    return (
      <Alert color="yellow" title="Above your approval limit">
        This run's total, {money(run.total)}, is above your settlement approval limit of {money(limit)}:
        someone with a higher limit must approve it.
      </Alert>
    );
  }
  return (
    <Stack gap={4}>
      <ConfirmButton
        label="Approve the run"
        title={`Approve ${run.number}?`}
        confirmLabel="Approve"
        onConfirm={() => approve.mutateAsync()}
        pending={approve.isPending}
        error={approve.error}
        onReload={onReload}
      >
        {money(run.total)} will be payable to {run.remittances.length} provider{run.remittances.length === 1 ? "" : "s"}.
        Payment proofs can then be uploaded against each remittance.
      </ConfirmButton>
      {limit !== undefined && <Text size="xs" c="dimmed">Your approval limit: {money(limit)}</Text>}
    </Stack>
  );
}

function CancelRun({ run, onReload }: { run: Run; onReload: () => void }) {
  const cancel = useRunMove(run, "cancel");
  return (
    <ConfirmButton
      label="Cancel the run"
      title={`Cancel ${run.number}?`}
      confirmLabel="Cancel the run"
      color="red.9"
      variant="outline"
      onConfirm={() => cancel.mutateAsync()}
      pending={cancel.isPending}
      error={cancel.error}
      onReload={onReload}
    >
      Its claims are released and can be settled in a later run. This cannot be undone.
    </ConfirmButton>
  );
}

export function RunActions({ run, onReload }: { run: Run; onReload: () => void }) {
  const { can } = useSession();
  const approvable = run.status === "DRAFT" && can("settlements:approve");
  const cancellable = (run.status === "DRAFT" || run.status === "APPROVED") && can("settlements:create");
  if (!approvable && !cancellable) return null;
  return (
    <Group align="flex-start" gap="md">
      {approvable && <ApproveRun run={run} onReload={onReload} />}
      {cancellable && <CancelRun run={run} onReload={onReload} />}
    </Group>
  );
}
