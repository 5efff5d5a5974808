/** The provider's disputes as its lists show them (the HMO named through the remittance). */
import type { Schemas } from "../../../api/types";
import { formatDateTime } from "../../../app/format";
import type { Column } from "../../../components/DataTable";
import { DisputeAmount } from "../../../components/finance/DisputeAmount";
import { useRemittance } from "../../../components/finance/queries";
import { StatusBadge } from "../../../components/StatusBadge";

export type DisputeRow = Schemas["DisputeRead"];

function HmoOf({ dispute }: { dispute: DisputeRow }) {
  return <>{useRemittance(dispute.remittance_id).data?.hmo_name ?? "—"}</>;
}

export const DISPUTE_COLUMNS: Column<DisputeRow>[] = [
  { key: "number", label: "Dispute", render: (row) => row.number },
  { key: "status", label: "Status", render: (row) => <StatusBadge status={row.status} /> },
  { key: "hmo", label: "HMO", render: (row) => <HmoOf dispute={row} /> },
  { key: "claimed", label: "Asked for", align: "right", render: (row) => <DisputeAmount dispute={row} minor={row.amount_claimed} /> },
  { key: "adjustment", label: "Adjustment", align: "right", render: (row) => (row.adjustment === null ? "—" : <DisputeAmount dispute={row} minor={row.adjustment} />) },
  { key: "raised", label: "Raised", render: (row) => formatDateTime(row.created_at) },
];
