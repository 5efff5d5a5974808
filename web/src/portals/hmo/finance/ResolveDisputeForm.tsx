/**
 * Review and resolve a dispute: accept with an adjustment (paid in the provider's next
 * run) or reject with the reason. The version read is sent, so a change made meanwhile by
 * someone else comes back as a 409 that offers the latest.
 */
import { Button, Group, Paper, Radio, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, dataOf } from "../../../api/client";
import { ApiProblem, problemOf } from "../../../api/problem";
import { formatMoney, moneyInput, parseMoney } from "../../../app/format";
import { ProblemAlert } from "../../../components/ProblemAlert";
import type { Dispute } from "../../../components/finance/queries";

type Outcome = "ACCEPTED" | "REJECTED";

function useDisputeMove(dispute: Dispute, move: (path: { dispute_id: string }) => Promise<Dispute>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => move({ dispute_id: dispute.id }),
    onSuccess: (updated) => {
      queryClient.setQueryData(["disputes", dispute.id], updated);
      void queryClient.invalidateQueries({ queryKey: ["disputes"] });
      void queryClient.invalidateQueries({ queryKey: ["remittances"] });
    },
  });
}

function resolution(outcome: Outcome, adjustment: string, note: string, currency: string, version: number) {
  const text = note.trim() || undefined;
  if (outcome === "REJECTED") return { outcome, note: text, version };
  const minor = parseMoney(adjustment, currency);
  if (minor === null) throw new ApiProblem(422, { title: "Not resolved", errors: [{ field: "adjustment", message: "Give the adjustment, e.g. 1500.50." }] });
  return { outcome, adjustment: minor, note: text, version };
}

export function ResolveDisputeForm({ dispute, currency, onReload }: { dispute: Dispute; currency: string; onReload: () => void }) {
  const review = useDisputeMove(dispute, async (path) =>
    dataOf(await api.POST("/api/disputes/{dispute_id}/review", { params: { path }, body: { version: dispute.version } })));
  const [outcome, setOutcome] = useState<Outcome>("ACCEPTED");
  const [adjustment, setAdjustment] = useState(moneyInput(dispute.amount_claimed, currency));
  const [note, setNote] = useState("");
  const resolve = useDisputeMove(dispute, async (path) =>
    dataOf(await api.POST("/api/disputes/{dispute_id}/resolve", {
      params: { path },
      body: resolution(outcome, adjustment, note, currency, dispute.version),
    })));
  const fieldErrors = problemOf(resolve.error)?.fieldErrors() ?? {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    resolve.mutate();
  };
  return (
    <Paper withBorder p="md" radius="md" component="form" onSubmit={submit} aria-labelledby="resolve-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="resolve-title">Resolve</Title>
        {dispute.status === "OPEN" && (
          <Group gap="sm">
            <Button variant="default" onClick={() => review.mutate()} loading={review.isPending}>Start the review</Button>
            <Text size="sm" c="dimmed">Tells the provider the dispute is being looked at.</Text>
          </Group>
        )}
        <ProblemAlert error={review.error} onReload={onReload} />
        <Radio.Group label="Outcome" value={outcome} onChange={(value) => setOutcome(value as Outcome)}>
          <Group mt="xs">
            <Radio value="ACCEPTED" label="Accept: pay an adjustment in the next run" />
            <Radio value="REJECTED" label="Reject" />
          </Group>
        </Radio.Group>
        {outcome === "ACCEPTED" && (
          <TextInput
            label={`Adjustment (${currency})`}
            description={`At most the ${formatMoney(dispute.amount_claimed, currency)} claimed`}
            required
            inputMode="decimal"
            value={adjustment}
            onChange={(event) => setAdjustment(event.currentTarget.value)}
            error={fieldErrors.adjustment}
            maw={320}
          />
        )}
        <Textarea
          label={outcome === "REJECTED" ? "Reason for rejecting" : "Note to the provider"}
          required={outcome === "REJECTED"}
          autosize
          minRows={2}
          value={note}
          onChange={(event) => setNote(event.currentTarget.value)}
          error={fieldErrors.note}
        />
        {Object.keys(fieldErrors).length === 0 && <ProblemAlert error={resolve.error} onReload={onReload} />}
        <div>
          <Button type="submit" loading={resolve.isPending} color={outcome === "REJECTED" ? "red.9" : undefined}>
            {outcome === "REJECTED" ? "Reject the dispute" : "Accept the dispute"}
          </Button>
        </div>
      </Stack>
    </Paper>
  );
}
