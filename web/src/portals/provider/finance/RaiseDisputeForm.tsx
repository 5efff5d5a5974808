/**
 * Disputes one claim line of a remittance: the line, the further amount asked for (at most
 * what was billed) and the reason. One key per form, sent as the Idempotency-Key, so a
 * retry after a lost answer never raises the dispute twice.
 */
import { Button, Paper, Select, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { ApiProblem, problemOf } from "../../../api/problem";
import type { Schemas } from "../../../api/types";
import { formatMoney, moneyInput, parseMoney } from "../../../app/format";
import type { Remittance } from "../../../components/finance/queries";
import { ProblemAlert } from "../../../components/ProblemAlert";

type Line = Schemas["LineRead"];

function lineLabel(line: Line, currency: string): string {
  return `${line.claim_number ?? "Claim"}: billed ${formatMoney(line.billed, currency)}, approved ${formatMoney(line.approved, currency)}`;
}

/** What was cut from the line, or (nothing cut) what was billed. */
function cutFrom(line: Line): number {
  return line.billed > line.approved ? line.billed - line.approved : line.billed;
}

export function RaiseDisputeForm({ remittance, lines }: { remittance: Remittance; lines: Line[] }) {
  const { currency } = remittance;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [lineId, setLineId] = useState<string | null>(null);
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const line = lines.find((candidate) => candidate.id === lineId);
  const raise = useMutation({
    mutationFn: async () => {
      const claimed = parseMoney(amount, currency);
      if (!line) throw new ApiProblem(422, { title: "Not raised", errors: [{ field: "remittance_line_id", message: "Choose the line you dispute." }] });
      if (claimed === null) throw new ApiProblem(422, { title: "Not raised", errors: [{ field: "amount_claimed", message: "Give the amount, e.g. 1500.50." }] });
      return dataOf(await api.POST("/api/disputes", {
        params: { header: { "idempotency-key": idempotencyKey } },
        body: { remittance_line_id: line.id, amount_claimed: claimed, reason },
      }));
    },
    onSuccess: (dispute) => {
      void queryClient.invalidateQueries({ queryKey: ["disputes"] });
      navigate(`/provider/finance/disputes/${dispute.id}`);
    },
  });
  const fieldErrors = problemOf(raise.error)?.fieldErrors() ?? {};
  const choose = (id: string | null) => {
    setLineId(id);
    const chosen = lines.find((candidate) => candidate.id === id);
    setAmount(chosen ? moneyInput(cutFrom(chosen), currency) : "");
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    raise.mutate();
  };
  return (
    <Paper withBorder p="md" radius="md" component="form" onSubmit={submit} aria-labelledby="dispute-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="dispute-title">Raise a dispute</Title>
        <Text size="sm" c="dimmed">If a line was paid less than it should have been, ask the HMO to review it. An accepted dispute is paid in your next settlement run.</Text>
        <Select
          label="Line"
          placeholder="Choose a claim line"
          required
          data={lines.map((candidate) => ({ value: candidate.id, label: lineLabel(candidate, currency) }))}
          value={lineId}
          onChange={choose}
          error={fieldErrors.remittance_line_id}
          searchable
        />
        <TextInput
          label={`Amount you ask for (${currency})`}
          description={line ? `At most the ${formatMoney(line.billed, currency)} billed` : undefined}
          required
          inputMode="decimal"
          value={amount}
          onChange={(event) => setAmount(event.currentTarget.value)}
          error={fieldErrors.amount_claimed}
          maw={320}
        />
        <Textarea
          label="Reason"
          description="What was cut and why it should be paid, as the HMO's finance team will read it."
          required
          autosize
          minRows={3}
          maxLength={2000}
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          error={fieldErrors.reason}
        />
        {Object.keys(fieldErrors).length === 0 && <ProblemAlert error={raise.error} />}
        <div>
          <Button type="submit" loading={raise.isPending}>Raise the dispute</Button>
        </div>
      </Stack>
    </Paper>
  );
}
