/**
 * One remittance: what the HMO owes one provider in a run, line by line with each claim's
 * status, its payments, the CSV and the printable statement, and recording a payment.
 */
import { Anchor, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router-dom";

import { formatDateTime } from "../../../app/format";
import { useSession } from "../../../app/session";
import { Fact } from "../../../components/Fact";
import { useRemittance, type Remittance } from "../../../components/finance/queries";
import { PaymentProofs, RemittanceLines, RemittanceStatements } from "../../../components/finance/RemittanceParts";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";
import { FinanceTabs } from "./FinanceTabs";
import { PaymentProofForm } from "./PaymentProofForm";
import { useRun, type Run } from "./queries";

function Summary({ remittance, run }: { remittance: Remittance; run: Run }) {
  return (
    <Paper withBorder p="md" radius="md">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Fact label="Settlement run"><Anchor component={Link} to={`/hmo/finance/runs/${run.id}`}>{run.number}</Anchor></Fact>
        <Fact label="Run status"><StatusBadge status={run.status} /></Fact>
        <Fact label="Total"><Money minor={remittance.total} currency={remittance.currency} /></Fact>
        <Fact label="Paid"><Money minor={remittance.paid_amount} currency={remittance.currency} /></Fact>
        {remittance.paid_at && <Fact label="Paid in full">{formatDateTime(remittance.paid_at)}</Fact>}
      </SimpleGrid>
    </Paper>
  );
}

function Payment({ remittance, run }: { remittance: Remittance; run: Run }) {
  const { can } = useSession();
  if (!can("payments:record") || remittance.status !== "PENDING") return null;
  if (run.status !== "APPROVED") {
    return <Text size="sm" c="dimmed">Payments are recorded once the run is approved.</Text>;
  }
  return <PaymentProofForm remittance={remittance} />;
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
          <RemittanceStatements remittance={data.remittance} />
          <Title order={2} size="h4">Lines</Title>
          <RemittanceLines remittance={data.remittance} claimPath={(claimId) => `/hmo/claims/${claimId}`} />
          <Title order={2} size="h4">Payments</Title>
          <PaymentProofs remittance={data.remittance} />
          <Payment {...data} />
        </>
      )}
    </Stack>
  );
}
