/** One dispute: the line it is about, the provider's reason, its history, and resolving it. */
import { Anchor, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router-dom";

import type { Schemas } from "../../../api/types";
import { formatDateTime } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable, type Column } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";
import { DisputeAmount, useDisputeCurrency } from "./DisputeAmount";
import { FinanceTabs } from "./FinanceTabs";
import { useDispute, type Dispute } from "./queries";
import { ResolveDisputeForm } from "./ResolveDisputeForm";
import { Fact } from "./RunPage";

type Step = Schemas["HistoryEntry"];

const HISTORY: Column<Step>[] = [
  { key: "at", label: "When", render: (step) => formatDateTime(step.at) },
  { key: "action", label: "What", render: (step) => step.action.replace(/_/g, " ") },
  { key: "status", label: "Status", render: (step) => <StatusBadge status={step.to_status} /> },
  { key: "by", label: "By", render: (step) => step.actor_label },
];

function Facts({ dispute }: { dispute: Dispute }) {
  return (
    <Paper withBorder p="md" radius="md">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Fact label="Provider"><ProviderName providerId={dispute.provider_id} /></Fact>
        <Fact label="Claim">
          {dispute.claim_id ? <Anchor component={Link} to={`/hmo/claims/${dispute.claim_id}`}>{dispute.claim_number}</Anchor> : "—"}
        </Fact>
        <Fact label="Remittance"><Anchor component={Link} to={`/hmo/finance/remittances/${dispute.remittance_id}`}>Open</Anchor></Fact>
        <Fact label="Raised">{formatDateTime(dispute.created_at)}</Fact>
        <Fact label="Amount claimed"><DisputeAmount dispute={dispute} minor={dispute.amount_claimed} /></Fact>
        {dispute.adjustment !== null && <Fact label="Adjustment"><DisputeAmount dispute={dispute} minor={dispute.adjustment} /></Fact>}
        {dispute.resolved_at && <Fact label="Resolved">{formatDateTime(dispute.resolved_at)}</Fact>}
      </SimpleGrid>
      <Text size="xs" c="dimmed" mt="md">The provider's reason</Text>
      <Text style={{ whiteSpace: "pre-wrap" }}>{dispute.reason}</Text>
      {dispute.resolution_note && (
        <>
          <Text size="xs" c="dimmed" mt="md">Resolution note</Text>
          <Text style={{ whiteSpace: "pre-wrap" }}>{dispute.resolution_note}</Text>
        </>
      )}
    </Paper>
  );
}

function Resolution({ dispute, onReload }: { dispute: Dispute; onReload: () => void }) {
  const { can } = useSession();
  const currency = useDisputeCurrency(dispute.remittance_id);
  const open = dispute.status === "OPEN" || dispute.status === "UNDER_REVIEW";
  if (!open || !can("disputes:resolve") || !currency) return null;
  return <ResolveDisputeForm key={dispute.version} dispute={dispute} currency={currency} onReload={onReload} />;
}

export function DisputePage() {
  const { disputeId = "" } = useParams();
  const dispute = useDispute(disputeId);
  return (
    <Stack>
      <PageHeader
        title={dispute.data ? `Dispute ${dispute.data.number}` : "Dispute"}
        description={<Anchor component={Link} to="/hmo/finance/disputes" size="sm">All disputes</Anchor>}
        actions={dispute.data && <StatusBadge status={dispute.data.status} />}
      />
      <FinanceTabs />
      <ProblemAlert error={dispute.error} />
      {dispute.isPending && <Skeleton h={160} />}
      {dispute.data && (
        <>
          <Facts dispute={dispute.data} />
          <Resolution dispute={dispute.data} onReload={() => void dispute.refetch()} />
          <Title order={2} size="h4">History</Title>
          <DataTable caption="What happened to this dispute" columns={HISTORY} rows={dispute.data.history} rowKey={(step) => `${step.at}-${step.action}`} />
        </>
      )}
    </Stack>
  );
}
