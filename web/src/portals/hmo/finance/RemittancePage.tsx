/**
 * One remittance: what the HMO owes one provider in a run, line by line with each claim's
 * status, its payments, the CSV and the printable statement, and recording a payment.
 */
import { Anchor, Button, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { IconPrinter } from "@tabler/icons-react";
import { Link, useParams } from "react-router-dom";

import type { Schemas } from "../../../api/types";
import { formatDate, formatDateTime } from "../../../app/format";
import { useSession } from "../../../app/session";
import { CsvDownloadButton } from "../../../components/CsvDownloadButton";
import { DataTable, type Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";
import { FinanceTabs } from "./FinanceTabs";
import { PaymentProofForm } from "./PaymentProofForm";
import { useRemittance, useRun, type Remittance, type Run } from "./queries";
import { Fact } from "./RunPage";

type Line = Schemas["LineRead"];
type Proof = Schemas["ProofRead"];

function lineColumns(currency: string): Column<Line>[] {
  const money = (minor: number) => <Money minor={minor} currency={currency} />;
  return [
    {
      key: "claim",
      label: "Claim",
      render: (line) =>
        line.claim_id
          ? <Anchor component={Link} to={`/hmo/claims/${line.claim_id}`}>{line.claim_number ?? "Claim"}</Anchor>
          : "Dispute adjustment",
    },
    { key: "status", label: "Claim status", render: (line) => (line.claim_status ? <StatusBadge status={line.claim_status} /> : "—") },
    { key: "billed", label: "Billed", align: "right", render: (line) => money(line.billed) },
    { key: "approved", label: "Approved", align: "right", render: (line) => money(line.approved) },
    { key: "amount", label: "Payable", align: "right", render: (line) => money(line.amount) },
  ];
}

function proofColumns(remittanceId: string, currency: string): Column<Proof>[] {
  return [
    { key: "reference", label: "Reference", render: (proof) => proof.reference },
    { key: "paid_on", label: "Paid on", render: (proof) => formatDate(proof.paid_on) },
    { key: "amount", label: "Amount", align: "right", render: (proof) => <Money minor={proof.amount} currency={currency} /> },
    { key: "recorded", label: "Recorded", render: (proof) => formatDateTime(proof.created_at) },
    {
      key: "file",
      label: "Proof",
      render: (proof) => (proof.attachment_id
        ? <Anchor href={`/api/remittances/${remittanceId}/payment-proofs/${proof.id}/file`}>Download</Anchor>
        : "—"),
    },
  ];
}

function Summary({ remittance, run }: { remittance: Remittance; run: Run }) {
  return (
    <Paper withBorder p="md" radius="md">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Fact label="Settlement run"><Anchor component={Link} to={`/hmo/finance/runs/${run.id}`}>{run.number}</Anchor></Fact>
        <Fact label="Run status"><StatusBadge status={run.status} /></Fact>
        <Fact label="Total"><Money minor={remittance.total} currency={run.currency} /></Fact>
        <Fact label="Paid"><Money minor={remittance.paid_amount} currency={run.currency} /></Fact>
        {remittance.paid_at && <Fact label="Paid in full">{formatDateTime(remittance.paid_at)}</Fact>}
      </SimpleGrid>
    </Paper>
  );
}

function Statements({ remittance, run }: { remittance: Remittance; run: Run }) {
  return (
    <Group gap="sm">
      <CsvDownloadButton path={`/api/remittances/${remittance.id}`} fileName={`remittance-${run.number}-${remittance.id}.csv`} />
      <Button
        component="a"
        href={`/api/remittances/${remittance.id}?format=html`}
        target="_blank"
        rel="noopener"
        variant="default"
        leftSection={<IconPrinter size={16} />}
      >
        Printable statement
      </Button>
    </Group>
  );
}

function Payment({ remittance, run }: { remittance: Remittance; run: Run }) {
  const { can } = useSession();
  if (!can("payments:record") || remittance.status !== "PENDING") return null;
  if (run.status !== "APPROVED") {
    return <Text size="sm" c="dimmed">Payments are recorded once the run is approved.</Text>;
  }
  return <PaymentProofForm remittance={remittance} currency={run.currency} />;
}

export function RemittancePage() {
  const { remittanceId = "" } = useParams();
  const remittance = useRemittance(remittanceId);
  const run = useRun(remittance.data?.run_id);
  const data = remittance.data && run.data ? { remittance: remittance.data, run: run.data } : null;
  return (
    <Stack>
      <PageHeader
        title="Remittance"
        description={remittance.data && <ProviderName providerId={remittance.data.provider_id} />}
        actions={remittance.data && <StatusBadge status={remittance.data.status} />}
      />
      <FinanceTabs />
      <ProblemAlert error={remittance.error ?? run.error} />
      {!data && !remittance.error && !run.error && <Skeleton h={160} />}
      {data && (
        <>
          <Summary {...data} />
          <Statements {...data} />
          <Title order={2} size="h4">Lines</Title>
          <DataTable caption="Remittance lines" columns={lineColumns(data.run.currency)} rows={data.remittance.lines} rowKey={(line) => line.id} empty="No lines." />
          <Title order={2} size="h4">Payments</Title>
          <DataTable caption="Payments recorded" columns={proofColumns(data.remittance.id, data.run.currency)} rows={data.remittance.payment_proofs} rowKey={(proof) => proof.id} empty="No payment recorded yet." />
          <Payment {...data} />
        </>
      )}
    </Stack>
  );
}
