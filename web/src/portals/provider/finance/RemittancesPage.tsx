/** The provider's remittances from every HMO that pays it, newest first, by HMO and status
 * (both in the URL): what is owed, what is paid. */
import { Group, Stack } from "@mantine/core";
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
import { StatusBadge } from "../../../components/StatusBadge";
import { StatusFilter } from "../../../components/StatusFilter";
import { FinanceTabs } from "./FinanceTabs";
import { HmoFilter } from "./HmoFilter";

type Row = Schemas["RemittanceSummary"];
type RemittanceStatus = Schemas["RemittanceStatus"];
const STATUSES: RemittanceStatus[] = ["PENDING", "PAID", "CANCELLED"];

const COLUMNS: Column<Row>[] = [
  { key: "hmo", label: "HMO", render: (row) => row.hmo_name },
  { key: "run", label: "Settlement run", render: (row) => row.run_number },
  { key: "status", label: "Status", render: (row) => <StatusBadge status={row.status} /> },
  { key: "total", label: "Total", align: "right", render: (row) => <Money minor={row.total} currency={row.currency} /> },
  { key: "paid", label: "Paid", align: "right", render: (row) => <Money minor={row.paid_amount} currency={row.currency} /> },
  { key: "created", label: "Created", render: (row) => formatDateTime(row.created_at) },
];

export function RemittancesPage() {
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(["status", "hmo"] as const);
  const status = filters.status as RemittanceStatus | undefined;
  const remittances = usePages(["remittances", "list", status, filters.hmo], async (cursor) =>
    dataOf(await api.GET("/api/remittances", { params: { query: { status, hmo_id: filters.hmo, cursor } } })),
  );
  return (
    <Stack>
      <PageHeader title="Finance" description="What each HMO pays you, settlement run by settlement run." />
      <FinanceTabs />
      <Group align="flex-end">
        <HmoFilter value={filters.hmo} onChange={(value) => setFilters({ hmo: value })} />
        <StatusFilter statuses={STATUSES} value={status} onChange={(value) => setFilters({ status: value })} />
      </Group>
      <ProblemAlert error={remittances.error} />
      <DataTable
        caption="Remittances"
        columns={COLUMNS}
        rows={remittances.items}
        rowKey={(row) => row.id}
        onRowClick={(row) => navigate(`/provider/finance/remittances/${row.id}`)}
        empty="No remittance yet."
        {...remittances.tableProps}
      />
    </Stack>
  );
}
