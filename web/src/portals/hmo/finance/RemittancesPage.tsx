/** Every remittance, newest first, by status (the URL keeps it): what is still to pay. */
import type { Schemas } from "../../../api/types";
import { formatDateTime } from "../../../app/format";
import type { Column } from "../../../components/DataTable";
import { RemittanceList } from "../../../components/finance/RemittanceList";
import { Money } from "../../../components/Money";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";
import { FinanceTabs } from "./FinanceTabs";

type Row = Schemas["RemittanceSummary"];

const COLUMNS: Column<Row>[] = [
  { key: "provider", label: "Provider", render: (row) => <ProviderName providerId={row.provider_id} /> },
  { key: "run", label: "Run", render: (row) => row.run_number },
  { key: "status", label: "Status", render: (row) => <StatusBadge status={row.status} /> },
  { key: "total", label: "Total", align: "right", render: (row) => <Money minor={row.total} currency={row.currency} /> },
  { key: "paid", label: "Paid", align: "right", render: (row) => <Money minor={row.paid_amount} currency={row.currency} /> },
  { key: "created", label: "Created", render: (row) => formatDateTime(row.created_at) },
];

export function RemittancesPage() {
  return (
    <RemittanceList
      description="What each provider is owed, run by run."
      tabs={<FinanceTabs />}
      columns={COLUMNS}
      empty="No remittance."
      remittancePath={(remittanceId) => `/hmo/finance/remittances/${remittanceId}`}
    />
  );
}
