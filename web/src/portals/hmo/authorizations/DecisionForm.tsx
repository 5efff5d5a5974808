/** Approve (amount, validity) or reject (with a reason) a PA awaiting a decision. */
import { Button, NumberInput, Paper, SegmentedControl, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, dataOf } from "../../../api/client";
import { problemOf } from "../../../api/problem";
import { formatMoney, parseMoney } from "../../../app/format";
import { ProblemAlert } from "../../../components/ProblemAlert";
import type { Pa } from "./columns";

type Kind = "APPROVE" | "REJECT";
const DEFAULT_VALID_DAYS = 30;

function wholeUnits(minor: number, currency: string): string {
  return formatMoney(minor, currency, "en").replace(/[^\d.,]/g, "");
}

export function DecisionForm({ pa, onReload }: { pa: Pa; onReload: () => void }) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Kind>("APPROVE");
  const [amountText, setAmountText] = useState(() => wholeUnits(pa.estimated_amount, pa.currency));
  const [validDays, setValidDays] = useState<number | string>(DEFAULT_VALID_DAYS);
  const [reason, setReason] = useState("");
  const amount = parseMoney(amountText, pa.currency);

  const decide = useMutation({
    mutationFn: async () => {
      const body = kind === "APPROVE"
        ? { decision: kind, approved_amount: amount ?? undefined, valid_days: Number(validDays) || undefined, reason: reason.trim() || undefined, version: pa.version }
        : { decision: kind, reason: reason.trim(), version: pa.version };
      const path = { authorization_id: pa.id };
      return dataOf(await api.POST("/api/authorizations/{authorization_id}/decision", { params: { path }, body }));
    },
    onSuccess: () => Promise.all([
      queryClient.invalidateQueries({ queryKey: ["authorizations"] }),
      queryClient.invalidateQueries({ queryKey: ["dashboard"] }),
    ]),
  });
  const fieldErrors = problemOf(decide.error)?.fieldErrors() ?? {};
  const amountError = amountText && amount === null ? "Type an amount, e.g. 12,500.00" : fieldErrors.approved_amount;
  const ready = kind === "APPROVE" ? amount !== null : Boolean(reason.trim());

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="pa-decide">
      <Stack gap="sm">
        <Title order={2} size="h4" id="pa-decide">Decide</Title>
        <SegmentedControl
          aria-label="Decision"
          value={kind}
          onChange={(value) => setKind(value as Kind)}
          data={[{ value: "APPROVE", label: "Approve" }, { value: "REJECT", label: "Reject" }]}
        />
        {kind === "APPROVE" && (
          <>
            <TextInput
              label={`Approved amount (${pa.currency})`}
              description={`At most the estimate, ${formatMoney(pa.estimated_amount, pa.currency)}`}
              value={amountText}
              onChange={(event) => setAmountText(event.currentTarget.value)}
              error={amountError}
              inputMode="decimal"
            />
            <NumberInput label="Auth code valid for (days)" min={1} max={365} value={validDays} onChange={setValidDays} error={fieldErrors.valid_days} />
          </>
        )}
        <Textarea
          label="Reason"
          description={kind === "REJECT" ? "Required: the provider sees it." : "Optional."}
          required={kind === "REJECT"}
          autosize
          minRows={2}
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          error={fieldErrors.reason}
        />
        <ProblemAlert error={Object.keys(fieldErrors).length ? null : decide.error} onReload={onReload} />
        <Button onClick={() => decide.mutate()} loading={decide.isPending} disabled={!ready} color={kind === "REJECT" ? "red.8" : undefined}>
          {kind === "APPROVE" ? "Approve and issue the auth code" : "Reject"}
        </Button>
        {kind === "APPROVE" && <Text size="xs" c="dimmed">The auth code is shown here and sent to the provider.</Text>}
      </Stack>
    </Paper>
  );
}
