/** Columns every claims table shares (the HMO's queue and list, the provider's list). */
import type { Schemas } from "../../api/types";
import { formatDate } from "../../app/format";
import type { Column } from "../DataTable";
import { Money } from "../Money";
import { ProviderName } from "../ProviderName";
import { StatusBadge } from "../StatusBadge";

type Listed = Pick<Schemas["ProviderClaimRead"], "number" | "status" | "member_id" | "provider_id" | "service_date" | "total_billed" | "currency">;

/** `withProvider`: the HMO's tables name the provider; a provider's own list need not. */
export function claimColumns<Row extends Listed>(withProvider = true): Column<Row>[] {
  const provider: Column<Row> = { key: "provider", label: "Provider", render: (claim) => <ProviderName providerId={claim.provider_id} /> };
  return [
    { key: "number", label: "Claim", render: (claim) => <Whole>{claim.number}</Whole> },
    { key: "status", label: "Status", render: (claim) => <StatusBadge status={claim.status} /> },
    { key: "member", label: "Member", render: (claim) => <Whole>{claim.member_id}</Whole> },
    ...(withProvider ? [provider] : []),
    { key: "service", label: "Service date", render: (claim) => formatDate(claim.service_date) },
    { key: "billed", label: "Billed", align: "right", render: (claim) => <Money minor={claim.total_billed} currency={claim.currency} /> },
  ];
}

/** An identifier kept on one line (the table scrolls instead at a phone's width). */
function Whole({ children }: { children: string }) {
  return <span style={{ whiteSpace: "nowrap" }}>{children}</span>;
}
