/** Providers' disputes against remittances, newest first, by status (in the URL). */
import type { Schemas } from "../../../api/types";
import { formatDateTime } from "../../../app/format";
import type { Column } from "../../../components/DataTable";
import { DisputeAmount } from "../../../components/finance/DisputeAmount";
import { DisputeList } from "../../../components/finance/DisputeList";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";
import { FinanceTabs } from "./FinanceTabs";

type Row = Schemas["DisputeRead"];

const COLUMNS: Column<Row>[] = [
  { key: "number", label: "Dispute", render: (row) => row.number },
  { key: "status", label: "Status", render: (row) => <StatusBadge status={row.status} /> },
  { key: "provider", label: "Provider", render: (row) => <ProviderName providerId={row.provider_id} /> },
  { key: "claimed", label: "Claimed", align: "right", render: (row) => <DisputeAmount dispute={row} minor={row.amount_claimed} /> },
  { key: "reason", label: "Reason", render: (row) => (row.reason.length > 80 ? `${row.reason.slice(0, 80)}…` : row.reason) },
  { key: "raised", label: "Raised", render: (row) => formatDateTime(row.created_at) },
];

export function DisputesPage() {
  return (
    <DisputeList
      description="Providers' disputes against their remittances."
      tabs={<FinanceTabs />}
      columns={COLUMNS}
      disputePath={(disputeId) => `/hmo/finance/disputes/${disputeId}`}
    />
  );
}
