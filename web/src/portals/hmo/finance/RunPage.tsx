/** One settlement run: its figures, approve / cancel, and its remittances by provider. */
import { Anchor, Group, Paper, SimpleGrid, Skeleton, Stack } from "@mantine/core";
import { Link, useNavigate, useParams } from "react-router-dom";

import { formatDateTime } from "../../../app/format";
import { DataTable, type Column } from "../../../components/DataTable";
import { Fact } from "../../../components/Fact";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";
import { FinanceTabs } from "./FinanceTabs";
import type { Remittance } from "../../../components/finance/queries";
import { useRun, type Run } from "./queries";
import { RunActions } from "./RunActions";
import { period } from "./RunsPage";

function remittanceColumns(run: Run): Column<Remittance>[] {
  return [
    { key: "provider", label: "Provider", render: (r) => <ProviderName providerId={r.provider_id} /> },
    { key: "lines", label: "Lines", align: "right", render: (r) => r.lines.length },
    { key: "total", label: "Total", align: "right", render: (r) => <Money minor={r.total} currency={run.currency} /> },
    { key: "paid", label: "Paid", align: "right", render: (r) => <Money minor={r.paid_amount} currency={run.currency} /> },
    { key: "status", label: "Status", render: (r) => <StatusBadge status={r.status} /> },
    { key: "open", label: "Remittance", render: (r) => <Anchor component={Link} to={`/hmo/finance/remittances/${r.id}`} onClick={(event) => event.stopPropagation()}>Open</Anchor> },
  ];
}

function RunFacts({ run }: { run: Run }) {
  return (
    <Paper withBorder p="md" radius="md">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Fact label="Claims served">{period(run)}</Fact>
        <Fact label="Provider">{run.provider_id ? <ProviderName providerId={run.provider_id} /> : "All providers"}</Fact>
        <Fact label="Total"><Money minor={run.total} currency={run.currency} /></Fact>
        <Fact label="Created">{formatDateTime(run.created_at)}</Fact>
        {run.approved_at && <Fact label="Approved">{formatDateTime(run.approved_at)}</Fact>}
        {run.paid_at && <Fact label="Paid">{formatDateTime(run.paid_at)}</Fact>}
        {run.cancelled_at && <Fact label="Cancelled">{formatDateTime(run.cancelled_at)}</Fact>}
        {run.cadence && <Fact label="Drafted by the cadence">{run.cadence.toLowerCase()}</Fact>}
      </SimpleGrid>
    </Paper>
  );
}

export function RunPage() {
  const { runId = "" } = useParams();
  const navigate = useNavigate();
  const run = useRun(runId);
  return (
    <Stack>
      <PageHeader
        title={run.data ? `Settlement run ${run.data.number}` : "Settlement run"}
        description={<Anchor component={Link} to="/hmo/finance/runs" size="sm">All settlement runs</Anchor>}
        actions={run.data && <StatusBadge status={run.data.status} />}
      />
      <FinanceTabs />
      <ProblemAlert error={run.error} />
      {run.isPending && <Skeleton h={160} />}
      {run.data && (
        <>
          <RunFacts run={run.data} />
          <Group><RunActions run={run.data} onReload={() => void run.refetch()} /></Group>
          <DataTable
            caption="Remittances, one per provider"
            columns={remittanceColumns(run.data)}
            rows={run.data.remittances}
            rowKey={(r) => r.id}
            onRowClick={(r) => navigate(`/hmo/finance/remittances/${r.id}`)}
            empty="No approved claim was found for this period."
          />
        </>
      )}
    </Stack>
  );
}
