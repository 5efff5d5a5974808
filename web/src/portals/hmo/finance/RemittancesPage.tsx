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
import { FinanceTabs } from "./FinanceTabs";
import { StatusFilter } from "./StatusFilter";
import { useRun } from "./queries";

type Row = Schemas["RemittanceSummary"];
type RemittanceStatus = Schemas["RemittanceStatus"];
const STATUSES: RemittanceStatus[] = ["PENDING", "PAID", "CANCELLED"];

/** A remittance's amount in its run's currency, with the run's number. */
function InRun({ row, show }: { row: Row; show: "number" | "total" | "paid" }) {
  const run = useRun(row.run_id).data;
  if (!run) return <span>—</span>;
  if (show === "number") return <span>{run.number}</span>;
  return <Money minor={show === "total" ? row.total : row.paid_amount} currency={run.currency} />;
}

const COLUMNS: Column<Row>[] = [
  { key: "provider", label: "Provider", render: (row) => <ProviderName providerId={row.provider_id} /> },
  { key: "run", label: "Run", render: (row) => <InRun row={row} show="number" /> },
  { key: "status", label: "Status", render: (row) => <StatusBadge status={row.status} /> },
  { key: "total", label: "Total", align: "right", render: (row) => <InRun row={row} show="total" /> },
  { key: "paid", label: "Paid", align: "right", render: (row) => <InRun row={row} show="paid" /> },
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
