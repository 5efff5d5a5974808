/** The provider's remittances from every HMO that pays it, newest first, by HMO and status
 * (both in the URL): what is owed, what is paid. */
import type { Schemas } from "../../../api/types";
import { formatDateTime } from "../../../app/format";
import type { Column } from "../../../components/DataTable";
import { RemittanceList } from "../../../components/finance/RemittanceList";
import { Money } from "../../../components/Money";
import { StatusBadge } from "../../../components/StatusBadge";
import { FinanceTabs } from "./FinanceTabs";
import { HmoFilter } from "../HmoFilter";

type Row = Schemas["RemittanceSummary"];

const COLUMNS: Column<Row>[] = [
  { key: "hmo", label: "HMO", render: (row) => row.hmo_name },
  { key: "run", label: "Settlement run", render: (row) => row.run_number },
  { key: "status", label: "Status", render: (row) => <StatusBadge status={row.status} /> },
  { key: "total", label: "Total", align: "right", render: (row) => <Money minor={row.total} currency={row.currency} /> },
  { key: "paid", label: "Paid", align: "right", render: (row) => <Money minor={row.paid_amount} currency={row.currency} /> },
  { key: "created", label: "Created", render: (row) => formatDateTime(row.created_at) },
];

export function RemittancesPage() {
  return (
    <RemittanceList
      description="What each HMO pays you, settlement run by settlement run."
      tabs={<FinanceTabs />}
      columns={COLUMNS}
      empty="No remittance yet."
      remittancePath={(remittanceId) => `/provider/finance/remittances/${remittanceId}`}
      HmoFilter={HmoFilter}
    />
  );
}
