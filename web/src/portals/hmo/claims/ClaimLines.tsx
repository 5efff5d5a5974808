/** The claim's lines with the checks' proposal and, while it is reviewed, the approver's decisions. */
import { Badge, Group, Paper, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import type { ReactNode } from "react";

import { DataTable, type Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { eligibilityOf, type ClaimDetail, type ClaimLine, type LineVerdict } from "./claimViews";
import type { LineDecisions } from "./lineDecisions";
import { useReasonCodes, type ReasonCodes } from "../../../components/claims/reasons";

export function ClaimLines({ claim, decisions }: { claim: ClaimDetail; decisions: LineDecisions | null }) {
  const reasons = useReasonCodes();
  const verdicts = new Map(eligibilityOf(claim).lines.map((line) => [line.id, line]));
  const money = (minor: number | null | undefined) => <Money minor={minor} currency={claim.currency} />;
  const columns: Column<ClaimLine>[] = [
    { key: "line", label: "#", render: (line) => line.line_no },
    { key: "code", label: "Service", render: (line) => <ServiceCell line={line} verdict={verdicts.get(line.id)} /> },
    { key: "quantity", label: "Qty", align: "right", render: (line) => line.quantity },
    { key: "billed", label: "Billed", align: "right", render: (line) => money(line.billed_amount) },
    { key: "proposed", label: "Checks allow", align: "right", render: (line) => <Proposal verdict={verdicts.get(line.id)} currency={claim.currency} reasons={reasons} /> },
    ...(decisions ? decisionColumns(decisions, reasons) : decidedColumns(money, reasons)),
  ];
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h4">Line items</Title>
          <Text size="sm">Billed {money(claim.total_billed)} · approved {money(claim.total_approved)}</Text>
        </Group>
        <DataTable caption={`Lines of claim ${claim.number}`} columns={columns} rows={claim.items ?? []} rowKey={(line) => line.id} />
      </Stack>
    </Paper>
  );
}

function ServiceCell({ line, verdict }: { line: ClaimLine; verdict: LineVerdict | undefined }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600}>{line.code}</Text>
      <Text size="xs" c="dimmed">{line.description || line.category}</Text>
      {verdict?.flags.map((flag) => <Badge key={flag} size="xs" color="#a13f00" variant="outline">{flag.replace(/_/g, " ").toLowerCase()}</Badge>)}
    </Stack>
  );
}

function Proposal({ verdict, currency, reasons }: { verdict: LineVerdict | undefined; currency: string; reasons: ReasonCodes }) {
  if (!verdict) return <span>—</span>;
  return (
    <Stack gap={2} align="flex-end">
      <Money minor={verdict.proposed_amount} currency={currency} />
      {verdict.reason_code && <Text size="xs" c="dimmed">{reasons.text(verdict.reason_code)}</Text>}
    </Stack>
  );
}

function decisionColumns(decisions: LineDecisions, reasons: ReasonCodes): Column<ClaimLine>[] {
  return [
    {
      key: "approve",
      label: "Approve",
      render: (line) => (
        <TextInput
          aria-label={`Approved amount, line ${line.line_no}`}
          w={110}
          value={decisions.choices[line.id]?.amount ?? ""}
          error={decisions.errors[line.id]}
          onChange={(event) => decisions.change(line.id, { amount: event.currentTarget.value })}
        />
      ),
    },
    {
      key: "reason",
      label: "Reason",
      render: (line) => (
        <Select
          aria-label={`Reason code, line ${line.line_no}`}
          w={150}
          clearable
          clearButtonProps={{ "aria-label": `No reason code, line ${line.line_no}` }}
          searchable
          placeholder="None"
          data={reasons.options}
          value={decisions.choices[line.id]?.reason ?? null}
          onChange={(reason) => decisions.change(line.id, { reason })}
        />
      ),
    },
  ];
}

function decidedColumns(money: (minor: number | null | undefined) => ReactNode, reasons: ReasonCodes): Column<ClaimLine>[] {
  return [
    { key: "approved", label: "Approved", align: "right", render: (line) => money(line.approved_amount) },
    { key: "reason", label: "Reason", render: (line) => <Text size="xs">{reasons.text(line.reason_code)}</Text> },
  ];
}
