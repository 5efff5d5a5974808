/** Providers' disputes against remittances, newest first, by status (in the URL). */
import { Stack } from "@mantine/core";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters } from "../../../app/filters";
import { formatDateTime } from "../../../app/format";
import { DataTable, type Column } from "../../../components/DataTable";
import { DisputeAmount } from "../../../components/finance/DisputeAmount";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";
import { StatusFilter } from "../../../components/StatusFilter";
import { FinanceTabs } from "./FinanceTabs";

type Row = Schemas["DisputeRead"];
type DisputeStatus = Schemas["DisputeStatus"];
const STATUSES: DisputeStatus[] = ["OPEN", "UNDER_REVIEW", "RESOLVED_ACCEPTED", "RESOLVED_REJECTED"];

const COLUMNS: Column<Row>[] = [
  { key: "number", label: "Dispute", render: (row) => row.number },
  { key: "status", label: "Status", render: (row) => <StatusBadge status={row.status} /> },
  { key: "provider", label: "Provider", render: (row) => <ProviderName providerId={row.provider_id} /> },
  { key: "claimed", label: "Claimed", align: "right", render: (row) => <DisputeAmount dispute={row} minor={row.amount_claimed} /> },
  { key: "reason", label: "Reason", render: (row) => (row.reason.length > 80 ? `${row.reason.slice(0, 80)}…` : row.reason) },
  { key: "raised", label: "Raised", render: (row) => formatDateTime(row.created_at) },
];

export function DisputesPage() {
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(["status"] as const);
  const status = filters.status as DisputeStatus | undefined;
  const disputes = usePages(["disputes", "list", status], async (cursor) =>
    dataOf(await api.GET("/api/disputes", { params: { query: { status, cursor } } })),
  );
  return (
    <Stack>
      <PageHeader title="Finance" description="Providers' disputes against their remittances." />
      <FinanceTabs />
      <StatusFilter statuses={STATUSES} value={status} onChange={(value) => setFilters({ status: value })} />
      <ProblemAlert error={disputes.error} />
      <DataTable
        caption="Disputes"
        columns={COLUMNS}
        rows={disputes.items}
        rowKey={(row) => row.id}
        onRowClick={(row) => navigate(`/hmo/finance/disputes/${row.id}`)}
        empty="No dispute."
        {...disputes.tableProps}
      />
    </Stack>
  );
}
