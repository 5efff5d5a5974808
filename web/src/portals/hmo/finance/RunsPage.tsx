/** Settlement runs, newest first, filtered by status in the URL; a new run for those who may. */
import { Stack } from "@mantine/core";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters } from "../../../app/filters";
import { formatDate, formatDateTime } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable, type Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";
import { StatusFilter } from "../../../components/StatusFilter";
import { FinanceTabs } from "./FinanceTabs";
import { NewRunForm } from "./NewRunForm";

type RunRow = Schemas["RunRead"];
type RunStatus = Schemas["RunStatus"];
const STATUSES: RunStatus[] = ["DRAFT", "APPROVED", "PAID", "CANCELLED"];

export function period(row: { period_from: string; period_to: string }): string {
  return `${formatDate(row.period_from)} – ${formatDate(row.period_to)}`;
}

const COLUMNS: Column<RunRow>[] = [
  { key: "number", label: "Run", render: (run) => run.number },
  { key: "period", label: "Claims served", render: period },
  { key: "provider", label: "Provider", render: (run) => (run.provider_id ? <ProviderName providerId={run.provider_id} /> : "All providers") },
  { key: "status", label: "Status", render: (run) => <StatusBadge status={run.status} /> },
  { key: "total", label: "Total", align: "right", render: (run) => <Money minor={run.total} currency={run.currency} /> },
  { key: "created", label: "Created", render: (run) => formatDateTime(run.created_at) },
];

export function RunsPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(["status"] as const);
  const status = filters.status as RunStatus | undefined;
  const runs = usePages(["settlement-runs", "list", status], async (cursor) =>
    dataOf(await api.GET("/api/settlement-runs", { params: { query: { status, cursor } } })),
  );
  return (
    <Stack>
      <PageHeader title="Finance" description="Approved claims settled in runs, one remittance per provider." />
      <FinanceTabs />
      {can("settlements:create") && <NewRunForm />}
      <StatusFilter statuses={STATUSES} value={status} onChange={(value) => setFilters({ status: value })} />
      <ProblemAlert error={runs.error} />
      <DataTable
        caption="Settlement runs"
        columns={COLUMNS}
        rows={runs.items}
        rowKey={(run) => run.id}
        onRowClick={(run) => navigate(`/hmo/finance/runs/${run.id}`)}
        empty="No settlement run yet."
        {...runs.tableProps}
      />
    </Stack>
  );
}
