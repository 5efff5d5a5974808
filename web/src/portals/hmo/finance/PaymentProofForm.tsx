/**
 * Records a payment against a remittance: the proof (PDF or image) is previewed before it
 * is sent, and its upload shows its progress. Paid in full, the remittance's claims become
 * SETTLED (the server decides; the screen shows the answer).
 */
import { Button, FileInput, Paper, Progress, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { IconPaperclip } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";

import { ApiProblem, problemOf } from "../../../api/problem";
import { upload } from "../../../api/upload";
import { moneyInput, parseMoney, todayIso } from "../../../app/format";
import { FilePreview } from "../../../components/FilePreview";
import { ProblemAlert } from "../../../components/ProblemAlert";
import type { Remittance } from "../../../components/finance/queries";

const PROOF_TYPES = "application/pdf,image/png,image/jpeg,image/tiff";

interface Proof {
  file: File | null;
  reference: string;
  amount: string;
  paidOn: string;
}

function proofForm(proof: Proof, currency: string): FormData {
  const minor = parseMoney(proof.amount, currency);
  if (!proof.file) throw new ApiProblem(422, { title: "Not sent", errors: [{ field: "file", message: "Choose the proof of payment." }] });
  if (minor === null) throw new ApiProblem(422, { title: "Not sent", errors: [{ field: "amount", message: "Give the amount paid, e.g. 1500.50." }] });
  const form = new FormData();
  form.append("file", proof.file);
  form.append("reference", proof.reference);
  form.append("amount", String(minor));
  form.append("paid_on", proof.paidOn);
  return form;
}

export function PaymentProofForm({ remittance }: { remittance: Remittance }) {
  const { currency } = remittance;
  const queryClient = useQueryClient();
  const outstanding = remittance.total - remittance.paid_amount;
  const [proof, setProof] = useState<Proof>({ file: null, reference: "", amount: moneyInput(outstanding, currency), paidOn: todayIso() });
  const [progress, setProgress] = useState(0);
  const send = useMutation({
    mutationFn: () => {
      setProgress(0);
      return upload<Remittance>(`/api/remittances/${remittance.id}/payment-proofs`, proofForm(proof, currency), setProgress);
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(["remittances", remittance.id], updated);
      for (const root of ["remittances", "settlement-runs", "claims", "dashboard"]) {
        void queryClient.invalidateQueries({ queryKey: [root] });
      }
    },
  });
  const fieldErrors = problemOf(send.error)?.fieldErrors() ?? {};
  const change = (changes: Partial<Proof>) => setProof((current) => ({ ...current, ...changes }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate();
  };
  return (
    <Paper withBorder p="md" radius="md" component="form" onSubmit={submit} aria-labelledby="proof-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="proof-title">Record a payment</Title>
        <Text size="sm" c="dimmed">Paid in full, the remittance is closed and its claims become settled; the provider is told.</Text>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput label="Transfer reference" required value={proof.reference} onChange={(event) => change({ reference: event.currentTarget.value })} error={fieldErrors.reference} />
          <TextInput label={`Amount paid (${currency})`} required inputMode="decimal" value={proof.amount} onChange={(event) => change({ amount: event.currentTarget.value })} error={fieldErrors.amount} />
          <TextInput type="date" label="Paid on" required value={proof.paidOn} onChange={(event) => change({ paidOn: event.currentTarget.value })} error={fieldErrors.paid_on} />
        </SimpleGrid>
        <FileInput
          label="Proof of payment"
          description="PDF, PNG, JPEG or TIFF"
          accept={PROOF_TYPES}
          leftSection={<IconPaperclip size={16} />}
          value={proof.file}
          onChange={(file) => change({ file })}
          clearable
          clearButtonProps={{ "aria-label": "Remove the file" }}
          error={fieldErrors.file}
        />
        {proof.file && <FilePreview file={proof.file} />}
        {send.isPending && (
          <Stack gap={4}>
            <Progress value={progress * 100} aria-label="Upload progress" />
            <Text size="sm" c="dimmed" aria-live="polite">Uploading… {Math.round(progress * 100)}%</Text>
          </Stack>
        )}
        {Object.keys(fieldErrors).length === 0 && <ProblemAlert error={send.error} />}
        <div>
          <Button type="submit" loading={send.isPending}>Send the proof</Button>
        </div>
      </Stack>
    </Paper>
  );
}
