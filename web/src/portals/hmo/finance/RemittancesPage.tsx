/** Every remittance, newest first, by status (the URL keeps it): what is still to pay. */
import { Stack } from "@mantine/core";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters } from "../../../app/filters";
import { formatDateTime } from "../../../app/format";
import { DataTable, type Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";
import { StatusFilter } from "../../../components/StatusFilter";
import { FinanceTabs } from "./FinanceTabs";

type Row = Schemas["RemittanceSummary"];
type RemittanceStatus = Schemas["RemittanceStatus"];
const STATUSES: RemittanceStatus[] = ["PENDING", "PAID", "CANCELLED"];

const COLUMNS: Column<Row>[] = [
  { key: "provider", label: "Provider", render: (row) => <ProviderName providerId={row.provider_id} /> },
  { key: "run", label: "Run", render: (row) => row.run_number },
  { key: "status", label: "Status", render: (row) => <StatusBadge status={row.status} /> },
  { key: "total", label: "Total", align: "right", render: (row) => <Money minor={row.total} currency={row.currency} /> },
  { key: "paid", label: "Paid", align: "right", render: (row) => <Money minor={row.paid_amount} currency={row.currency} /> },
  { key: "created", label: "Created", render: (row) => formatDateTime(row.created_at) },
];

export function RemittancesPage() {
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(["status"] as const);
  const status = filters.status as RemittanceStatus | undefined;
  const remittances = usePages(["remittances", "list", status], async (cursor) =>
    dataOf(await api.GET("/api/remittances", { params: { query: { status, cursor } } })),
  );
  return (
    <Stack>
      <PageHeader title="Finance" description="What each provider is owed, run by run." />
      <FinanceTabs />
      <StatusFilter statuses={STATUSES} value={status} onChange={(value) => setFilters({ status: value })} />
      <ProblemAlert error={remittances.error} />
      <DataTable
        caption="Remittances"
        columns={COLUMNS}
        rows={remittances.items}
        rowKey={(row) => row.id}
        onRowClick={(row) => navigate(`/hmo/finance/remittances/${row.id}`)}
        empty="No remittance."
        {...remittances.tableProps}
      />
    </Stack>
  );
}
